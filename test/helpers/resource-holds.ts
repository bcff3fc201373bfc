/**
 * Records, from the database itself, every claim, grant and release of a resource (a trigger on
 * resource_claims), so that a test or a benchmark can check what really happened: that no instant
 * had more holders than the capacity, that each resource served its waiters in arrival order, and
 * how long a waiting run took to start after a slot freed.
 */
import type { Sql } from '../../db/client';

/** Installs the recorder (idempotent); events are numbered in the order they happened. */
export async function recordResourceEvents(sql: Sql) {
  await sql.unsafe(`
    CREATE TABLE IF NOT EXISTS test_resource_events (
      id bigserial PRIMARY KEY,
      tx bigint NOT NULL DEFAULT txid_current(),
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      kind text NOT NULL,
      execution_id bigint NOT NULL,
      resource text NOT NULL,
      seq bigint NOT NULL
    );
    CREATE TABLE IF NOT EXISTS test_run_starts (execution_id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION test_resource_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO test_resource_events (kind, execution_id, resource, seq) VALUES ('claim', NEW.execution_id, NEW.resource, NEW.seq);
        IF NEW.granted_at IS NOT NULL THEN
          INSERT INTO test_resource_events (kind, execution_id, resource, seq) VALUES ('grant', NEW.execution_id, NEW.resource, NEW.seq);
        END IF;
      ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.granted_at IS NULL AND NEW.granted_at IS NOT NULL THEN
          INSERT INTO test_resource_events (kind, execution_id, resource, seq) VALUES ('grant', NEW.execution_id, NEW.resource, NEW.seq);
        END IF;
      ELSIF OLD.granted_at IS NOT NULL THEN
        INSERT INTO test_resource_events (kind, execution_id, resource, seq) VALUES ('release', OLD.execution_id, OLD.resource, OLD.seq);
      ELSE
        INSERT INTO test_resource_events (kind, execution_id, resource, seq) VALUES ('withdraw', OLD.execution_id, OLD.resource, OLD.seq);
      END IF;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_resource_event ON resource_claims;
    CREATE TRIGGER test_resource_event AFTER INSERT OR UPDATE OR DELETE ON resource_claims FOR EACH ROW EXECUTE FUNCTION test_resource_event();
    -- A run that ends holds nothing, whether or not its claims are gone (db/queries/resources.ts):
    -- a claim still granted when its run ends is recorded as ended then. A run gives its claims
    -- back before it ends, so this records something only when that release failed.
    CREATE OR REPLACE FUNCTION test_resource_run_end() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_resource_events (kind, execution_id, resource, seq)
      SELECT 'end', c.execution_id, c.resource, c.seq FROM resource_claims c WHERE c.execution_id = NEW.id AND c.granted_at IS NOT NULL;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_resource_run_end ON executions;
    CREATE TRIGGER test_resource_run_end AFTER UPDATE OF status ON executions FOR EACH ROW
      WHEN (OLD.status = 'IN_PROGRESS' AND NEW.status <> 'IN_PROGRESS') EXECUTE FUNCTION test_resource_run_end();
  `);
}

/** Called by a test job when its code starts: the moment a waiting run really runs (database clock). */
export async function markRunStart(sql: Sql, executionId: number) {
  await sql`INSERT INTO test_run_starts (execution_id) VALUES (${executionId}) ON CONFLICT DO NOTHING`;
}

export type HoldReport = {
  /** The largest number of holders any resource had at once. */
  peak: Map<string, number>;
  /** Instants where a resource had more holders than `capacity(resource)`. */
  overCapacity: string[];
  /** Pairs granted against arrival order on one resource. */
  fifoViolations: string[];
  grants: number;
  /** Runs that ended still holding a resource (their release failed; the claim stopped counting at the end). */
  endedHolding: number[];
};

/**
 * Replays the events: holders per resource after each one (a pass's releases come before its
 * grants), and, per resource, whether a claim that arrived later was granted in an earlier pass.
 * A claim stops holding at its release or at its run's end, whichever comes first: the end's event
 * is numbered before the end commits, so before any pass that could have counted on it.
 */
export async function checkHolds(sql: Sql, capacity: (resource: string) => number): Promise<HoldReport> {
  const events = await sql<{ id: number; tx: string; kind: string; executionId: number; resource: string; seq: number }[]>`
    SELECT id::int AS id, tx::text AS tx, kind, execution_id::int AS "executionId", resource, seq::int AS seq FROM test_resource_events ORDER BY id`;
  const holders = new Map<string, number>();
  const peak = new Map<string, number>();
  const overCapacity: string[] = [];
  const held = new Set<string>();
  const endedHolding = new Set<number>();
  /** A pass is one transaction; passes never overlap (advisory lock), so the first event id orders them. */
  const passOf = new Map<string, number>();
  const grantPass = new Map<string, { seq: number; pass: number }[]>();
  let grants = 0;
  for (const e of events) {
    if (!passOf.has(e.tx)) passOf.set(e.tx, e.id);
    const claim = `${e.executionId}:${e.resource}`;
    if (e.kind === 'grant') {
      held.add(claim);
      grants++;
      const n = (holders.get(e.resource) ?? 0) + 1;
      holders.set(e.resource, n);
      peak.set(e.resource, Math.max(peak.get(e.resource) ?? 0, n));
      if (n > capacity(e.resource)) overCapacity.push(`event ${e.id}: ${e.resource} held by ${n} (capacity ${capacity(e.resource)})`);
      const list = grantPass.get(e.resource) ?? [];
      list.push({ seq: e.seq, pass: passOf.get(e.tx)! });
      grantPass.set(e.resource, list);
    } else if ((e.kind === 'release' || e.kind === 'end') && held.delete(claim)) {
      holders.set(e.resource, (holders.get(e.resource) ?? 0) - 1);
      if (e.kind === 'end') endedHolding.add(e.executionId);
    }
  }
  const fifoViolations: string[] = [];
  for (const [resource, list] of grantPass) {
    const bySeq = [...list].sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < bySeq.length; i++)
      if (bySeq[i]!.pass < bySeq[i - 1]!.pass) fifoViolations.push(`${resource}: claim ${bySeq[i]!.seq} granted before claim ${bySeq[i - 1]!.seq}`);
  }
  return { peak, overCapacity, fifoViolations, grants, endedHolding: [...endedHolding] };
}

/**
 * For each run granted by a pass that freed a slot (a release in the same transaction): how long
 * after that release its code started. Sorted, in milliseconds. The start is what the job marked
 * (markRunStart), or with `logLine` the time of its first log entry with that message (a command
 * job that echoes it: the process's spawn time is then counted too).
 */
export async function startLatencies(sql: Sql, logLine?: string): Promise<number[]> {
  const starts = logLine
    ? sql`SELECT execution_id, min(at) AS at FROM log_entries WHERE message = ${logLine} GROUP BY execution_id`
    : sql`SELECT execution_id, at FROM test_run_starts`;
  const rows = await sql<{ ms: number }[]>`
    WITH freed AS (SELECT tx, min(at) AS at FROM test_resource_events WHERE kind = 'release' GROUP BY tx),
    granted AS (SELECT DISTINCT ON (execution_id) execution_id, tx FROM test_resource_events WHERE kind = 'grant' ORDER BY execution_id, id),
    starts AS (${starts})
    SELECT extract(epoch FROM s.at - f.at) * 1000 AS ms
    FROM granted g JOIN freed f ON f.tx = g.tx JOIN starts s ON s.execution_id = g.execution_id
    ORDER BY 1`;
  return rows.map((r) => Number(r.ms));
}

export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
