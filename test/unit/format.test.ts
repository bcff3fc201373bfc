/**
 * The console's one date formatter (app/_lib/format.ts), in three locales: en-GB reads a 24-hour
 * clock, en-US a 12-hour one, fr a 24-hour one in French; all come out of the same functions. Each
 * locale runs in a child process of its own, with the process's locale set to it as a browser's would be.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function inLocale(locale: string, body: string) {
  const script = `import * as f from './app/_lib/format.ts';\nconst out = (${body})(f.formatFor('${locale}'));\nconsole.log(JSON.stringify(out));`;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT, env: { ...process.env, TZ: 'UTC', LANG: `${locale.replace('-', '_')}.UTF-8`, LC_ALL: `${locale.replace('-', '_')}.UTF-8` }, encoding: 'utf8',
  });
  // ICU writes a narrow no-break space before AM/PM; compare as plain spaces.
  return JSON.parse(stdout.trim().split('\n').pop()!.replaceAll('\\u202f', ' ').replaceAll('\u202f', ' '));
}

const BODY = `(f) => {
  const now = Date.now();
  const today = new Date(now - 60_000).toISOString();
  return {
    cron: f.localizeClock('Cron 30 2 * * MON-FRI — At 02:30 PM, Monday through Friday (UTC)'),
    daily: f.localizeClock('Daily, Mon–Fri at 06:30, 18:45 (Europe/Paris)'),
    runToday: f.shortDate(today, { seconds: true }),
    runOld: f.shortDate('2001-02-03T04:05:06Z', { seconds: true }),
    zoned: f.shortDate('2026-06-01T12:00:00Z', { zone: 'Europe/Paris' }),
    local: f.shortDate('2026-06-01T12:00:00Z', { zone: 'Etc/UTC' }),
    full: f.fullDate('2026-06-01T12:00:07Z', 'Europe/Paris'),
    ago: f.relativeTime(new Date(now - 185_000).toISOString(), now),
    soon: f.relativeTime(new Date(now + 2 * 3600_000 + 5_000).toISOString(), now),
    log: f.logTime('2026-06-01T15:04:05.042Z'),
  };
}`;

test('en-GB: 24-hour everywhere, cron summaries included; seconds and zones where asked', () => {
  const r = inLocale('en-GB', BODY);
  assert.equal(r.cron, 'Cron 30 2 * * MON-FRI — At 14:30, Monday through Friday (UTC)');
  assert.equal(r.daily, 'Daily, Mon–Fri at 06:30, 18:45 (Europe/Paris)');
  assert.match(r.runToday, /^\d{2}:\d{2}:\d{2}$/); // today: the time alone
  assert.match(r.runOld, /^03 Feb 2001, 04:05:06$/);
  assert.equal(r.zoned, '01 Jun 2026, 14:00 (Europe/Paris)');
  assert.equal(r.local, '01 Jun 2026, 12:00'); // Etc/UTC is the viewer's UTC: no zone written
  assert.match(r.full, /14:00:07/);
  assert.match(r.full, /\(Europe\/Paris\)$/);
  assert.equal(r.ago, '3 min ago');
  assert.equal(r.soon, 'in 2 hr');
  assert.equal(r.log, '15:04:05.042');
});

test('en-US: the locale says 12-hour, and every function follows it', () => {
  const r = inLocale('en-US', BODY);
  assert.equal(r.cron, 'Cron 30 2 * * MON-FRI — At 02:30 PM, Monday through Friday (UTC)');
  assert.equal(r.daily, 'Daily, Mon–Fri at 06:30 AM, 06:45 PM (Europe/Paris)');
  assert.match(r.runToday, /^\d{2}:\d{2}:\d{2}\s?[AP]M$/);
  assert.equal(r.log, '03:04:05.042 PM');
});

test('fr: French words and a 24-hour clock from the same functions', () => {
  const r = inLocale('fr-FR', BODY);
  assert.equal(r.daily, 'Daily, Mon–Fri at 06:30, 18:45 (Europe/Paris)'); // the server writes the words; only the clock is the console's
  assert.match(r.runOld, /^03 févr\. 2001, 04:05:06$/);
  assert.equal(r.zoned, '01 juin 2026, 14:00 (Europe/Paris)');
  assert.match(r.ago, /^il y a 3\smin$/);
  assert.equal(r.log, '15:04:05.042');
});
