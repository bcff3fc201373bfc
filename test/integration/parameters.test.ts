/**
 * Run parameters end to end, with a real PostgreSQL, the worker (Agenda, command processes) and a
 * real SMTP server (smtp-server) for the report: a command job gets JOBDECK_PARAM_*, a TypeScript
 * job typed ctx.params; row and job defaults fill what a request leaves out, bad values open
 * nothing, and a secret value never leaves the run: not in an API answer, a report, nor its log.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../db/embedded';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const SECRET = 's3cr3t-Token-9f2c';
const ROW_SECRET = 'row-secret-77aa';
const TS_SECRET = 'ts-secret-k1ng';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-params-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  {
    id: 'cmd.purge',
    description: 'Purges old rows',
    kind: 'GLOBAL',
    // The command prints its secret on purpose, on both streams: the log must still not hold it.
    command: ['sh', '-c', 'echo "batch=$JOBDECK_PARAM_BATCH dry=$JOBDECK_PARAM_DRY_RUN mode=$JOBDECK_PARAM_MODE note=${JOBDECK_PARAM_NOTE-unset} token=$JOBDECK_PARAM_TOKEN"; echo "stderr $JOBDECK_PARAM_TOKEN" >&2; env | grep "^JOBDECK_PARAM_" | sort'],
    parameters: [
      { name: 'batch', type: 'INT', default: '10', description: 'Rows per batch' },
      { name: 'dry_run', type: 'BOOLEAN', default: 'true' },
      { name: 'mode', type: 'CHOICE', choices: ['fast', 'safe'], default: 'safe' },
      { name: 'note', type: 'STRING' },
      { name: 'token', type: 'STRING', secret: true },
    ],
  },
] }));

let seen: Record<string, unknown> | undefined;
const typed = defineJob({
  id: 'test.typed',
  description: 'Reports its typed parameters',
  kind: 'GLOBAL',
  parameters: [
    { name: 'count', type: 'INT', default: '1' },
    { name: 'flag', type: 'BOOLEAN' },
    { name: 'level', type: 'CHOICE', choices: ['low', 'high'], default: 'low' },
    { name: 'who', type: 'STRING', required: true },
    { name: 'extra', type: 'STRING' },
    { name: 'key', type: 'STRING', secret: true },
  ],
  async run(ctx) {
    seen = { ...ctx.params };
    ctx.log.info(`params ${JSON.stringify(ctx.params)}`);
    if (typeof ctx.params.key === 'string') ctx.log.warn(`the key is ${ctx.params.key}!`);
  },
});

const throws = defineJob({
  id: 'test.throws',
  description: 'Fails, naming its secret',
  kind: 'GLOBAL',
  parameters: [{ name: 'password', type: 'STRING', secret: true, required: true }],
  async run(ctx) {
    throw new Error(`login refused for password ${ctx.params.password}`);
  },
});

const mail: ParsedMail[] = [];
let mailWaiter: (() => void) | undefined;
let smtp: SMTPServer;
let app: TestApp;
let g: Gql;
/** Every raw API answer of this file: a secret must be in none of them. */
const answers: string[] = [];

before(async () => {
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => {
        mail.push(m);
        mailWaiter?.();
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(port, '127.0.0.1', () => r()));
  app = await startTestApp({ JOBS_FILE: jobsFile, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'jobdeck@example.com' }, { extraJobs: [typed, throws] });
  g = await new Gql(app.url).login();
  const raw = g.raw.bind(g);
  g.raw = async (...args: Parameters<Gql['raw']>) => {
    const r = await raw(...args);
    answers.push(JSON.stringify(r.body));
    return r;
  };
});
after(async () => {
  await app?.stop();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

const EXEC = `mutation($jobs: [JobRef!]!, $p: [ParameterInput!]) { executeNow(jobs: $jobs, parameters: $p) { job { jobId } reason execution { id parameters { name value } } } }`;
const GET = `query($id: ID!) { execution(id: $id) { id status parameters { name value } logs(first: 100) { entries { level message } } } }`;
const JOB = `query($j: String!) { job(jobId: $j, domain: "global") { id parameters { name description type required default choices secret } parameterDefaults { name value }
  executions(first: 50) { totalCount nodes { id trigger parameters { name value } } } } }`;
const UPDATE = `mutation($j: String!, $i: JobUpdate!) { updateJob(jobId: $j, domain: "global", input: $i) { id parameterDefaults { name value } } }`;
const ref = (jobId: string) => ({ jobId, domain: 'global' });
const p = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));
const valueOf = (list: { name: string; value: string | null }[], name: string) => list.find((x) => x.name === name)?.value;

