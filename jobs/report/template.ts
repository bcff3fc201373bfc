/**
 * Renders one execution report as subject + text + HTML. Pure: no I/O, so the outbox can render
 * inside the transaction that ends an execution and the Mail page can show exactly what was queued.
 * HTML uses inline styles only: most mail clients drop <style> blocks and external CSS.
 */
import type { ExecStatus, ExecTrigger } from '../../db/queries/executions';
import { executionPath } from '../../lib/console-links';
import { translator, type Translate } from '../../lib/i18n/translate';
import { logEntryText, printableLogText } from '../../lib/log-text';
import { MASK } from '../parameters';
import type { LogLevel } from '../types';

export type ReportStatus = ExecStatus;
export type ReportLogEntry = { seq: number; at: Date; level: LogLevel; message: string };

export type ReportData = {
  executionId: number;
  jobId: string;
  description: string;
  domain: string;
  status: ReportStatus;
  trigger: ExecTrigger;
  triggeredBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  warningCount: number;
  errorCount: number;
  /** The run's parameter values, secret ones already masked (null): shown as "•••". */
  parameters?: { name: string; value: string | null }[];
  /** Lines the runner dropped past LOG_MAX_LINES (never stored, so never shown). */
  droppedLines?: number;
  /** The first entries of the log, in seq order. May be the whole log. */
  head: ReportLogEntry[];
  /** The last entries of the log, in seq order; may overlap head (overlap is shown once). */
  tail: ReportLogEntry[];
  /** How many entries the stored log has in all. */
  totalLines: number;
  /** At most this many entries are shown: the first half and the last half. */
  maxLines: number;
  /** Console address; without it the report carries no link. */
  publicUrl?: string;
  /** The report's language (messages/<locale>/email.json); English when absent. */
  locale?: string;
};

export type RenderedReport = { subject: string; text: string; html: string };

/** One line of a report is cut past this many characters: a 16 KB log line would drown the mail. */
export const REPORT_LINE_MAX_CHARS = 2000;

const STATUS_COLOURS: Record<ReportStatus, string> = {
  IN_PROGRESS: '#1971c2',
  SUCCESS: '#2f9e44',
  WARNING: '#e8590c',
  FAILURE: '#e03131',
  CANCELLED: '#868e96',
  INTERRUPTED: '#c92a2a',
};
const LEVEL_COLOURS: Record<LogLevel, string> = {
  ERROR: '#e03131',
  WARNING: '#e8590c',
  PROGRESS: '#868e96',
  INFO: '#212529',
};

// Control characters (CR/LF above all) must never reach a header; in bodies they are shown, not obeyed.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const oneLine = (s: string) => s.replace(CONTROL_CHARS, ' ').trim();

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatInstant(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h} h ${m} min ${s} s`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

export function executionLink(publicUrl: string | undefined, jobId: string, domain: string, executionId: number) {
  if (!publicUrl) return undefined;
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}${executionPath(jobId, domain, executionId)}`;
}

/** What the report shows of the log: first half, last half, and how many lines fell in between. */
export function selectLines(data: Pick<ReportData, 'head' | 'tail' | 'totalLines' | 'maxLines'>) {
  const headMax = Math.ceil(data.maxLines / 2);
  const tailMax = Math.floor(data.maxLines / 2);
  const all = mergeBySeq(data.head, data.tail);
  if (all.length <= data.maxLines && all.length >= data.totalLines) return { first: all, last: [], omitted: 0 };
  const first = data.head.slice(0, headMax);
  const lastSeqOfFirst = first.length ? first[first.length - 1]!.seq : -Infinity;
  const after = data.tail.filter((e) => e.seq > lastSeqOfFirst);
  const last = tailMax > 0 ? after.slice(-tailMax) : [];
  return { first, last, omitted: Math.max(0, data.totalLines - first.length - last.length) };
}

