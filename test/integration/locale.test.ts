/**
 * The server's side of the console's languages (issue #18): the API writes schedule summaries in
 * the reader's language (the console's JOBDECK_LOCALE cookie, else Accept-Language, else English),
 * over HTTP and WebSocket; report emails are written in REPORT_LOCALE.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromAcceptLanguage, negotiateLocale } from '../../lib/i18n/locale';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;

const PREVIEW = `{ previewRule(rule: { kind: DAILY, days: [MON, TUE, WED, THU, FRI], times: ["01:00"], timeZone: "Europe/Paris" }) { summary } }`;
const summary = async (headers: Record<string, string>) => {
  const r = await admin.raw(PREVIEW, undefined, headers);
  assert.equal(r.body.errors, undefined);
  return (r.body.data as { previewRule: { summary: string } }).previewRule.summary;
};

before(async () => {
  app = await startTestApp({ REPORT_LOCALE: 'fr' });
  admin = await new Gql(app.url).login();
});
after(() => app.stop());

test('Accept-Language is read by quality; our languages only; anything else is English', () => {
  assert.equal(fromAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8'), 'fr');
  assert.equal(fromAcceptLanguage('de-DE, en;q=0.5, fr;q=0.7'), 'fr');
  assert.equal(fromAcceptLanguage('en-GB,en;q=0.9'), 'en');
  assert.equal(fromAcceptLanguage('de, ja'), undefined);
  assert.equal(fromAcceptLanguage('fr;q=0'), undefined);
  assert.equal(negotiateLocale('en', 'fr'), 'en'); // the choice made in My account wins
  assert.equal(negotiateLocale('xx', 'fr'), 'fr'); // a cookie that is not one of ours is ignored
  assert.equal(negotiateLocale(undefined, undefined), 'en');
});

test('schedule summaries follow the cookie, else Accept-Language, else English; over HTTP and WebSocket', async () => {
  const session = admin.cookie!;
  assert.equal(await summary({}), 'Daily, Mon–Fri at 01:00 (Europe/Paris)');
  assert.equal(await summary({ 'accept-language': 'fr-FR,fr;q=0.9' }), 'Quotidien, lun.–ven. à 01:00 (Europe/Paris)');
  assert.equal(await summary({ cookie: `${session}; JOBDECK_LOCALE=fr` }), 'Quotidien, lun.–ven. à 01:00 (Europe/Paris)');
  assert.equal(await summary({ cookie: `${session}; JOBDECK_LOCALE=en`, 'accept-language': 'fr' }), 'Daily, Mon–Fri at 01:00 (Europe/Paris)');

  const list = (await admin.raw('{ jobs(first: 200) { nodes { jobId plan { kind summary } } } }', undefined, { 'accept-language': 'fr' })).body.data as {
    jobs: { nodes: { plan: { kind: string; summary: string } }[] };
  };
  const disabled = list.jobs.nodes.find((n) => n.plan.kind === 'DISABLED');
  if (disabled) assert.equal(disabled.plan.summary, 'Désactivée');
  assert.ok(list.jobs.nodes.some((n) => /^(Automatique|Planifiée|Désactivée)/.test(n.plan.summary)), JSON.stringify(list.jobs.nodes.slice(0, 3)));

  const french = new Gql(app.url);
  french.cookie = `${session}; JOBDECK_LOCALE=fr`;
  const ws = french.ws();
  try {
    const items = await subscribe<{ previewRule: { summary: string } }>(ws, PREVIEW, {}).done;
    assert.equal(items[0]?.previewRule.summary, 'Quotidien, lun.–ven. à 01:00 (Europe/Paris)');
  } finally {
    await ws.dispose();
  }
});

test('report emails are written in REPORT_LOCALE', async () => {
  await admin.ok('mutation { updateJob(jobId: "system.self-test", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"], when: ALWAYS } }) { id } }');
  const r = await admin.ok<{ executeNow: { execution: { id: string } }[] }>('mutation { executeNow(jobs: [{ jobId: "system.self-test", domain: "global" }]) { execution { id } } }');
  const id = r.executeNow[0]!.execution.id;
  await admin.ended(id);
  const outbox = (await admin.ok<{ outbox: { nodes: { executionId: string; subject: string; text: string; html: string }[] } }>('{ outbox { nodes { executionId subject text html } } }')).outbox.nodes;
  const report = outbox.find((m) => m.executionId === id);
  assert.ok(report, 'the report is in the outbox');
  assert.match(report.subject, /^\[Jobdeck\] (RÉUSSITE|AVERTISSEMENT|ÉCHEC) · global · system\.self-test$/);
  assert.match(report.text, /^État: +(Réussie|Terminée avec avertissements|Échouée)$/m);
  assert.match(report.text, /^Tâche: +system\.self-test$/m);
  assert.match(report.text, /^Journal \(\d+ lignes?\)$/m);
  assert.match(report.html, /<html lang="fr">/);
  assert.doesNotMatch(report.text, /^(Status|Job|Duration):/m);
});