async function finished(id: string) {
  return waitFor(`execution ${id} to end`, async () => {
    const { execution } = await g.ok(GET, { id });
    return execution.status !== 'IN_PROGRESS' ? execution : undefined;
  });
}
const lines = (e: { logs: { entries: { message: string }[] } }) => e.logs.entries.map((l) => l.message);
// Scheduled runs (the built-in jobs run on the hour) are not this test's executions.
const executionCount = async () => (await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE trigger <> 'SCHEDULE'`)[0]!.n;

async function badInput(query: string, variables: Record<string, unknown>, field: string, message?: RegExp) {
  const r = await g.query(query, variables);
  const err = r.errors?.[0];
  assert.equal(err?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
  assert.equal(err?.extensions?.field, field, err?.message);
  if (message) assert.match(err!.message, message);
}

test('the job declares its parameters; a secret default is never served', async () => {
  const { job } = await g.ok(JOB, { j: 'cmd.purge' });
  assert.deepEqual(job.parameters.map((x: any) => [x.name, x.type, x.required, x.default, x.secret]), [
    ['batch', 'INT', false, '10', false],
    ['dry_run', 'BOOLEAN', false, 'true', false],
    ['mode', 'CHOICE', false, 'safe', false],
    ['note', 'STRING', false, null, false],
    ['token', 'STRING', false, null, true],
  ]);
  assert.deepEqual(job.parameters[2].choices, ['fast', 'safe']);
  assert.equal(job.parameters[0].description, 'Rows per batch');
  assert.deepEqual(job.parameterDefaults, []);
});

test('a command job gets JOBDECK_PARAM_<NAME>; its secret is masked in the log, even echoed', async () => {
  const r = (await g.ok(EXEC, { jobs: [ref('cmd.purge')], p: p({ batch: '25', dry_run: 'false', token: SECRET }) })).executeNow[0];
  assert.equal(r.reason, null);
  assert.equal(valueOf(r.execution.parameters, 'token'), null, 'a secret is masked in the executeNow answer');
  const e = await finished(r.execution.id);
  assert.equal(e.status, 'WARNING', JSON.stringify(lines(e))); // stderr is a warning
  const out = lines(e);
  assert.ok(out.includes('batch=25 dry=false mode=safe note=unset token=•••'), JSON.stringify(out));
  assert.ok(out.includes('stderr •••'), JSON.stringify(out));
  assert.deepEqual(out.filter((l) => l.startsWith('JOBDECK_PARAM_')), ['JOBDECK_PARAM_BATCH=25', 'JOBDECK_PARAM_DRY_RUN=false', 'JOBDECK_PARAM_MODE=safe', 'JOBDECK_PARAM_TOKEN=•••']);
  assert.deepEqual(e.parameters, [
    { name: 'batch', value: '25' },
    { name: 'dry_run', value: 'false' },
    { name: 'mode', value: 'safe' },
    { name: 'token', value: null },
  ]);
  // Stored for the run (it needed it), never in its stored log.
  const [stored] = await app.deps.sql<{ parameters: { name: string; value: string }[] }[]>`SELECT parameters FROM executions WHERE id = ${Number(e.id)}`;
  assert.equal(valueOf(stored!.parameters, 'token'), SECRET);
  const [leaks] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_entries WHERE position(${SECRET} IN message) > 0`;
  assert.equal(leaks!.n, 0);
});

test('a TypeScript job gets typed ctx.params; unset ones are absent', async () => {
  seen = undefined;
  const r = (await g.ok(EXEC, { jobs: [ref('test.typed')], p: p({ count: '3', flag: 'true', who: 'ops', key: TS_SECRET }) })).executeNow[0];
  const e = await finished(r.execution.id);
  assert.deepEqual(seen, { count: 3, flag: true, level: 'low', who: 'ops', key: TS_SECRET });
  assert.ok(!('extra' in seen!), 'an unset parameter is absent');
  assert.ok(lines(e).includes('the key is •••!'), JSON.stringify(lines(e)));
  assert.ok(!JSON.stringify(lines(e)).includes(TS_SECRET));
});

test('a job that fails naming its secret: masked in its log and in the stored error', async () => {
  const r = (await g.ok(EXEC, { jobs: [ref('test.throws')], p: p({ password: TS_SECRET }) })).executeNow[0];
  const e = await finished(r.execution.id);
  assert.equal(e.status, 'FAILURE');
  assert.ok(lines(e).includes('Failed: login refused for password •••'), JSON.stringify(lines(e)));
  const [stored] = await app.deps.sql<{ error: string }[]>`SELECT error FROM executions WHERE id = ${Number(e.id)}`;
  assert.equal(stored!.error, 'login refused for password •••');
});