function mergeBySeq(a: ReportLogEntry[], b: ReportLogEntry[]) {
  const bySeq = new Map<number, ReportLogEntry>();
  for (const e of a) bySeq.set(e.seq, e);
  for (const e of b) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

// Terminal escapes and other controls in a log line are shown as spaces; line breaks are kept
// (the console's download does the same, lib/log-text.ts).
function clip(t: Translate, message: string) {
  const m = printableLogText(message);
  return m.length > REPORT_LINE_MAX_CHARS ? `${m.slice(0, REPORT_LINE_MAX_CHARS)} ${t('cut')}` : m;
}

function facts(t: Translate, data: ReportData) {
  const duration = data.endedAt ? formatDuration(data.endedAt.getTime() - data.startedAt.getTime()) : '—';
  const trigger = t(`trigger.${data.trigger}`);
  const who = data.triggeredBy ? t('triggeredBy', { trigger, who: data.triggeredBy }) : trigger;
  const rows: [string, string][] = [
    [t('fact.status'), t(`status.${data.status}`)],
    [t('fact.job'), data.jobId],
    [t('fact.description'), data.description],
    [t('fact.domain'), data.domain],
    [t('fact.trigger'), who],
    [t('fact.started'), formatInstant(data.startedAt)],
    [t('fact.ended'), data.endedAt ? formatInstant(data.endedAt) : '—'],
    [t('fact.duration'), duration],
    [t('fact.warnings'), String(data.warningCount)],
    [t('fact.errors'), String(data.errorCount)],
  ];
  if (data.parameters?.length) rows.push([t('fact.parameters'), data.parameters.map((p) => `${p.name}=${p.value ?? MASK}`).join(', ')]);
  if (data.droppedLines) rows.push([t('fact.droppedLines'), t('droppedLines', { n: data.droppedLines })]);
  return rows.map(([k, v]) => [k, oneLine(v)] as const);
}

export function renderReport(data: ReportData): RenderedReport {
  const t = translator(data.locale, 'email');
  const subject = oneLine(t('subject', { status: t(`subjectStatus.${data.status}`), domain: data.domain, job: data.jobId }));
  const link = executionLink(data.publicUrl, data.jobId, data.domain, data.executionId);
  const lines = selectLines(data);
  const rows = facts(t, data);
  return { subject, text: renderText(t, rows, lines, link, data.totalLines), html: renderHtml(t, data, rows, lines, link, subject) };
}

type Lines = ReturnType<typeof selectLines>;

function renderText(t: Translate, rows: (readonly [string, string])[], lines: Lines, link: string | undefined, total: number) {
  const console = t('fact.console');
  const width = Math.max(console.length, ...rows.map(([k]) => k.length)) + 2;
  const out = rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
  if (link) out.push(`${`${console}:`.padEnd(width)}${link}`);
  out.push('', t('logTitle', { n: total }), '');
  // Continuation lines of a multi-line message are indented so each entry stays one block.
  const entryText = (e: ReportLogEntry) => logEntryText(`${formatInstant(e.at).slice(11, 19)} ${e.level.padEnd(8)} `, clip(t, e.message));
  for (const e of lines.first) out.push(entryText(e));
  if (lines.omitted > 0) out.push(t('omitted', { n: lines.omitted }));
  for (const e of lines.last) out.push(entryText(e));
  if (total === 0) out.push(t('noEntries'));
  return `${out.join('\n')}\n`;
}

function renderHtml(
  t: Translate,
  data: ReportData,
  rows: (readonly [string, string])[],
  lines: Lines,
  link: string | undefined,
  subject: string,
) {
  const colour = STATUS_COLOURS[data.status];
  const cell = 'padding:2px 12px 2px 0;vertical-align:top;';
  const factRows = rows
    .map(([k, v], i) => {
      const value =
        i === 0
          ? `<span style="display:inline-block;padding:1px 8px;border-radius:3px;background:${colour};color:#ffffff;font-weight:bold;">${escapeHtml(v)}</span>`
          : escapeHtml(v);
      return `<tr><td style="${cell}color:#868e96;">${escapeHtml(k)}</td><td style="${cell}">${value}</td></tr>`;
    })
    .join('\n');
  const entryHtml = (e: ReportLogEntry) =>
    `<div style="white-space:pre-wrap;word-break:break-word;color:${LEVEL_COLOURS[e.level]};">` +
    `<span style="color:#868e96;">${escapeHtml(formatInstant(e.at).slice(11, 19))}</span> ` +
    `<span style="font-weight:bold;">${escapeHtml(e.level.padEnd(8))}</span> ${escapeHtml(clip(t, e.message))}</div>`;
  const log = [
    ...lines.first.map(entryHtml),
    ...(lines.omitted > 0
      ? [`<div style="color:#868e96;font-style:italic;padding:4px 0;">${escapeHtml(t('omitted', { n: lines.omitted }))}</div>`]
      : []),
    ...lines.last.map(entryHtml),
    ...(data.totalLines === 0 ? [`<div style="color:#868e96;">${escapeHtml(t('noEntries'))}</div>`] : []),
  ].join('\n');
  const linkHtml = link
    ? `<p style="margin:16px 0;"><a href="${escapeHtml(link)}" style="color:#1971c2;">${escapeHtml(t('openLink'))}</a></p>`
    : '';
  return `<!DOCTYPE html>
<html lang="${t('htmlLang')}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#212529;background:#ffffff;">
<div style="border-left:4px solid ${colour};padding-left:12px;margin-bottom:16px;">
<h2 style="margin:0 0 8px 0;font-size:18px;">${escapeHtml(data.jobId)} · ${escapeHtml(data.domain)}</h2>
<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:14px;">
${factRows}
</table>
</div>
${linkHtml}
<h3 style="margin:16px 0 8px 0;font-size:15px;">${escapeHtml(t('logTitle', { n: data.totalLines }))}</h3>
<div style="font-family:Menlo,Consolas,monospace;font-size:12px;line-height:1.5;background:#f8f9fa;padding:8px;border:1px solid #dee2e6;">
${log}
</div>
</body></html>
`;
}
