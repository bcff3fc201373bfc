/**
 * A row's expectations and snooze (table row_expectations): one row per job row that has any; a
 * null column means the default (graceSeconds 60, failuresBeforeAlert 1, no duration bounds).
 */
import type postgres from 'postgres';

type AnySql = postgres.Sql | postgres.TransactionSql;

export const DEFAULT_GRACE_SECONDS = 60;
export const DEFAULT_FAILURES_BEFORE_ALERT = 1;

export type ExpectationsRecord = {
  rowId: string;
  maxDurationSeconds: number | null;
  minDurationSeconds: number | null;
  graceSeconds: number;
  failuresBeforeAlert: number;
  snoozedUntil: Date | null;
};

export type ExpectationsValues = {
  maxDurationSeconds: number | null;
  minDurationSeconds: number | null;
  graceSeconds: number | null;
  failuresBeforeAlert: number | null;
};

/** The expectations of many rows in one query; rows without any are answered with the defaults. */
export async function findExpectations(sql: AnySql, rowIds: string[]): Promise<Map<string, ExpectationsRecord>> {
  const out = new Map<string, ExpectationsRecord>();
  for (const id of rowIds) out.set(id, defaultsOf(id));
  if (!rowIds.length) return out;
  const rows = await sql<ExpectationsRecord[]>`
    SELECT row_id AS "rowId", max_duration_seconds AS "maxDurationSeconds", min_duration_seconds AS "minDurationSeconds",
      coalesce(grace_seconds, ${DEFAULT_GRACE_SECONDS})::int AS "graceSeconds",
      coalesce(failures_before_alert, ${DEFAULT_FAILURES_BEFORE_ALERT})::int AS "failuresBeforeAlert",
      snoozed_until AS "snoozedUntil"
    FROM row_expectations WHERE row_id = ANY(${rowIds}::uuid[])`;
  for (const r of rows) out.set(r.rowId, r);
  return out;
}

export const defaultsOf = (rowId: string): ExpectationsRecord => ({
  rowId,
  maxDurationSeconds: null,
  minDurationSeconds: null,
  graceSeconds: DEFAULT_GRACE_SECONDS,
  failuresBeforeAlert: DEFAULT_FAILURES_BEFORE_ALERT,
  snoozedUntil: null,
});

/**
 * Sets the expectations (`values`: replaces all four) and/or the snooze (`snoozedUntil`: undefined
 * keeps it, null clears it) of every row in `rowIds`, in one statement.
 */
export async function writeExpectations(
  sql: AnySql,
  rowIds: string[],
  values: ExpectationsValues | undefined,
  snoozedUntil: Date | null | undefined,
) {
  if (!rowIds.length || (values === undefined && snoozedUntil === undefined)) return;
  const v = values ?? { maxDurationSeconds: null, minDurationSeconds: null, graceSeconds: null, failuresBeforeAlert: null };
  await sql`
    INSERT INTO row_expectations (row_id, max_duration_seconds, min_duration_seconds, grace_seconds, failures_before_alert, snoozed_until)
    SELECT id, ${v.maxDurationSeconds}::int, ${v.minDurationSeconds}::int, ${v.graceSeconds}::int, ${v.failuresBeforeAlert}::int,
      ${snoozedUntil ?? null}::timestamptz
    FROM unnest(${rowIds}::uuid[]) AS id
    ON CONFLICT (row_id) DO UPDATE SET
      max_duration_seconds = ${values ? sql`excluded.max_duration_seconds` : sql`row_expectations.max_duration_seconds`},
      min_duration_seconds = ${values ? sql`excluded.min_duration_seconds` : sql`row_expectations.min_duration_seconds`},
      grace_seconds = ${values ? sql`excluded.grace_seconds` : sql`row_expectations.grace_seconds`},
      failures_before_alert = ${values ? sql`excluded.failures_before_alert` : sql`row_expectations.failures_before_alert`},
      snoozed_until = ${snoozedUntil !== undefined ? sql`excluded.snoozed_until` : sql`row_expectations.snoozed_until`},
      updated_at = now()`;
}
