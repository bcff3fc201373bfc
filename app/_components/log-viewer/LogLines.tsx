'use client';

import { Center, Loader, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useFormat } from '../../_lib/use-format';
import type { LogEntry, LogLevel } from '../../_lib/types';
import type { LogRows } from './log-pages';

const LINE_HEIGHT = 20;
/**
 * Browsers cap an element's height (Chromium near 33.5M px, Firefox near 17.9M): past this the
 * list is drawn at its real size but scrolled through a shorter track, each pixel of scroll moving
 * `scale` pixels of lines.
 */
const MAX_TRACK_PX = 15_000_000;
const OVERSCAN = 20;

const LEVEL_STYLE: Record<LogLevel, string | undefined> = {
  ERROR: 'var(--mantine-color-red-text)',
  WARNING: 'var(--mantine-color-orange-text)',
  PROGRESS: 'var(--mantine-color-dimmed)',
  INFO: undefined,
};

export type JumpRequest = { index: number; nonce: number };

interface Props {
  rows: LogRows;
  /** Changes whenever rows were read or added. */
  version: number;
  /** Rows are lines by seq (row i is seq i + 1), not the matches of a filter. */
  bySeq: boolean;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  /** Bring this row to the middle of the view (once per nonce). */
  jump: JumpRequest | null;
  highlight: number | null;
  /** Digits of the largest line number, for the width of the numbers' column. */
  digits: number;
  emptyText: string;
}

/** Where the lines are drawn for a scroll position: the track is the scroll area, capped at MAX_TRACK_PX. */
function geometry(rowCount: number, viewHeight: number) {
  const full = rowCount * LINE_HEIGHT;
  const track = Math.min(full, MAX_TRACK_PX);
  const scale = full > track && track > viewHeight ? (full - viewHeight) / (track - viewHeight) : 1;
  return { full, track, scale };
}

/**
 * The log's lines, virtualised by hand: rows have one height, so the rows on screen follow from the
 * scroll position alone, with no per-row bookkeeping (a million rows cost nothing until shown).
 * Rows not read yet show a placeholder until their window arrives.
 */