test('row defaults, then job defaults, fill what executeNow leaves out; a secret row default is kept unless named', async () => {
  const u = (await g.ok(UPDATE, { j: 'cmd.purge', i: { parameters: p({ batch: '7', token: ROW_SECRET }) } })).updateJob;
  assert.deepEqual(u.parameterDefaults, [{ name: 'batch', value: '7' }, { name: 'token', value: null }]);
  const r = (await g.ok(EXEC, { jobs: [ref('cmd.purge')], p: p({ note: 'from the api' }) })).executeNow[0];
  const e = await finished(r.execution.id);
  assert.ok(lines(e).includes('batch=7 dry=true mode=safe note=from the api token=•••'), JSON.stringify(lines(e)));
  assert.equal(valueOf(e.parameters, 'batch'), '7');
  assert.equal(valueOf(e.parameters, 'note'), 'from the api');

  // The console cannot send a secret back: leaving it out keeps it; "" clears a default; [] clears all.
  const kept = (await g.ok(UPDATE, { j: 'cmd.purge', i: { parameters: p({ batch: '8', mode: 'fast' }) } })).updateJob;
  assert.deepEqual(kept.parameterDefaults, [{ name: 'batch', value: '8' }, { name: 'mode', value: 'fast' }, { name: 'token', value: null }]);
  const [row] = await app.deps.sql<{ d: { name: string; value: string }[] }[]>`SELECT parameter_defaults AS d FROM job_rows WHERE id = ${kept.id}`;
  assert.equal(valueOf(row!.d, 'token'), ROW_SECRET);
  const cleared = (await g.ok(UPDATE, { j: 'cmd.purge', i: { parameters: p({ batch: '8', token: '' }) } })).updateJob;
  assert.deepEqual(cleared.parameterDefaults, [{ name: 'batch', value: '8' }]);
  const none = (await g.ok(UPDATE, { j: 'cmd.purge', i: { parameters: [] } })).updateJob;
  assert.deepEqual(none.parameterDefaults, []);
});

test('a scheduled run takes the row defaults, then the job defaults', async () => {
  await g.ok(UPDATE, { j: 'test.typed', i: { parameters: p({ who: 'scheduler-row', count: '42' }), plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 6, timeZone: 'UTC' } } } });
  const { job } = await g.ok(JOB, { j: 'test.typed' });
  seen = undefined;
  const [{ at }] = await app.deps.sql<[{ at: Date }]>`UPDATE job_rows SET next_run_at = date_trunc('milliseconds', now()) + interval '300 milliseconds' WHERE id = ${job.id} RETURNING next_run_at AS at`;
  await app.deps.engine.scheduleRow(job.id, at);
  const exec = await waitFor('the scheduled run', async () => (await g.ok(JOB, { j: 'test.typed' })).job.executions.nodes.find((x: any) => x.trigger === 'SCHEDULE'));
  await finished(exec.id);
  assert.deepEqual(exec.parameters, [{ name: 'count', value: '42' }, { name: 'level', value: 'low' }, { name: 'who', value: 'scheduler-row' }]);
  assert.deepEqual(seen, { count: 42, level: 'low', who: 'scheduler-row' });
  await g.ok(UPDATE, { j: 'test.typed', i: { plan: { kind: 'DISABLED' }, parameters: [] } });
});

