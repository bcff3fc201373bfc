/**
 * Automated accessibility checks for the browser tests: axe-core (through @axe-core/playwright,
 * which drives playwright-core) on the page as it is, WCAG 2.x A/AA rules plus axe's best practices.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeFinding {
  id: string;
  impact: Impact;
  help: string;
  targets: string[];
}

export async function axe(page: Page): Promise<AxeFinding[]> {
  // resultTypes: details of violations only (passes and incomplete checks keep one node each): axe's own advice for big pages.
  // Legacy mode: axe.run in the page itself. The default runs axe in every frame, then opens a new
  // blank page, loads axe there a third time and merges the frames' results in it — for
  // cross-origin frames, which the console has none of. Same findings on every page, in half the time.
  const res = await new AxeBuilder({ page }).setLegacyMode().withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).options({ resultTypes: ['violations'] }).analyze();
  return res.violations.map((v) => ({
    id: v.id,
    impact: (v.impact ?? 'minor') as Impact,
    help: v.help,
    // For contrast, the colours and ratio axe measured: what a fix needs to know.
    targets: v.nodes.slice(0, 8).map((n) => {
      const d = n.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined;
      return n.target.join(' ') + (d?.contrastRatio ? ` (${d.fgColor} on ${d.bgColor}: ${d.contrastRatio})` : '');
    }),
  }));
}

/** "serious 1, moderate 2" — for a summary line per page. */
export function countByImpact(findings: AxeFinding[]) {
  const out: Record<Impact, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const f of findings) out[f.impact]++;
  return out;
}

export const blocking = (findings: AxeFinding[]) => findings.filter((f) => f.impact === 'serious' || f.impact === 'critical');
