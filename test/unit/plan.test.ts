import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cron } from 'croner';
import fc from 'fast-check';
import type { RuleJson } from '../../db/schema/jobs';
import {
  nextOccurrence,
  nextOccurrences,
  summarizePlan,
  summarizeRule,
  validatePlan,
  validateRule,
  WEEKDAYS,
} from '../../jobs/plan';
import { AppError } from '../../lib/errors';

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';

const runs = (rule: RuleJson, fromIso: string, count: number) =>
  nextOccurrences(rule, new Date(fromIso), count).map((d) => d.toISOString());
const daily = (times: string[], timeZone: string, days: string[] = [...WEEKDAYS]): RuleJson => ({ kind: 'DAILY', days, times, timeZone });
const cron = (expr: string, timeZone: string): RuleJson => ({ kind: 'CRON', cron: expr, timeZone });
const hours = (every: number, timeZone: string): RuleJson => ({ kind: 'EVERY_HOURS', every, timeZone });

function assertBadInput(fn: () => unknown, field: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    assert.equal(e.code, 'BAD_USER_INPUT');
    assert.equal(e.field, field);
    if (message) assert.match(e.message, message);
    return true;
  });
}

// ------------------------------------------------------------------ validation

test('validateRule keeps only what each kind uses and normalises it', () => {
  const noise = { every: 5, days: ['MON'], times: ['01:00'], cron: '0 3 * * *' };
  assert.deepEqual(validateRule({ ...noise, kind: 'EVERY_MINUTES' }, 'rule', 'UTC'), { kind: 'EVERY_MINUTES', every: 5, timeZone: 'UTC' });
  assert.deepEqual(validateRule({ ...noise, kind: 'EVERY_HOURS', every: 12, timeZone: PARIS }, 'rule', 'UTC'), {
    kind: 'EVERY_HOURS',
    every: 12,
    timeZone: PARIS,
  });
  assert.deepEqual(
    validateRule({ ...noise, kind: 'DAILY', days: ['SUN', 'MON', 'WED', 'MON'], times: ['13:30', '01:00', '13:30'] }, 'rule', PARIS),
    { kind: 'DAILY', days: ['MON', 'WED', 'SUN'], times: ['01:00', '13:30'], timeZone: PARIS },
  );
  assert.deepEqual(validateRule({ ...noise, kind: 'CRON', cron: '  0  3 * *   1 ', timeZone: 'europe/paris' }, 'rule', 'UTC'), {
    kind: 'CRON',
    cron: '0 3 * * 1',
    timeZone: PARIS,
  });
  // An alias that ICU would rename is kept as given.
  assert.equal(validateRule({ kind: 'EVERY_MINUTES', every: 1, timeZone: 'Asia/Kolkata' }, 'rule', 'UTC').timeZone, 'Asia/Kolkata');
});

