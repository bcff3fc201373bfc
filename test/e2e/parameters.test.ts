/**
 * Run parameters in a real browser (Chromium) against the built console and a real server process
 * (its worker runs the command): "Execute now" opens the parameter form for one row and for several
 * rows of one job, the run gets the values, the log viewer's header shows them with the secret
 * masked, and the job window edits the row's defaults, which the next form starts from. No
 * GraphQL answer the browser receives ever holds the secret. Waits are on selectors, never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, openPage, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/worker';

const SECRET = 'pa55-Browser-secret-61';
const ROW_SECRET = 'row-Default-secret-93';

let server: ServerProcess;
let browser: Browser;
let page: Page;
let gql: Gql;
let tmp: string;
const pageErrors: string[] = [];
/** Every GraphQL answer the browser received: none may carry a secret. */
const answers: string[] = [];

const PARAMS = [
  { name: 'batch', type: 'INT', default: '10', required: true, description: 'Rows per batch' },
  { name: 'mode', type: 'CHOICE', choices: ['fast', 'safe'], default: 'safe' },
  { name: 'dry_run', type: 'BOOLEAN', default: 'true' },
  { name: 'note', type: 'STRING' },
  { name: 'token', type: 'STRING', secret: true, required: true },
];

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-params-e2e-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  const echo = 'echo "batch=$JOBDECK_PARAM_BATCH mode=$JOBDECK_PARAM_MODE dry=$JOBDECK_PARAM_DRY_RUN note=${JOBDECK_PARAM_NOTE-unset} token=$JOBDECK_PARAM_TOKEN"';
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.params', description: 'Takes parameters', kind: 'GLOBAL', command: ['sh', '-c', echo], parameters: PARAMS },
    { id: 'demo.fleet', description: 'Per-domain, with a parameter', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo "level=$JOBDECK_PARAM_LEVEL"'],
      parameters: [{ name: 'level', type: 'CHOICE', choices: ['low', 'high'], default: 'low' }] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok(`mutation { createDomains(names: ["a.example", "b.example"]) { name } }`);

  browser = await launchBrowser();
  page = await openPage(browser, pageErrors);
  page.on('response', (r) => {
    if (r.url().endsWith('/graphql')) void r.text().then((t) => answers.push(t), () => undefined);
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => answers.push(String(f.payload))));
  await signInThrough(page, server.url, '/jobs?q=demo.params', ADMIN.email, ADMIN.password);
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

const lastExecution = async (jobId: string, domain = 'global') =>
  (await gql.ok(`query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { lastExecution { id status parameters { name value }
    logs(first: 20) { entries { message } } } } }`, { j: jobId, d: domain })).job.lastExecution;

async function ended(jobId: string, domain = 'global', after?: string) {
  return waitFor(`a finished run of ${jobId}@${domain}`, async () => {
    const e = await lastExecution(jobId, domain);
    return e && e.id !== after && e.status !== 'IN_PROGRESS' ? e : undefined;
  });
}

test('Execute now on one row opens the form; the run gets the values, the log header shows them, the secret masked', async () => {
  await page.locator(tid('job-row-demo.params@global')).locator(tid('row-checkbox')).check();
  await page.locator(tid('execute-now')).click();
  const form = page.locator(tid('run-parameters'));
  await form.waitFor();
  // Prefilled from the job's defaults; required fields marked; the secret is a password field.
  assert.equal(await form.locator(`${tid('run-param-batch')}`).inputValue(), '10');
  assert.equal(await form.locator(tid('run-param-mode')).inputValue(), 'safe');
  assert.equal(await form.locator('#run-param-dry_run').isChecked(), true);
  assert.equal(await form.locator('#run-param-token').getAttribute('type'), 'password');
  assert.equal(await form.locator('#run-param-batch').getAttribute('required'), '');
  await page.screenshot({ path: screenshotPath('parameters-form'), animations: 'disabled' });

  // Without the required secret the server refuses, and the form says why.
  await form.locator(tid('run-parameters-submit')).click();
  await form.locator(tid('run-parameters-error')).filter({ hasText: /token of job demo\.params is required/ }).waitFor();

  await form.locator('#run-param-batch').fill('25');
  await form.locator(tid('run-param-mode')).selectOption('fast');
  await form.locator('#run-param-dry_run').setChecked(false, { force: true });
  await form.locator('#run-param-token').fill(SECRET);
  await form.locator(tid('run-parameters-submit')).click();
  await form.waitFor({ state: 'detached' });
  await page.locator(tid('action-notice')).filter({ hasText: /1 of 1/ }).waitFor();

  const e = await ended('demo.params');
  assert.deepEqual(e.logs.entries.map((l: any) => l.message), ['batch=25 mode=fast dry=false note=unset token=•••']);
  await page.goto(`${server.url}/jobs?q=demo.params&log=${e.id}`);
  const header = page.locator(tid('log-parameters'));
  await header.waitFor();
  assert.equal(await header.locator(tid('log-parameters-batch')).innerText(), 'batch = 25');
  assert.equal(await header.locator(tid('log-parameters-token')).innerText(), 'token = •••');
  assert.equal(await header.locator(tid('log-parameters-token')).getAttribute('aria-label'), 'token: secret value, hidden');
  await page.locator(tid('log-viewer')).getByText('token=•••').waitFor();
  await page.screenshot({ path: screenshotPath('parameters-log-header'), animations: 'disabled' });
});

test('several rows of one job: one form, each row gets the value', async () => {
  await page.goto(`${server.url}/jobs?q=demo.fleet`);
  for (const d of ['a.example', 'b.example']) await page.locator(tid(`job-row-demo.fleet@${d}`)).locator(tid('row-checkbox')).check();
  await page.locator(tid('execute-now')).click();
  const form = page.locator(tid('run-parameters'));
  await page.getByRole('dialog').getByText('Execute 2 rows of demo.fleet').waitFor();
  await form.waitFor();
  await form.locator(tid('run-param-level')).selectOption('high');
  await form.locator(tid('run-parameters-submit')).click();
  await form.waitFor({ state: 'detached' });
  for (const d of ['a.example', 'b.example']) {
    const e = await ended('demo.fleet', d);
    assert.deepEqual(e.logs.entries.map((l: any) => l.message), ['level=high']);
  }
});

test('the job window edits the row defaults; the next form starts from them and the run takes them', async () => {
  const before = await lastExecution('demo.params');
  await page.goto(`${server.url}/jobs?q=demo.params&job=demo.params@global`);
  const box = page.locator(tid('parameter-defaults'));
  await box.waitFor();
  assert.equal(await box.locator('#param-default-batch').getAttribute('placeholder'), 'Job default: 10');
  await box.locator('#param-default-batch').fill('7');
  await box.locator('#param-default-note').fill('from the row');
  await box.locator('#param-default-token').fill(ROW_SECRET);
  await box.locator(tid('parameter-defaults-save')).click();
  await box.locator(tid('parameter-defaults-saved')).waitFor();
  const saved = (await gql.ok(`query { job(jobId: "demo.params", domain: "global") { parameterDefaults { name value } } }`)).job.parameterDefaults;
  assert.deepEqual(saved, [{ name: 'batch', value: '7' }, { name: 'note', value: 'from the row' }, { name: 'token', value: null }]);
  assert.equal(await box.locator('#param-default-token').getAttribute('placeholder'), 'Set (hidden): type to replace it');
  await page.screenshot({ path: screenshotPath('parameters-defaults'), animations: 'disabled' });

  await page.locator(tid('window-run')).click();
  const form = page.locator(tid('run-parameters'));
  await form.waitFor();
  assert.equal(await form.locator('#run-param-batch').inputValue(), '7');
  assert.equal(await form.locator('#run-param-note').inputValue(), 'from the row');
  assert.equal(await form.locator('#run-param-token').inputValue(), '');
  assert.equal(await form.locator('#run-param-token').getAttribute('placeholder'), 'Set for this row: type to change it');
  await form.locator(tid('run-parameters-submit')).click();
  await form.waitFor({ state: 'detached' });
  const e = await ended('demo.params', 'global', before.id);
  assert.deepEqual(e.logs.entries.map((l: any) => l.message), ['batch=7 mode=safe dry=true note=from the row token=•••']);
  assert.deepEqual(e.parameters.find((p: any) => p.name === 'token'), { name: 'token', value: null });
});

test('the form on a phone, in dark mode', async () => {
  const c = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', timezoneId: 'UTC', locale: 'en-GB', storageState: await page.context().storageState() });
  const phone = await c.newPage();
  phone.on('pageerror', (e) => pageErrors.push(String(e)));
  await phone.goto(`${server.url}/jobs?q=demo.params&job=demo.params@global`);
  await phone.locator(tid('window-run')).click();
  await phone.locator(tid('run-parameters')).waitFor();
  await phone.screenshot({ path: screenshotPath('parameters-form-phone-dark'), animations: 'disabled' });
  await phone.context().close();
});

test('no GraphQL answer the browser received holds a secret', () => {
  const all = answers.join('\n');
  assert.ok(answers.length > 10, `${answers.length} answers seen`);
  for (const s of [SECRET, ROW_SECRET]) assert.ok(!all.includes(s), `${s} reached the browser`);
});
