import type { Rule, RuleInput, RuleKind, Weekday } from './types';

export const EVERY_MINUTES = [1, 2, 5, 10, 15, 20, 30];
export const EVERY_HOURS = [1, 2, 3, 4, 6, 8, 12];
// Their words are in messages/<locale>/jobWindow.json ("rule.weekday.<day>", "rule.kind.<kind>").
export const WEEKDAYS: Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
export const RULE_KINDS: RuleKind[] = ['EVERY_MINUTES', 'EVERY_HOURS', 'DAILY', 'CRON'];

/** A translator of the `jobWindow` namespace (next-intl's useTranslations('jobWindow'), or createTranslator's). */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** What the Scheduling tab edits: every kind's fields at once, so switching kind loses nothing. */
export interface RuleForm {
  kind: RuleKind;
  minutes: number;
  hours: number;
  days: Weekday[];
  times: string[];
  cron: string;
  timeZone: string;
  /** Minutes each row may be shifted by (its own steady offset); 0: none. */
  spreadMinutes: number;
}

export function ruleForm(rule: Rule | null | undefined, defaultTimeZone: string): RuleForm {
  const base: RuleForm = {
    kind: 'DAILY',
    minutes: 15,
    hours: 1,
    days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    times: ['01:00'],
    cron: '0 3 * * *',
    timeZone: defaultTimeZone,
    spreadMinutes: 0,
  };
  if (!rule) return base;
  return {
    ...base,
    kind: rule.kind,
    minutes: rule.kind === 'EVERY_MINUTES' && rule.every ? rule.every : base.minutes,
    hours: rule.kind === 'EVERY_HOURS' && rule.every ? rule.every : base.hours,
    days: rule.kind === 'DAILY' && rule.days ? [...rule.days] : base.days,
    times: rule.kind === 'DAILY' && rule.times?.length ? [...rule.times] : base.times,
    cron: rule.kind === 'CRON' && rule.cron ? rule.cron : base.cron,
    timeZone: rule.timeZone,
    spreadMinutes: rule.spreadMinutes ?? 0,
  };
}

const ORDER = new Map(WEEKDAYS.map((d, i) => [d, i]));

export function toRuleInput(f: RuleForm): RuleInput {
  const rule = ruleInputOfKind(f);
  // No spread is sent as none, as the server stores it: a saved rule and the form compare equal.
  return f.spreadMinutes ? { ...rule, spreadMinutes: f.spreadMinutes } : rule;
}

function ruleInputOfKind(f: RuleForm): RuleInput {
  switch (f.kind) {
    case 'EVERY_MINUTES':
      return { kind: f.kind, every: f.minutes, timeZone: f.timeZone };
    case 'EVERY_HOURS':
      return { kind: f.kind, every: f.hours, timeZone: f.timeZone };
    case 'DAILY':
      return {
        kind: f.kind,
        days: [...f.days].sort((a, b) => (ORDER.get(a) ?? 0) - (ORDER.get(b) ?? 0)),
        times: [...new Set(f.times.filter((t) => t !== ''))].sort(),
        timeZone: f.timeZone,
      };
    case 'CRON':
      return { kind: f.kind, cron: f.cron.trim(), timeZone: f.timeZone };
  }
}

/** A rule as saved, in the same shape, for comparing with the form (dirty check). */
export function ruleInputOf(rule: Rule | null | undefined): RuleInput | null {
  if (!rule) return null;
  return toRuleInput(ruleForm(rule, rule.timeZone));
}

export const sameRule = (a: RuleInput | null, b: RuleInput | null) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Problems visible without asking the server; the server (previewRule) has the last word. In words
 * from `t` (messages/<locale>/jobWindow.json, "ruleErrors").
 */
export function localRuleErrors(f: RuleForm, t: Translate): Map<string, string> {
  const out = new Map<string, string>();
  if (f.kind === 'DAILY') {
    if (f.days.length === 0) out.set('days', t('ruleErrors.noDay'));
    if (f.times.filter((x) => x !== '').length === 0) out.set('times', t('ruleErrors.noTime'));
    f.times.forEach((x, i) => {
      if (x !== '' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(x)) out.set(`times[${i}]`, t('ruleErrors.badTime'));
    });
  }
  if (f.kind === 'CRON' && f.cron.trim() === '') out.set('cron', t('ruleErrors.noCron'));
  if (!Number.isInteger(f.spreadMinutes) || f.spreadMinutes < 0) out.set('spreadMinutes', t('ruleErrors.badSpread'));
  if (!f.timeZone) out.set('timeZone', t('ruleErrors.noTimeZone'));
  return out;
}

let zones: string[] | undefined;
/** IANA zones the browser knows, with UTC (which some engines leave out). */
export function timeZones(): string[] {
  if (!zones) {
    const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = list.includes('UTC') ? list : ['UTC', ...list];
  }
  return zones;
}
