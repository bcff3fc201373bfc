/**
 * GraphQL answers are compressed as the client asks (brotli or gzip), small ones are not. The jobs
 * list of 1,000 rows with the console's own document goes in about a tenth of its JSON size and
 * under 25 KB (issue #19): the rows are keyed by jobId + domain, so no random UUID per row travels
 * (those were 16 KB of the 27.8 KB the list took before).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { print } from 'graphql';
import { JOBS } from '../../app/_lib/operations';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
let cookie: string;

before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-gzip-'));
  const jobsFile = path.join(dir, 'jobs.json');
  const jobs = Array.from({ length: 1000 }, (_, i) => ({ id: `fleet.job-${String(i).padStart(4, '0')}`, description: `Maintenance task number ${i}`, kind: 'GLOBAL', command: ['true'] }));
  writeFileSync(jobsFile, JSON.stringify({ jobs }));
  app = await startTestApp({ JOBS_FILE: jobsFile });
  cookie = (await new Gql(app.url).login()).cookie!;
  // Every row has run once (times, counts and status differ per row), as in a fleet that has been running.
  await app.deps.sql`
    WITH e AS (
      INSERT INTO executions (row_id, job_id, domain, trigger, status, started_at, ended_at, last_seq, warning_count, progress)
      SELECT id, job_id, domain, 'SCHEDULE', (ARRAY['SUCCESS','SUCCESS','WARNING','FAILURE'])[1 + (hashtext(job_id) & 3)]::execution_status,
             now() - (hashtext(job_id) & 65535) * interval '1 second', now() - (hashtext(job_id) & 65535) * interval '1 second' + (hashtext(domain || job_id) & 4095) * interval '1 ms',
             (hashtext(job_id) & 255), (hashtext(job_id) & 3), 100
      FROM job_rows WHERE job_id LIKE 'fleet.%'
      RETURNING id, row_id, status)
    UPDATE job_rows r SET last_execution_id = e.id, last_status = e.status FROM e WHERE r.id = e.row_id`;
});
after(() => app.stop());

/** A POST as bytes on the wire: no client decompression hides the size. */
function post(query: string, variables: Record<string, unknown>, acceptEncoding?: string) {
  const body = JSON.stringify({ query, variables });
  const url = new URL('/graphql', app.url);
  return new Promise<{ encoding?: string; wire: number; json: any }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          const text = encoding === 'br' ? zlib.brotliDecompressSync(raw) : encoding === 'gzip' ? zlib.gunzipSync(raw) : raw;
          resolve({ encoding, wire: raw.length, json: JSON.parse(text.toString('utf8')) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// Exactly what the console sends for its list (rows are keyed by jobId + domain: no row id).
const LIST = print(JOBS);

test('the 1,000-row list in two pages: brotli, about a tenth of the JSON on the wire; every row there', async () => {
  let after: string | null = null;
  let wire = 0;
  let plain = 0;
  const ids = new Set<string>();
  do {
    const r = await post(LIST, { after, first: 500 }, 'gzip, deflate, br');
    assert.equal(r.encoding, "br", JSON.stringify(r.json).slice(0, 300));
    wire += r.wire;
    plain += Buffer.byteLength(JSON.stringify(r.json));
    for (const n of r.json.data.jobs.nodes) ids.add(n.jobId);
    after = r.json.data.jobs.pageInfo.hasNextPage ? r.json.data.jobs.pageInfo.endCursor : null;
  } while (after);
  console.log(`1,000 rows: ${wire} bytes on the wire (brotli), ${plain} bytes as JSON`);
  assert.ok(ids.size >= 1000);
  assert.ok(wire < plain / 8, `${wire} bytes on the wire for ${plain} bytes of JSON`);
  assert.ok(wire < 25_000, `issue #19: the 1,000-row list in under 25 KB on the wire (${wire} bytes)`);
});

test('gzip when that is all the client takes; nothing when it takes nothing; small answers as they are', async () => {
  assert.equal((await post(LIST, { after: null, first: 500 }, 'gzip')).encoding, 'gzip');
  assert.equal((await post(LIST, { after: null, first: 500 })).encoding, undefined);
  const small = await post('{ ok }', {}, 'br, gzip');
  assert.equal(small.encoding, undefined, 'under the threshold');
  assert.deepEqual(small.json, { data: { ok: true } });
});
