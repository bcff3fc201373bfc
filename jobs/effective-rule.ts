import type { RuleJson } from '../db/schema/jobs';
import type { JobDefinition } from './types';

/** What AUTOMATIC means for a job: its developer's default, in the server's zone unless it names one. */
export function automaticRuleOf(def: JobDefinition, defaultTimeZone: string): RuleJson | null {
  return def.automatic ? ({ ...def.automatic, timeZone: def.automatic.timeZone ?? defaultTimeZone } as RuleJson) : null;
}

/** The rule a row runs by, or null when it never runs by itself. */
export function effectiveRule(
  row: { planKind: 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED'; rule: RuleJson | null },
  def: JobDefinition | undefined,
  defaultTimeZone: string,
): RuleJson | null {
  if (row.planKind === 'DISABLED' || !def) return null;
  if (row.planKind === 'SCHEDULED') return row.rule;
  return automaticRuleOf(def, defaultTimeZone);
}