const badRules: [string, unknown, string, RegExp?][] = [
  ['not an object', 'EVERY_MINUTES', 'r'],
  ['unknown kind', { kind: 'WEEKLY' }, 'r.kind', /EVERY_MINUTES, EVERY_HOURS, DAILY or CRON/],
  ['EVERY_MINUTES 3', { kind: 'EVERY_MINUTES', every: 3 }, 'r.every', /^every must be one of 1, 2, 5, 10, 15, 20 or 30 for EVERY_MINUTES/],
  ['EVERY_MINUTES without every', { kind: 'EVERY_MINUTES' }, 'r.every'],
  ['EVERY_MINUTES 60', { kind: 'EVERY_MINUTES', every: 60 }, 'r.every'],
  ['EVERY_HOURS 5', { kind: 'EVERY_HOURS', every: 5 }, 'r.every', /^every must be one of 1, 2, 3, 4, 6, 8 or 12 for EVERY_HOURS/],
  ['EVERY_HOURS "2"', { kind: 'EVERY_HOURS', every: '2' }, 'r.every'],
  ['DAILY without days', { kind: 'DAILY', times: ['01:00'] }, 'r.days', /at least one day/],
  ['DAILY with no days', { kind: 'DAILY', days: [], times: ['01:00'] }, 'r.days'],
  ['DAILY with a bad day', { kind: 'DAILY', days: ['MON', 'FUN'], times: ['01:00'] }, 'r.days[1]', /MON, TUE/],
  ['DAILY without times', { kind: 'DAILY', days: ['MON'] }, 'r.times', /at least one time/],
  ['DAILY at 24:00', { kind: 'DAILY', days: ['MON'], times: ['03:00', '24:00'] }, 'r.times[1]', /HH:MM/],
  ['DAILY at 3:00', { kind: 'DAILY', days: ['MON'], times: ['3:00'] }, 'r.times[0]'],
  ['DAILY at 12:60', { kind: 'DAILY', days: ['MON'], times: ['12:60'] }, 'r.times[0]'],
  ['DAILY with 49 times', { kind: 'DAILY', days: ['MON'], times: Array.from({ length: 49 }, (_, i) => `${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`) }, 'r.times', /at most 48/],
  ['CRON without cron', { kind: 'CRON' }, 'r.cron'],
  ['CRON with seconds', { kind: 'CRON', cron: '0 0 3 * * *' }, 'r.cron', /exactly 5 fields/],
  ['CRON nickname', { kind: 'CRON', cron: '@daily' }, 'r.cron'],
  ['CRON minute 61', { kind: 'CRON', cron: '61 * * * *' }, 'r.cron', /valid expression/],
  ['CRON 30 February', { kind: 'CRON', cron: '0 0 30 2 *' }, 'r.cron', /never fires/],
  ['CRON too long', { kind: 'CRON', cron: `0 0 ${Array.from({ length: 120 }, () => '1').join(',')} * *` }, 'r.cron', /at most 200/],
  ['unknown zone', { kind: 'EVERY_HOURS', every: 1, timeZone: 'Foo/Bar' }, 'r.timeZone', /IANA/],
  ['offset zone', { kind: 'EVERY_HOURS', every: 1, timeZone: '+01:00' }, 'r.timeZone'],
  ['over-long zone', { kind: 'EVERY_HOURS', every: 1, timeZone: `Europe/${'x'.repeat(100)}` }, 'r.timeZone'],
  ['zone not a string', { kind: 'EVERY_HOURS', every: 1, timeZone: 1 }, 'r.timeZone'],
];
for (const [name, input, field, message] of badRules) {
  test(`validateRule refuses ${name} at ${field}`, () => assertBadInput(() => validateRule(input, 'r', 'UTC'), field, message));
}

test('validatePlan: SCHEDULED needs a valid rule, the others take none', () => {
  assert.deepEqual(validatePlan({ kind: 'DISABLED' }, 'plan', 'UTC'), { kind: 'DISABLED', rule: null });
  assert.deepEqual(validatePlan({ kind: 'AUTOMATIC', rule: null }, 'plan', 'UTC'), { kind: 'AUTOMATIC', rule: null });
  assert.deepEqual(validatePlan({ kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 2 } }, 'plan', PARIS), {
    kind: 'SCHEDULED',
    rule: { kind: 'EVERY_HOURS', every: 2, timeZone: PARIS },
  });
  assertBadInput(() => validatePlan({ kind: 'SCHEDULED' }, 'plan', 'UTC'), 'plan.rule', /needs a rule/);
  assertBadInput(() => validatePlan({ kind: 'AUTOMATIC', rule: { kind: 'EVERY_HOURS', every: 2 } }, 'plan', 'UTC'), 'plan.rule', /takes no rule/);
  assertBadInput(() => validatePlan({ kind: 'DISABLED', rule: { kind: 'CRON' } }, 'plan', 'UTC'), 'plan.rule');
  assertBadInput(() => validatePlan({ kind: 'SOMETIMES' }, 'plan', 'UTC'), 'plan.kind');
  assertBadInput(() => validatePlan(null, 'plan', 'UTC'), 'plan');
  assertBadInput(() => validatePlan({ kind: 'SCHEDULED', rule: { kind: 'DAILY', days: ['MON'], times: ['9:00'] } }, 'plan', 'UTC'), 'plan.rule.times[0]');
});

