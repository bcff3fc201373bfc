/**
 * Spread (jobs/spread.ts): each row's offset is a pure function of (jobId, domain) and the spread,
 * every run lands inside its window, 20,000 rows fill a window evenly, and the batch form
 * (RuleRuns: the rule's occurrences once, then a pick per row) agrees with the one-row form.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RuleJson } from '../../db/schema/jobs';
import { CatalogError, loadCatalog } from '../../jobs/catalog';
import { memoNextOccurrence, nextOccurrence, summarizePlan, summarizeRule, validateRule, WEEKDAYS } from '../../jobs/plan';
import { NextRuns, nextRunOf, nextRunsOf, RuleRuns, spreadOffsetMs } from '../../jobs/spread';
import { AppError } from '../../lib/errors';

const daily = (times: string[], timeZone: string, spreadMinutes?: number): RuleJson => ({ kind: 'DAILY', days: [...WEEKDAYS], times, timeZone, spreadMinutes });
const domains = (n: number) => Array.from({ length: n }, (_, i) => `d${String(i).padStart(5, '0')}.example`);

function assertBadInput(fn: () => unknown, field: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    assert.equal(e.code, 'BAD_USER_INPUT');
    assert.equal(e.field, field);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('offsets are a pure function of (jobId, domain): the same values on every process and after every restart', () => {
  // Fixed here: a change to the hash would move every row of every fleet at the next deployment.
  assert.equal(spreadOffsetMs({ jobId: 'acme.purge', domain: 'acme.example' }, 180), 2_654_000);
  assert.equal(spreadOffsetMs({ jobId: 'acme.purge', domain: 'd00001.example' }, 180), 2_554_000);
  assert.equal(spreadOffsetMs({ jobId: 'domain.activity-report', domain: 'acme.example' }, 60), 1_146_000);
  assert.equal(spreadOffsetMs({ jobId: 'acme.purge', domain: 'acme.example' }, 0), 0);
  assert.equal(spreadOffsetMs({ jobId: 'acme.purge', domain: 'acme.example' }, null), 0);
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 10_000 }), (jobId, domain, spread) => {
      const o = spreadOffsetMs({ jobId, domain }, spread);
      assert.ok(o >= 0 && o < spread * 60_000 && o % 1000 === 0, `${o} for ${spread}`);
      assert.equal(spreadOffsetMs({ jobId, domain }, spread), o);
    }),
  );
});

test('a longer spread scales the offset: each row keeps its place in the window', () => {
  for (const d of domains(200)) {
    const row = { jobId: 'acme.purge', domain: d };
    const a = spreadOffsetMs(row, 60) / (60 * 60_000);
    const b = spreadOffsetMs(row, 180) / (180 * 60_000);
    assert.ok(Math.abs(a - b) < 1 / 3600, `${d}: ${a} vs ${b}`);
  }
});

test('every row runs inside [occurrence, occurrence + spread); 20,000 rows fill the window evenly', () => {
  const rule = daily(['01:00'], 'UTC', 60);
  const after = new Date('2026-03-10T00:00:00Z');
  const base = Date.parse('2026-03-10T01:00:00Z');
  const perMinute = new Array<number>(60).fill(0);
  const runs = new RuleRuns(rule, after.getTime());
  for (const d of domains(20_000)) {
    const at = runs.nextFor({ jobId: 'acme.purge', domain: d })!.getTime();
    assert.ok(at >= base && at < base + 3_600_000, `${d} at ${new Date(at).toISOString()}`);
    perMinute[Math.floor((at - base) / 60_000)]!++;
  }
  const even = 20_000 / 60;
  const worst = Math.max(...perMinute);
  assert.ok(worst <= 2 * even, `busiest minute ${worst} rows, even share ${even.toFixed(0)}`);
  assert.ok(Math.min(...perMinute) >= even / 2, `quietest minute ${Math.min(...perMinute)} rows`);
});

test('RuleRuns (occurrences once, a pick per row) equals nextRunOf for every row, at any instant, across a DST change', () => {
  const rules: RuleJson[] = [
    daily(['01:00'], 'Europe/Paris', 180),
    daily(['02:30', '14:00'], 'America/New_York', 300),
    { kind: 'EVERY_HOURS', every: 4, timeZone: 'Europe/Paris', spreadMinutes: 90 },
    { kind: 'EVERY_MINUTES', every: 15, timeZone: 'UTC', spreadMinutes: 10 },
    { kind: 'CRON', cron: '30 3 * * 1', timeZone: 'UTC', spreadMinutes: 600 },
    daily(['01:00'], 'UTC'),
  ];
  const rows = domains(100).map((domain) => ({ jobId: 'acme.purge', domain }));
  // Around Paris's and New York's spring and autumn changes of 2026, and plain days.
  const instants = ['2026-03-28T22:00:00Z', '2026-03-29T01:30:00Z', '2026-03-08T06:59:00Z', '2026-10-25T00:45:00Z', '2026-11-01T05:10:00Z', '2026-06-01T12:00:00Z'];
  for (const rule of rules) {
    for (const iso of instants) {
      const after = new Date(iso);
      const batch = new RuleRuns(rule, after.getTime());
      const many = new NextRuns(after);
      for (const row of rows) {
        const one = nextRunOf(rule, row, after)?.toISOString();
        assert.equal(batch.nextFor(row)?.toISOString(), one, `${JSON.stringify(rule)} ${iso} ${row.domain}`);
        assert.equal(many.of(rule, row)?.toISOString(), one);
        assert.ok(Date.parse(one!) > after.getTime());
      }
    }
  }
});

test('one memo of occurrences shared by many rules, rows and instants answers as each computed alone (the upcoming list)', () => {
  // Rules that differ only in their zone, their step, their times or their spread, asked through one memo.
  const rules: RuleJson[] = [
    daily(['01:00'], 'UTC'),
    daily(['01:00'], 'Europe/Paris'),
    daily(['01:00'], 'Europe/Paris', 120),
    daily(['01:30'], 'Europe/Paris'),
    { kind: 'EVERY_HOURS', every: 1, timeZone: 'UTC' },
    { kind: 'EVERY_HOURS', every: 2, timeZone: 'UTC' },
    { kind: 'EVERY_HOURS', every: 2, timeZone: 'America/New_York', spreadMinutes: 30 },
    { kind: 'CRON', cron: '0 */2 * * *', timeZone: 'UTC' },
    { kind: 'EVERY_MINUTES', every: 15, timeZone: 'UTC' },
  ];
  const rows = domains(30).map((domain) => ({ jobId: 'acme.purge', domain }));
  const instants = ['2026-03-29T00:30:00Z', '2026-03-08T06:59:00Z', '2026-10-25T00:45:00Z', '2026-06-01T12:00:00Z', '2026-06-01T12:00:00.001Z'];
  const memo = memoNextOccurrence();
  for (let round = 0; round < 2; round++)
    for (const iso of instants)
      for (const rule of rules)
        for (const row of rows) {
          const after = new Date(iso);
          assert.equal(nextRunOf(rule, row, after, memo)?.toISOString(), nextRunOf(rule, row, after)?.toISOString(), `${JSON.stringify(rule)} ${iso} ${row.domain}`);
        }
  // A full memo still answers, without keeping more.
  const small = memoNextOccurrence(2);
  for (const iso of instants) assert.equal(small(rules[1]!, new Date(iso))?.toISOString(), nextOccurrence(rules[1]!, new Date(iso))?.toISOString());
});

