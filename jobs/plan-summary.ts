/**
 * Plans and rules in words, in the reader's language ("Daily, Mon–Fri at 01:00 (Europe/Paris)",
 * « Chaque jour, lun.–ven. à 01:00 (Europe/Paris) »). The words are in messages/<locale>/plan.json;
 * cron expressions are described by cronstrue in the same language.
 */
import cronstrue from 'cronstrue/i18n';
import type { RuleJson } from '../db/schema/jobs';
import { translator } from '../lib/i18n/translate';
import type { PlanKind } from './plan';

const WEEKDAY_ORDER = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** Short weekday names from Intl (2024-01-01 was a Monday): "Mon" in English, "lun." in French. */
const dayNames = new Map<string, string[]>();
function dayName(locale: string, d: string): string {
  let names = dayNames.get(locale);
  if (!names) {
    const f = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    names = WEEKDAY_ORDER.map((_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
    dayNames.set(locale, names);
  }
  return names[WEEKDAY_ORDER.indexOf(d as (typeof WEEKDAY_ORDER)[number])] ?? d;
}

/** "Mon–Fri", "Mon, Wed", "Mon–Wed, Sat": runs of three or more days collapse into a range. */
function dayList(locale: string, days: readonly string[]): string {
  const runs: string[][] = [];
  WEEKDAY_ORDER.forEach((d, i) => {
    if (!days.includes(d)) return;
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === WEEKDAY_ORDER[i - 1]) last.push(d);
    else runs.push([d]);
  });
  const name = (d: string) => dayName(locale, d);
  return runs.flatMap((r) => (r.length >= 3 ? [`${name(r[0]!)}–${name(r[r.length - 1]!)}`] : r.map(name))).join(', ');
}

function describeCron(locale: string, expr: string): string {
  try {
    return ` — ${cronstrue.toString(expr, locale === 'en' ? {} : { locale, use24HourTimeFormat: true })}`;
  } catch {
    // croner extensions such as "+MON" are beyond cronstrue; the expression alone still says it.
    return '';
  }
}

export function summarizeRule(rule: RuleJson, locale = 'en'): string {
  return writeRule(rule, locale) + spreadWords(rule.spreadMinutes, locale);
}

/** ", spread over 3 hours" / « , étalée sur 3 heures »; nothing without spread. */
function spreadWords(spreadMinutes: number | null | undefined, locale: string): string {
  if (!spreadMinutes || spreadMinutes <= 0) return '';
  const t = translator(locale, 'plan');
  return spreadMinutes % 60 === 0 ? t('spreadHours', { n: spreadMinutes / 60 }) : t('spreadMinutes', { n: spreadMinutes });
}

function writeRule(rule: RuleJson, locale: string): string {
  const t = translator(locale, 'plan');
  const zone = ` (${rule.timeZone})`;
  switch (rule.kind) {
    case 'EVERY_MINUTES':
      return t('everyMinutes', { n: rule.every ?? 1 }) + zone;
    case 'EVERY_HOURS':
      return t('everyHours', { n: rule.every ?? 1 }) + zone;
    case 'DAILY': {
      const days = WEEKDAY_ORDER.filter((d) => rule.days?.includes(d));
      const times = [...new Set(rule.times ?? [])].sort().join(', ');
      return (days.length === WEEKDAY_ORDER.length ? t('everyDay', { times }) : t('daily', { days: dayList(locale, days), times })) + zone;
    }
    case 'CRON':
      return t('cron', { expr: rule.cron ?? '', description: describeCron(locale, rule.cron ?? '') }) + zone;
  }
}

/**
 * Summaries already written, by language, plan and rules: a page of 50 rows shares a handful of
 * plans, and formatting one costs ~20 µs (a message and a date formatter). Bounded: cleared when full.
 */
const written = new Map<string, string>();
const WRITTEN_MAX = 10_000;

export function summarizePlan(kind: PlanKind, rule: RuleJson | null, automaticRule: RuleJson | null, locale = 'en'): string {
  const key = `${locale}|${kind}|${kind === 'SCHEDULED' ? JSON.stringify(rule) : ''}|${kind === 'AUTOMATIC' ? JSON.stringify(automaticRule) : ''}`;
  let s = written.get(key);
  if (s === undefined) {
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(key, (s = writePlan(kind, rule, automaticRule, locale)));
  }
  return s;
}

function writePlan(kind: PlanKind, rule: RuleJson | null, automaticRule: RuleJson | null, locale: string): string {
  const t = translator(locale, 'plan');
  switch (kind) {
    case 'AUTOMATIC':
      return automaticRule ? t('automatic', { rule: summarizeRule(automaticRule, locale) }) : t('automaticNever');
    case 'SCHEDULED':
      return rule ? t('scheduled', { rule: summarizeRule(rule, locale) }) : t('scheduledNone');
    case 'DISABLED':
      return t('disabled');
  }
}