export function LogLines({ rows, version, bySeq, follow, onFollowChange, jump, highlight, digits, emptyText }: Props) {
  const fmt = useFormat();
  const t = useTranslations('logViewer');
  const scrollRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 0 });
  const rowCount = rows.count + (rows.more ? 1 : 0);
  const { track, scale } = geometry(rowCount, view.height);
  const virtualTop = view.top * scale;
  const first = Math.max(0, Math.floor(virtualTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(rowCount - 1, Math.ceil((virtualTop + view.height) / LINE_HEIGHT) + OVERSCAN);


  const measure = () => {
    const el = scrollRef.current;
    if (el) setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  };

  // Follow the tail: after each growth, the last line; drawn before the browser paints.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!follow || !el || rowCount === 0) return;
    el.scrollTop = el.scrollHeight;
    measure();
  }, [follow, rowCount, version]);

  const following = useRef(follow);
  following.current = follow;

  const done = useRef(-1);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!jump || !el || rowCount === 0 || done.current === jump.nonce) return;
    done.current = jump.nonce;
    const h = el.clientHeight;
    const g = geometry(rowCount, h);
    const index = Math.min(jump.index, rowCount - 1);
    const target = Math.max(0, Math.min(g.full - h, index * LINE_HEIGHT - (h - LINE_HEIGHT) / 2));
    el.scrollTop = target / g.scale;
    measure();
  }, [jump, rowCount, rows]);

  // After the scroll moves above (same commit), from the element itself: the state may lag a render.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || rowCount === 0) return;
    const g = geometry(rowCount, el.clientHeight);
    const top = el.scrollTop * g.scale;
    const from = Math.max(0, Math.floor(top / LINE_HEIGHT) - OVERSCAN);
    const to = Math.min(rowCount - 1, Math.ceil((top + el.clientHeight) / LINE_HEIGHT) + OVERSCAN);
    rows.show(from, to);
  }, [rows, rowCount, first, last, version]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    measure();
    // The list's height changes with what is above it (a notice, wrapped controls): the tail stays.
    const resized = new ResizeObserver(() => {
      if (following.current) el.scrollTop = el.scrollHeight;
      measure();
    });
    resized.observe(el);
    // Scrolling up stops following; coming back to the bottom resumes it.
    let lastTop = el.scrollTop;
    const onScroll = () => {
      measure();
      const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
      if (el.scrollTop < lastTop && fromBottom > LINE_HEIGHT * 2) onFollowChange(false);
      else if (fromBottom <= 2) onFollowChange(true);
      lastTop = el.scrollTop;
    };
    // A wheel turned upwards is the reader's wish to stop, whatever the scroll events say: while a
    // fast log grows, following put the view back at the bottom before the wheel's own scroll
    // events went far enough up to count, and the reader was pulled down again.
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY < 0) onFollowChange(false);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('wheel', onWheel, { passive: true });
    return () => {
      resized.disconnect();
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('wheel', onWheel);
    };
  }, [onFollowChange]);

  const items: ReactNode[] = [];
  let pending = false;
  for (let i = first; i <= last; i++) {
    const style: CSSProperties = { position: 'absolute', top: view.top + i * LINE_HEIGHT - virtualTop, left: 0, right: 0, height: LINE_HEIGHT };
    const e = rows.entry(i);
    if (e) {
      items.push(<Line key={`l${i}`} e={e} style={style} marked={e.seq === highlight} digits={digits} time={fmt.logTime(e.at)} />);
    } else if (i >= rows.count) {
      items.push(
        <div key="more" className="jd-log-line" style={style} data-testid="log-more">
          <Loader size={10} type="dots" aria-hidden /> <Text span size="xs" c="dimmed">{t('lines.loadingMore')}</Text>
        </div>,
      );
    } else {
      pending = true;
      const seq = bySeq ? i + 1 : undefined;
      items.push(
        <div key={`l${i}`} className="jd-log-line" style={style} data-testid="log-line-pending" data-seq={seq} aria-hidden>
          <span style={{ ...GUTTER, minWidth: `${digits}ch` }}>{seq}</span>
          <span style={PLACEHOLDER} />
        </div>,
      );
    }
  }

  return (
    <div
      ref={scrollRef}
      style={{ overflow: 'auto', flex: 1, minHeight: 160, border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, overflowAnchor: 'none' }}
      tabIndex={0}
      role="log"
      aria-label={t('lines.label')}
      aria-live="off"
      aria-busy={pending}
      data-testid="log-lines"
      data-rows={rowCount}
      data-held-pages={rows.held}
    >
      {rowCount === 0 ? (
        <Center h="100%" p="md"><Text size="sm" c="dimmed">{emptyText}</Text></Center>
      ) : (
        <div style={{ height: track, position: 'relative', minWidth: '100%', width: 'max-content' }}>{items}</div>
      )}
    </div>
  );
}

const GUTTER: CSSProperties = { display: 'inline-block', textAlign: 'right', color: 'var(--mantine-color-dimmed)', userSelect: 'none', marginRight: '1.5ch' };
const PLACEHOLDER: CSSProperties = {
  display: 'inline-block', width: '30ch', height: 8, borderRadius: 4, verticalAlign: 'middle', background: 'var(--mantine-color-default-border)',
};

function Line({ e, style, marked, digits, time }: { e: LogEntry; style: CSSProperties; marked: boolean; digits: number; time: string }) {
  return (
    <div
      className="jd-log-line"
      data-testid="log-line"
      data-level={e.level}
      data-seq={e.seq}
      data-marked={marked || undefined}
      aria-current={marked || undefined}
      style={marked ? { ...style, background: 'var(--mantine-color-yellow-light)', boxShadow: 'inset 3px 0 var(--mantine-color-yellow-filled)' } : style}
    >
      <span style={{ ...GUTTER, minWidth: `${digits}ch` }}>{e.seq}</span>
      <span style={{ color: 'var(--mantine-color-dimmed)' }} title={e.at}>{time}</span>
      {' – '}
      <span style={{ color: LEVEL_STYLE[e.level], fontWeight: e.level === 'INFO' ? undefined : 600, display: 'inline-block', minWidth: '8ch' }}>
        {e.level}
      </span>
      {' – '}
      <span style={{ color: e.level === 'INFO' ? undefined : LEVEL_STYLE[e.level] }}>{e.message}</span>
    </div>
  );
}