test('a row\'s runs are the rule\'s occurrences shifted by its offset, strictly increasing (previewRule with a job)', () => {
  const rule = daily(['01:00', '13:00'], 'Europe/Paris', 240);
  const row = { jobId: 'acme.purge', domain: 'acme.example' };
  const o = spreadOffsetMs(row, 240);
  const runs = nextRunsOf(rule, row, new Date('2026-03-27T00:00:00Z'), 8);
  assert.equal(runs.length, 8);
  let prev = 0;
  for (const r of runs) {
    assert.ok(r.getTime() > prev);
    prev = r.getTime();
    const base = new Date(r.getTime() - o);
    assert.equal(nextOccurrence(rule, new Date(base.getTime() - 1))?.getTime(), base.getTime(), 'an occurrence of the rule');
  }
  assert.equal(runs[0]!.toISOString(), nextRunOf(rule, row, new Date('2026-03-27T00:00:00Z'))!.toISOString());
});

test('validateRule: spreadMinutes is a whole number of minutes, 0 or more, shorter than the shortest gap; 0 is no spread', () => {
  assert.deepEqual(validateRule({ kind: 'EVERY_HOURS', every: 4, spreadMinutes: 239 }, 'rule', 'UTC'), { kind: 'EVERY_HOURS', every: 4, timeZone: 'UTC', spreadMinutes: 239 });
  assert.deepEqual(validateRule({ kind: 'EVERY_HOURS', every: 4, spreadMinutes: 0 }, 'rule', 'UTC'), { kind: 'EVERY_HOURS', every: 4, timeZone: 'UTC' });
  assert.deepEqual(validateRule({ kind: 'EVERY_HOURS', every: 4, spreadMinutes: null }, 'rule', 'UTC'), { kind: 'EVERY_HOURS', every: 4, timeZone: 'UTC' });
  assertBadInput(() => validateRule({ kind: 'EVERY_HOURS', every: 4, spreadMinutes: 240 }, 'input.plan.rule', 'UTC'), 'input.plan.rule.spreadMinutes', /shortest gap .*\(4 hours\).*at most 239/);
  assertBadInput(() => validateRule({ kind: 'EVERY_MINUTES', every: 15, spreadMinutes: 15 }, 'rule', 'UTC'), 'rule.spreadMinutes', /\(15 minutes\).*at most 14/);
  assertBadInput(() => validateRule({ kind: 'EVERY_MINUTES', every: 15, spreadMinutes: -1 }, 'rule', 'UTC'), 'rule.spreadMinutes', /0 or more/);
  assertBadInput(() => validateRule({ kind: 'EVERY_MINUTES', every: 15, spreadMinutes: 2.5 }, 'rule', 'UTC'), 'rule.spreadMinutes', /whole number/);
  assertBadInput(() => validateRule({ kind: 'EVERY_MINUTES', every: 15, spreadMinutes: '5' }, 'rule', 'UTC'), 'rule.spreadMinutes');
  // DAILY: the shortest gap is between two times of one day, or across a day without a run.
  assertBadInput(() => validateRule({ kind: 'DAILY', days: ['MON'], times: ['01:00', '01:30'], spreadMinutes: 30 }, 'rule', 'UTC'), 'rule.spreadMinutes', /\(30 minutes\)/);
  assert.equal(validateRule({ kind: 'DAILY', days: ['MON'], times: ['01:00', '01:30'], spreadMinutes: 29 }, 'rule', 'UTC').spreadMinutes, 29);
  assertBadInput(() => validateRule({ kind: 'DAILY', days: [...WEEKDAYS], times: ['01:00'], spreadMinutes: 1440 }, 'rule', 'UTC'), 'rule.spreadMinutes', /\(1 day\)/);
  assert.equal(validateRule({ kind: 'DAILY', days: [...WEEKDAYS], times: ['01:00'], spreadMinutes: 180 }, 'rule', 'UTC').spreadMinutes, 180);
  // A weekly cron leaves a week between runs.
  assertBadInput(() => validateRule({ kind: 'CRON', cron: '0 3 * * 1', spreadMinutes: 7 * 1440 }, 'rule', 'UTC'), 'rule.spreadMinutes', /\(7 days\)/);
  assert.equal(validateRule({ kind: 'CRON', cron: '0 3 * * 1', spreadMinutes: 7 * 1440 - 1 }, 'rule', 'UTC').spreadMinutes, 7 * 1440 - 1);
});

