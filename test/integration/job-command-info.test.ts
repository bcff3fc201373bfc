/**
 * Job.command: a command job's command line, directory and environment NAMES, for system
 * administrators only; never an environment value, wherever it could show. Also mailTransport.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

const SECRET = 'sup3r-secret-value-9f2c';
const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-cmdinfo-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.info', description: 'Per-domain command', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo "$API_KEY"', 'arg two'],
    cwd: 'work', env: { API_KEY: SECRET, LANG: 'C' } },
] }));

const JOB = `query($d: String!) { job(jobId: "cmd.info", domain: $d) { jobId domain command { argv workingDirectory environmentNames killGraceSeconds } } }`;
const DA = { email: 'da@a.example', password: 'domain-admin-password-1' };

let app: TestApp;
let admin: Gql;
let da: Gql;
before(async () => {
  app = await startTestApp({ JOBS_FILE: jobsFile, KILL_GRACE_SECONDS: '7' });
  admin = await new Gql(app.url).login();
  await admin.ok(`mutation { createDomain(name: "a.example") { name } }`);
  await admin.ok(`mutation($e: String!, $p: String!) { createUser(email: $e, password: $p, role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }`, { e: DA.email, p: DA.password });
  da = await new Gql(app.url).login(DA.email, DA.password);
});
after(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a system administrator reads argv, the resolved working directory, env names and the kill grace', async () => {
  const r = await admin.ok(JOB, { d: 'a.example' });
  assert.deepEqual(r.job.command, {
    argv: ['sh', '-c', 'echo "$API_KEY"', 'arg two'],
    workingDirectory: path.join(dir, 'work'), // relative to the JOBS_FILE
    environmentNames: ['API_KEY', 'LANG'],
    killGraceSeconds: 7,
  });
  assert.ok(!JSON.stringify(r).includes(SECRET));
});

test('a domain administrator sees the row but gets command: null', async () => {
  const r = await da.ok(JOB, { d: 'a.example' });
  assert.equal(r.job.domain, 'a.example');
  assert.equal(r.job.command, null);
});

test('a TypeScript job has command: null', async () => {
  const r = await admin.ok(`{ job(jobId: "system.retention", domain: "global") { command { argv } } }`);
  assert.equal(r.job.command, null);
});

test('no answer about the job carries an environment value (schema walk of Job and its list)', async () => {
  const everything = `query($d: String!) {
    job(jobId: "cmd.info", domain: $d) { id jobId description kind domain locks timeoutSeconds plan { kind summary } automaticRule { summary }
      report { send recipients } nextRunAt running hasUnreadLogs command { argv workingDirectory environmentNames killGraceSeconds } }
    jobs(filter: { text: "cmd.info" }) { nodes { jobId description command { argv environmentNames } } }
  }`;
  for (const g of [admin, da]) {
    const r = await g.query(everything, { d: 'a.example' });
    assert.deepEqual(r.errors ?? [], []);
    assert.ok(!JSON.stringify(r).includes(SECRET), JSON.stringify(r));
  }
});

test('mailTransport: not configured without SMTP_URL; FORBIDDEN for a domain administrator', async () => {
  assert.deepEqual((await admin.ok(`{ mailTransport { configured } }`)).mailTransport, { configured: false });
  const r = await da.query(`{ mailTransport { configured } }`);
  assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN');
});