// ------------------------------------------------------------------ occurrences

test('EVERY_MINUTES is aligned to the clock and strictly after the start', () => {
  const rule = validateRule({ kind: 'EVERY_MINUTES', every: 15 }, 'r', PARIS);
  assert.deepEqual(runs(rule, '2026-01-10T10:07:30Z', 3), ['2026-01-10T10:15:00.000Z', '2026-01-10T10:30:00.000Z', '2026-01-10T10:45:00.000Z']);
  assert.equal(nextOccurrence(rule, new Date('2026-01-10T10:15:00Z'))?.toISOString(), '2026-01-10T10:30:00.000Z');
  assert.equal(nextOccurrence(rule, new Date('2026-01-10T10:14:59.999Z'))?.toISOString(), '2026-01-10T10:15:00.000Z');
});

test('EVERY_HOURS counts hours of the local clock', () => {
  // 00:00, 06:00, 12:00, 18:00 in Kathmandu (UTC+05:45).
  assert.deepEqual(runs(hours(6, 'Asia/Kathmandu'), '2026-01-10T00:00:00Z', 3), [
    '2026-01-10T00:15:00.000Z',
    '2026-01-10T06:15:00.000Z',
    '2026-01-10T12:15:00.000Z',
  ]);
});

test('DAILY runs at each time on the listed weekdays only', () => {
  // 2026-01-12 is a Monday; Paris is UTC+1 in January.
  assert.deepEqual(runs(daily(['13:30', '01:00'], PARIS, ['WED', 'MON']), '2026-01-11T00:00:00Z', 5), [
    '2026-01-12T00:00:00.000Z',
    '2026-01-12T12:30:00.000Z',
    '2026-01-14T00:00:00.000Z',
    '2026-01-14T12:30:00.000Z',
    '2026-01-19T00:00:00.000Z',
  ]);
});