test('unknown, mistyped and missing required values: BAD_USER_INPUT naming parameters[i]; nothing opened or changed', async () => {
  const before = await executionCount();
  const purge = { jobs: [ref('cmd.purge')] };
  await badInput(EXEC, { ...purge, p: p({ batch: '5', colour: 'red' }) }, 'parameters[1]', /declares no parameter "colour"/);
  await badInput(EXEC, { ...purge, p: p({ Batch: '5' }) }, 'parameters[0]', /Did you mean batch/);
  await badInput(EXEC, { ...purge, p: p({ batch: 'many' }) }, 'parameters[0]', /whole number/);
  await badInput(EXEC, { ...purge, p: p({ batch: '1.5' }) }, 'parameters[0]', /whole number/);
  await badInput(EXEC, { ...purge, p: p({ note: 'x', dry_run: 'yes' }) }, 'parameters[1]', /"true" or "false"/);
  await badInput(EXEC, { ...purge, p: p({ mode: 'slow' }) }, 'parameters[0]', /one of "fast", "safe"/);
  await badInput(EXEC, { ...purge, p: [{ name: 'note', value: 'a' }, { name: 'note', value: 'b' }] }, 'parameters[1]', /given twice/);
  await badInput(EXEC, { jobs: [ref('test.typed')], p: p({ count: '2' }) }, 'parameters', /who of job test\.typed is required/);
  await badInput(EXEC, { jobs: [ref('test.typed')], p: p({ who: '' }) }, 'parameters[0]', /non-empty/);
  // A secret's value is never echoed in an error.
  await badInput(EXEC, { ...purge, p: p({ token: SECRET.repeat(300) }) }, 'parameters[0]', /secret value given is longer than 4000/);
  // Several jobs: a name only one declares is fine for the lot; a name none declares is not.
  await badInput(EXEC, { jobs: [ref('cmd.purge'), ref('test.typed')], p: p({ who: 'x', ghost: '1' }) }, 'parameters[1]', /None of the selected jobs declares/);
  await badInput(EXEC, { jobs: [ref('cmd.purge'), ref('test.typed')], p: p({ batch: '5' }) }, 'parameters', /who of job test\.typed is required/);
  assert.equal(await executionCount(), before, 'no execution was opened');

  const defaults = (await g.ok(JOB, { j: 'cmd.purge' })).job.parameterDefaults;
  await badInput(UPDATE, { j: 'cmd.purge', i: { parameters: p({ batch: '3', nope: '1' }) } }, 'input.parameters[1]', /no parameter "nope"/);
  await badInput(UPDATE, { j: 'cmd.purge', i: { parameters: p({ batch: 'three' }) } }, 'input.parameters[0]', /whole number/);
  // A bad parameter leaves the plan untouched too: all or nothing.
  await badInput(UPDATE, { j: 'cmd.purge', i: { plan: { kind: 'DISABLED' }, parameters: p({ mode: 'x' }) } }, 'input.parameters[0]');
  const after = (await g.ok(JOB, { j: 'cmd.purge' })).job;
  assert.deepEqual(after.parameterDefaults, defaults);

  // Several jobs, a name one of them declares: each row gets what its job declares.
  const ok = (await g.ok(EXEC, { jobs: [ref('cmd.purge'), ref('test.typed')], p: p({ who: 'both', batch: '11' }) })).executeNow;
  const [a, b] = await Promise.all(ok.map((r: any) => finished(r.execution.id)));
  assert.equal(valueOf(a.parameters, 'batch'), '11');
  assert.equal(valueOf(a.parameters, 'who'), undefined);
  assert.equal(valueOf(b.parameters, 'who'), 'both');
  assert.equal(valueOf(b.parameters, 'batch'), undefined);
});

test('the report email lists the parameters, the secret as •••', async () => {
  await g.ok(`mutation { updateJob(jobId: "cmd.purge", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"] } }) { id } }`);
  const got = new Promise<void>((r) => (mailWaiter = r));
  const r = (await g.ok(EXEC, { jobs: [ref('cmd.purge')], p: p({ batch: '99', token: SECRET }) })).executeNow[0];
  await finished(r.execution.id);
  await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error('no report arrived')), 20_000).unref())]);
  const m = mail.at(-1)!;
  assert.match(m.text ?? '', /Parameters:\s+batch=99, dry_run=true, mode=safe, token=•••/);
  assert.match(String(m.html), /batch=99, dry_run=true, mode=safe, token=•••/);
  for (const part of [m.text, String(m.html), m.subject]) assert.ok(!String(part).includes(SECRET), 'the secret is not in the report');
});

test('a secret appears in no API answer: executions, jobs, audit log, outbox, log search', async () => {
  await g.ok(`query { jobs(first: 50) { nodes { jobId parameterDefaults { name value } lastExecution { id parameters { name value } } } } }`);
  await g.ok(`query { auditLog(first: 100) { nodes { action target details } } }`);
  await g.ok(`query { outbox(first: 50) { nodes { subject text html execution { parameters { name value } } } } }`);
  await g.ok(`query { searchLogs(search: { text: "token" }) { nodes { entry { message } } } }`);
  for (const j of ['cmd.purge', 'test.typed']) await g.ok(JOB, { j });
  const audit = (await g.ok(`query { auditLog(first: 100, filter: { action: "executeNow" }) { nodes { details } } }`)).auditLog.nodes;
  assert.ok(audit.some((a: any) => a.details?.includes('"batch"') && a.details.includes('"token"')), 'the audit entry names the parameters given');
  const all = answers.join('\n');
  assert.ok(answers.length > 20);
  for (const s of [SECRET, ROW_SECRET, TS_SECRET]) assert.ok(!all.includes(s), `${s} leaked into an API answer`);
  // Nor anywhere in the audit trail or the outbox, as stored.
  for (const s of [SECRET, ROW_SECRET, TS_SECRET]) {
    const [n] = await app.deps.sql<{ n: number }[]>`
      SELECT (SELECT count(*) FROM audit_log WHERE position(${s} IN details::text) > 0)
           + (SELECT count(*) FROM outbox WHERE position(${s} IN text) > 0 OR position(${s} IN html) > 0)
           + (SELECT count(*) FROM log_entries WHERE position(${s} IN message) > 0) AS n`;
    assert.equal(Number(n!.n), 0, `${s} is stored outside the run's own values`);
  }
});