test('summaries mention the spread, in English and in French', () => {
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', 180)), 'Every day at 01:00 (UTC), spread over 3 hours');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', 90)), 'Every day at 01:00 (UTC), spread over 90 minutes');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', 60)), 'Every day at 01:00 (UTC), spread over 1 hour');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', 180), 'fr'), 'Chaque jour à 01:00 (UTC), avec étalement sur 3 heures');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', 1), 'fr'), 'Chaque jour à 01:00 (UTC), avec étalement sur 1 minute');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC')), 'Every day at 01:00 (UTC)');
  assert.equal(summarizePlan('SCHEDULED', daily(['01:00'], 'UTC', 180), null), 'Scheduled — Every day at 01:00 (UTC), spread over 3 hours');
});

test('JOBS_FILE: "automatic" may carry spreadMinutes; one as long as the gap stops the start naming entry and field', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-spread-'));
  try {
    const load = (automatic: unknown) => {
      const file = path.join(dir, `jobs-${Math.random()}.json`);
      writeFileSync(file, JSON.stringify({ jobs: [{ id: 'acme.purge', description: 'Purges', kind: 'PER_DOMAIN', command: ['true'], automatic }] }));
      return loadCatalog({ jobsFile: file, builtins: [], killGraceMs: 1000, maxLineChars: 1000 });
    };
    const ok = await load({ kind: 'DAILY', days: [...WEEKDAYS], times: ['01:00'], spreadMinutes: 180 });
    assert.equal(ok.get('acme.purge')?.automatic?.spreadMinutes, 180);
    for (const [automatic, message] of [
      [{ kind: 'EVERY_HOURS', every: 4, spreadMinutes: 240 }, /automatic\.spreadMinutes: spreadMinutes must be shorter than the shortest gap .*4 hours/],
      [{ kind: 'EVERY_HOURS', every: 4, spreadMinutes: -1 }, /automatic\.spreadMinutes: must be 0 or more/],
      [{ kind: 'EVERY_HOURS', every: 4, spreadMinutes: '60' }, /automatic\.spreadMinutes: must be a whole number of minutes/],
    ] as const) {
      await assert.rejects(load(automatic), (e: unknown) => e instanceof CatalogError && message.test(e.message) && /acme\.purge/.test(e.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