test('CRON runs the expression in its zone, and a rule that never fires gives null', () => {
  assert.deepEqual(runs(cron('0 3 * * 1', NEW_YORK), '2026-01-10T00:00:00Z', 2), ['2026-01-12T08:00:00.000Z', '2026-01-19T08:00:00.000Z']);
  assert.deepEqual(runs(cron('0 0 29 2 *', 'UTC'), '2026-01-01T00:00:00Z', 2), ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']);
  assert.equal(nextOccurrence(cron('0 0 30 2 *', 'UTC'), new Date('2026-01-01T00:00:00Z')), null);
});

// A time in the gap runs once at the end of the gap; a repeated time runs once, on its first pass.
const dstCases: [string, string, RuleJson, string, string[]][] = [
  ['Paris gap, DAILY 02:30', '2026-03-28T12:00:00Z', daily(['02:30'], PARIS), '', ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
  ['Paris overlap, DAILY 02:30', '2026-10-24T12:00:00Z', daily(['02:30'], PARIS), '', ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
  ['New York gap, DAILY 02:30', '2026-03-07T12:00:00Z', daily(['02:30'], NEW_YORK), '', ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
  ['New York overlap, DAILY 01:30', '2026-10-31T12:00:00Z', daily(['01:30'], NEW_YORK), '', ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
  // Two times that meet at the end of the gap run once.
  ['Paris gap, DAILY 02:30 + 03:00', '2026-03-28T12:00:00Z', daily(['02:30', '03:00'], PARIS), '', ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
  ['Paris gap, CRON 30 2', '2026-03-28T12:00:00Z', cron('30 2 * * *', PARIS), '', ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
  ['Paris overlap, CRON 30 2', '2026-10-24T12:00:00Z', cron('30 2 * * *', PARIS), '', ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
  // A list is an "interval job" to croner, which skips the gap and runs both passes; not here.
  ['New York gap, CRON 30 2,14', '2026-03-07T20:00:00Z', cron('30 2,14 * * *', NEW_YORK), '', ['2026-03-08T07:00:00.000Z', '2026-03-08T18:30:00.000Z']],
  ['New York overlap, CRON 30 1,13', '2026-10-31T20:00:00Z', cron('30 1,13 * * *', NEW_YORK), '', ['2026-11-01T05:30:00.000Z', '2026-11-01T18:30:00.000Z']],
  ['Paris overlap, CRON */30', '2026-10-24T23:45:00Z', cron('*/30 * * * *', PARIS), '', ['2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T02:00:00.000Z']],
  // Asked from inside the second pass: the repeated 02:30 already ran.
  ['Paris overlap, asked during the second pass', '2026-10-25T01:10:00Z', daily(['02:30', '02:45', '03:15'], PARIS), '', ['2026-10-25T02:15:00.000Z', '2026-10-26T01:30:00.000Z']],
  ['Paris spring, EVERY_HOURS 2', '2026-03-28T22:30:00Z', hours(2, PARIS), '', ['2026-03-28T23:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-29T04:00:00.000Z']],
  ['Paris autumn, EVERY_HOURS 2', '2026-10-24T21:30:00Z', hours(2, PARIS), '', ['2026-10-24T22:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T03:00:00.000Z', '2026-10-25T05:00:00.000Z']],
  ['New York spring, EVERY_HOURS 1', '2026-03-08T05:30:00Z', hours(1, NEW_YORK), '', ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']],
  ['New York autumn, EVERY_HOURS 1', '2026-11-01T03:30:00Z', hours(1, NEW_YORK), '', ['2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z']],
];
for (const [name, from, rule, , expected] of dstCases) {
  test(`DST: ${name}`, () => assert.deepEqual(runs(rule, from, expected.length), expected));
}

test("agrees with croner's zoned mode for single-time patterns over a year", () => {
  for (const zone of [PARIS, NEW_YORK, 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham']) {
    for (const time of ['00:30', '01:30', '02:00', '02:30', '03:00', '12:00']) {
      const [h, m] = time.split(':').map(Number);
      const from = new Date('2026-01-01T00:00:00Z');
      const expected = new Cron(`${m} ${h} * * *`, { timezone: zone, paused: true }).nextRuns(365, from).map((d) => d.toISOString());
      assert.deepEqual(runs(daily([time], zone), from.toISOString(), 365), expected, `${zone} ${time}`);
    }
  }
});

// ------------------------------------------------------------------ summaries

test('summarizeRule reads like the console shows it', () => {
  assert.equal(summarizeRule({ kind: 'EVERY_MINUTES', every: 5, timeZone: 'UTC' }), 'Every 5 minutes (UTC)');
  assert.equal(summarizeRule({ kind: 'EVERY_MINUTES', every: 1, timeZone: 'UTC' }), 'Every minute (UTC)');
  assert.equal(summarizeRule(hours(2, PARIS)), 'Every 2 hours (Europe/Paris)');
  assert.equal(summarizeRule(daily(['01:00'], PARIS, ['MON', 'TUE', 'WED', 'THU', 'FRI'])), 'Daily, Mon–Fri at 01:00 (Europe/Paris)');
  assert.equal(summarizeRule(daily(['13:30', '01:00'], 'UTC', ['WED', 'MON'])), 'Daily, Mon, Wed at 01:00, 13:30 (UTC)');
  assert.equal(summarizeRule(daily(['01:00'], 'UTC', ['MON', 'TUE', 'WED', 'SAT', 'SUN'])), 'Daily, Mon–Wed, Sat, Sun at 01:00 (UTC)');
  assert.equal(summarizeRule(daily(['03:00'], 'UTC')), 'Every day at 03:00 (UTC)');
  assert.equal(summarizeRule(cron('0 3 * * 1', 'UTC')), 'Cron 0 3 * * 1 — At 03:00 AM, only on Monday (UTC)');
  assert.equal(summarizeRule(cron('0 12 1 * +MON', 'UTC')), 'Cron 0 12 1 * +MON (UTC)');
});

test('summarizePlan names the plan and what it runs by', () => {
  const rule = hours(4, 'UTC');
  assert.equal(summarizePlan('AUTOMATIC', null, rule), 'Automatic — Every 4 hours (UTC)');
  assert.equal(summarizePlan('AUTOMATIC', null, null), 'Automatic — never runs by itself');
  assert.equal(summarizePlan('SCHEDULED', daily(['03:00'], 'UTC'), rule), 'Scheduled — Every day at 03:00 (UTC)');
  assert.equal(summarizePlan('DISABLED', null, rule), 'Disabled');
});

// ------------------------------------------------------------------ property

// The first nine are valid.
const ZONES = ['UTC', PARIS, NEW_YORK, 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Santiago', 'Antarctica/Troll', 'europe/paris', 'Foo/Bar', '+01:00', '', ' UTC'];
// Instants near DST changes in the zones above, where mistakes would show.
const NEAR_DST = ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z', '2026-04-05T02:00:00Z', '2026-09-06T04:00:00Z'].map((s) => Date.parse(s));
const cronField = [
  ['*', '*/5', '0', '30', '0,30', '61', 'x', '*/0'],
  ['*', '*/2', '2', '1-3', '2,14', '24', '0'],
  ['*', '1', '15', '29', '30', '31', 'L', '1-7'],
  ['*', '2', 'JAN', '1-6', '*/3', '13'],
  ['*', 'MON', '1-5', '0', '7', 'SUN#2', 'FUN'],
];
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
// Mostly valid pieces, so that about half the plans get through to the occurrence checks.
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const ruleArb = fc.record(
  {
    kind: mostly(fc.constantFrom('EVERY_MINUTES', 'EVERY_HOURS', 'DAILY', 'CRON'), fc.constantFrom('WEEKLY', undefined)),
    every: mostly(fc.constantFrom(1, 2, 5, 10, 15, 20, 30, 3, 4, 6, 8, 12), fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(null, '5'))),
    days: mostly(fc.array(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 9 }), fc.option(fc.array(fc.constantFrom(...WEEKDAYS, 'FUN', 'mon'), { maxLength: 9 }))),
    times: mostly(fc.array(hhmm, { minLength: 1, maxLength: 6 }), fc.option(fc.array(fc.oneof(hhmm, fc.constantFrom('24:00', '3:00', '12:60', '')), { maxLength: 6 }))),
    cron: mostly(
      fc.tuple(...cronField.map((f) => fc.constantFrom(...f))).map((f) => f.join(' ')),
      fc.option(fc.array(fc.constantFrom('*', '0', '5', '@daily'), { minLength: 1, maxLength: 7 }).map((f) => f.join(' '))),
    ),
    timeZone: mostly(fc.constantFrom(...ZONES.slice(0, 9), undefined), fc.constantFrom(...ZONES.slice(9))),
  },
  { requiredKeys: ['kind'] },
);
const planArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('SCHEDULED'), rule: mostly(ruleArb, fc.constantFrom<unknown>(null, 'DAILY', 7, [])) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('AUTOMATIC', 'DISABLED', 'NEVER'), rule: fc.option(ruleArb) }) },
);
const startArb = fc.oneof(
  fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2035-12-31T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...NEAR_DST), fc.integer({ min: -4 * 3600, max: 4 * 3600 })).map(([t, s]) => t + s * 1000),
);

test('property: a plan is refused on a precise field, or its next 10 runs are valid and strictly increasing', () => {
  fc.assert(
    fc.property(planArb, startArb, (input, startMs) => {
      let plan;
      try {
        plan = validatePlan(input, 'input.plan', PARIS);
      } catch (e) {
        assert.ok(e instanceof AppError, `not an AppError: ${String(e)}`);
        assert.equal(e.code, 'BAD_USER_INPUT');
        assert.ok(e.field?.startsWith('input.plan'), `field ${e.field}`);
        return;
      }
      if (!plan.rule) return;
      const next = nextOccurrences(plan.rule, new Date(startMs), 10);
      assert.equal(next.length, 10);
      let previousMs = startMs;
      for (const d of next) {
        assert.ok(d instanceof Date && !Number.isNaN(d.getTime()));
        assert.ok(d.getTime() > previousMs, `${d.toISOString()} is not after ${new Date(previousMs).toISOString()}`);
        previousMs = d.getTime();
      }
    }),
    { numRuns: 1000 },
  );
});
