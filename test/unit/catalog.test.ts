import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CatalogError, JOBS_FILE_MAX_ENTRIES, loadCatalog } from '../../jobs/catalog';
import { defineJob, type JobDefinition } from '../../jobs/types';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-catalog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function jobsFile(content: unknown): string {
  const file = path.join(dir, `jobs-${n++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const builtin = defineJob({ id: 'system.retention', description: 'b', kind: 'GLOBAL', run: async () => {} });
const load = (file: string | undefined, builtins: JobDefinition[] = [builtin]) =>
  loadCatalog({ jobsFile: file, builtins, killGraceMs: 1000, maxLineChars: 1000 });

const valid = {
  id: 'ops.disk-usage',
  description: 'Reports disk usage of the data volumes',
  kind: 'GLOBAL',
  command: ['df', '-h', '/srv'],
  cwd: '/srv',
  env: { LANG: 'C' },
  automatic: { kind: 'EVERY_HOURS', every: 4, timeZone: 'UTC' },
  timeoutSeconds: 600,
  locks: ['disk'],
};

/** Loading `entries` fails with a CatalogError whose message matches every pattern. */
async function refuses(entries: unknown, ...patterns: RegExp[]) {
  const file = jobsFile(Array.isArray(entries) ? { jobs: entries } : entries);
  const err = await load(file).then(
    () => assert.fail('the catalog was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CatalogError, String(err));
  assert.ok(err.message.startsWith(`JOBS_FILE ${file}: `), err.message);
  for (const p of patterns) assert.match(err.message, p);
  return err.message;
}

describe('loadCatalog', () => {
  test('a catalog of 5,000 jobs loads; one past the cap is refused with its count', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `cat.job${i}`, description: `Job ${i}`, kind: 'GLOBAL', command: ['true'] }));
    const catalog = await load(jobsFile({ jobs: many(5000) }));
    assert.equal(catalog.jobs.size, 5001);
    await refuses(many(JOBS_FILE_MAX_ENTRIES + 1), new RegExp(`jobs: ${JOBS_FILE_MAX_ENTRIES + 1} entries; at most ${JOBS_FILE_MAX_ENTRIES}`));
  });

  test('the example of API.md loads, after the built-ins, with defaults filled in', async () => {
    const file = jobsFile({
      jobs: [valid, { id: 'acme.report', description: 'd', kind: 'PER_DOMAIN', command: ['./report.sh'], cwd: 'scripts' }],
    });
    const catalog = await load(file);
    assert.deepEqual(
      catalog.list().map((j) => j.id),
      ['system.retention', 'ops.disk-usage', 'acme.report'],
    );
    const disk = catalog.get('ops.disk-usage');
    assert.ok(disk);
    assert.equal(disk.kind, 'GLOBAL');
    assert.equal(disk.timeoutSeconds, 600);
    assert.deepEqual(disk.locks, ['disk']);
    assert.deepEqual(disk.automatic, { kind: 'EVERY_HOURS', every: 4, timeZone: 'UTC' });
    assert.equal(typeof disk.run, 'function');
    const report = catalog.get('acme.report');
    assert.equal(report?.timeoutSeconds, 3600);
    assert.equal(report?.automatic, undefined);
    assert.equal(catalog.get('nope'), undefined);
    assert.equal(catalog.jobs.size, 3);
  });

  test('no JOBS_FILE: the built-ins only', async () => {
    const catalog = await load(undefined);
    assert.deepEqual([...catalog.jobs.keys()], ['system.retention']);
  });

  test('a relative cwd is taken next to the JOBS_FILE', async () => {
    const file = jobsFile({ jobs: [{ ...valid, cwd: '.', command: ['pwd'] }] });
    const job = (await load(file)).get('ops.disk-usage')!;
    const lines: string[] = [];
    await job.run({
      domain: 'global',
      executionId: 1,
      log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
      progress: () => {},
      signal: new AbortController().signal,
      params: {},
      services: {} as never,
    });
    assert.deepEqual(lines, [dir]);
  });

  test('an unreadable file', async () => {
    const file = path.join(dir, 'missing.json');
    await assert.rejects(load(file), (e: Error) => {
      assert.ok(e instanceof CatalogError);
      assert.match(e.message, new RegExp(`^JOBS_FILE ${file}: cannot be read: .*ENOENT`));
      return true;
    });
  });

  test('bad JSON', async () => {
    await refuses('{"jobs": [', /: is not valid JSON: /);
  });

  test('a file without a jobs array, or with a key of its own', async () => {
    await refuses({ job: [] }, /: jobs: is required/, /job: unknown key/);
    await refuses({ jobs: {} }, /: jobs: must be an array/);
    await refuses('[]', /: must be an object \{"jobs": \[\.\.\.\]\}$/);
  });

  test('an unknown key in an entry is refused', async () => {
    const msg = await refuses([valid, { ...valid, id: 'ops.x', shell: true }], /: jobs\[1\] \(id "ops\.x"\): shell: unknown key$/);
    assert.equal(msg.split('\n').length, 1);
  });

  test('an unknown key inside automatic is refused', async () => {
    await refuses([{ ...valid, automatic: { kind: 'DAILY', days: ['MON'], times: ['03:00'], at: 'x' } }], /jobs\[0\] \(id "ops\.disk-usage"\): automatic\.at: unknown key/);
  });

  test('a missing or empty command', async () => {
    const { command: _omit, ...noCommand } = valid;
    await refuses([valid, valid, { ...noCommand, id: 'ops.x' }], /jobs\[2\] \(id "ops\.x"\): command: is required/);
    await refuses([{ ...valid, command: [] }], /jobs\[0\] \(id "ops\.disk-usage"\): command: must be a non-empty array of strings$/);
    await refuses([{ ...valid, command: 'df -h' }], /command: must be a non-empty array of strings$/);
    await refuses([{ ...valid, command: ['df', 3] }], /command\[1\]: must be a string$/);
  });

  test('a wrong kind', async () => {
    await refuses([{ ...valid, kind: 'global' }], /jobs\[0\] \(id "ops\.disk-usage"\): kind: must be "GLOBAL" or "PER_DOMAIN"$/);
  });

  test('a bad id, an entry that is not an object, out-of-range timeout, malformed automatic', async () => {
    await refuses([{ ...valid, id: '-bad id' }], /jobs\[0\] \(id "-bad id"\): id: must match/);
    await refuses([42], /jobs\[0\]: must be an object$/);
    await refuses([{ ...valid, timeoutSeconds: 0 }], /timeoutSeconds: must be at least 1$/);
    await refuses([{ ...valid, timeoutSeconds: 604_801 }], /timeoutSeconds: must be at most 604800/);
    await refuses([{ ...valid, automatic: { kind: 'HOURLY' } }], /automatic\.kind: must be one of EVERY_MINUTES/);
    await refuses([{ ...valid, automatic: { kind: 'DAILY', days: 'MON' } }], /automatic\.days: must be an array of weekdays/);
    await refuses([{ ...valid, env: { LANG: 1 } }], /env\.LANG: must be a string/);
    await refuses([{ ...valid, locks: [''] }], /locks\[0\]: must not be empty/);
  });

  test('automatic is validated like a rule of the API (jobs/plan.ts), and normalised', async () => {
    await refuses([{ ...valid, automatic: { kind: 'EVERY_HOURS', every: 5 } }], /jobs\[0\] \(id "ops\.disk-usage"\): automatic\.every: /);
    await refuses([{ ...valid, automatic: { kind: 'DAILY', days: ['MON'], times: ['25:00'] } }], /automatic\.times\[0\]: /);
    await refuses([{ ...valid, automatic: { kind: 'CRON', cron: 'not a cron' } }], /automatic\.cron: /);
    await refuses([{ ...valid, automatic: { kind: 'EVERY_HOURS', every: 1, timeZone: 'Mars/Base' } }], /automatic\.timeZone: /);
    const file = jobsFile({ jobs: [{ ...valid, automatic: { kind: 'DAILY', days: ['SUN', 'MON'], times: ['04:00'], every: 3 } }] });
    const def = (await load(file)).get('ops.disk-usage');
    // No zone in the file: the server's DEFAULT_TIME_ZONE applies later, so none is filled in here.
    assert.deepEqual(def?.automatic, { kind: 'DAILY', days: ['MON', 'SUN'], times: ['04:00'] });
  });

  test('every bad entry is reported, one line each', async () => {
    const msg = await refuses([{ ...valid, kind: 'X' }, valid, { ...valid, id: 'ops.y', command: [] }]);
    assert.deepEqual(
      msg.split('\n').map((l) => l.replace(/^JOBS_FILE [^:]+: /, '')),
      [
        'jobs[0] (id "ops.disk-usage"): kind: must be "GLOBAL" or "PER_DOMAIN"',
        'jobs[2] (id "ops.y"): command: must be a non-empty array of strings',
      ],
    );
  });

  test('two entries with one id are refused, naming both', async () => {
    await refuses(
      [valid, { ...valid, id: 'ops.other' }, { ...valid, id: 'OPS.disk-usage' }],
      /jobs\[2\] \(id "OPS\.disk-usage"\): id: already used by jobs\[0\] \(id "ops\.disk-usage"\)$/,
    );
  });

  test('an entry with the id of a built-in job is refused, naming it', async () => {
    await refuses([{ ...valid, id: 'system.retention' }], /jobs\[0\] \(id "system\.retention"\): id: already used by built-in job "system\.retention"$/);
  });

  test('two built-ins with one id are refused', async () => {
    await assert.rejects(load(undefined, [builtin, builtin]), (e: Error) => {
      assert.ok(e instanceof CatalogError);
      assert.match(e.message, /built-in job "system\.retention" is declared twice/);
      return true;
    });
  });
});
