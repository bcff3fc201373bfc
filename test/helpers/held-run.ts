import type { Sql } from '../../db/client';

let n = 0;

/**
 * A run in progress held by `owner`, on a GLOBAL row of its own that is not in the catalog: no
 * worker of the app takes it, and a test writes its log as a worker would. Its execution id.
 */
export async function heldRun(sql: Sql, owner: string, opts: { reportSend?: boolean } = {}) {
  const jobId = `test.held${process.pid}-${++n}`;
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO job_rows (job_id, domain, kind, plan_kind, report_send, report_recipients)
    VALUES (${jobId}, 'global', 'GLOBAL', 'DISABLED', ${opts.reportSend ?? false}, ${opts.reportSend ? ['ops@example.com'] : []})
    RETURNING id`;
  const [e] = await sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, owner) VALUES (${row!.id}, ${jobId}, 'global', 'API', ${owner})
    RETURNING id::int AS id`;
  return e!.id;
}
