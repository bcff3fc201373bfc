'use client';

import { Center, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslations } from 'next-intl';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useFormat } from '../../_lib/use-format';
import type { LogEntry, LogLevel } from '../../_lib/types';

const LINE_HEIGHT = 20;

const LEVEL_STYLE: Record<LogLevel, string | undefined> = {
  ERROR: 'var(--mantine-color-red-text)',
  WARNING: 'var(--mantine-color-orange-text)',
  PROGRESS: 'var(--mantine-color-dimmed)',
  INFO: undefined,
};

interface Props {
  lines: LogEntry[];
  /** Changes whenever `lines` grows (the array is appended in place). */
  version: number;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  emptyText: string;
}

/** Virtualised log lines: only the visible ones are in the DOM, so 100,000 lines scroll smoothly. */
export function LogLines({ lines, version, follow, onFollowChange, emptyText }: Props) {
  const fmt = useFormat();
  const t = useTranslations('logViewer');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 30,
  });

  // Follow the tail: after each growth, jump to the last line.
  useLayoutEffect(() => {
    if (follow && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [follow, version, lines.length, virtualizer]);

  // Scrolling up stops following; coming back to the bottom resumes it.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    let lastTop = el.scrollTop;
    const onScroll = () => {
      const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
      if (el.scrollTop < lastTop && fromBottom > LINE_HEIGHT * 2) onFollowChange(false);
      else if (fromBottom <= 2) onFollowChange(true);
      lastTop = el.scrollTop;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [onFollowChange]);

  return (
    <div
      ref={scrollRef}
      style={{ overflow: 'auto', flex: 1, minHeight: 160, border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
      tabIndex={0}
      role="log"
      aria-label={t('lines.label')}
      aria-live="off"
      data-testid="log-lines"
    >
      {lines.length === 0 ? (
        <Center h="100%" p="md"><Text size="sm" c="dimmed">{emptyText}</Text></Center>
      ) : (
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%', width: 'max-content' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const e = lines[item.index];
            if (!e) return null;
            return (
              <div
                key={e.seq}
                className="jd-log-line"
                data-testid="log-line"
                data-level={e.level}
                data-seq={e.seq}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: LINE_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                <span style={{ color: 'var(--mantine-color-dimmed)' }} title={e.at}>{fmt.logTime(e.at)}</span>
                {' – '}
                <span style={{ color: LEVEL_STYLE[e.level], fontWeight: e.level === 'INFO' ? undefined : 600, display: 'inline-block', minWidth: '8ch' }}>
                  {e.level}
                </span>
                {' – '}
                <span style={{ color: e.level === 'INFO' ? undefined : LEVEL_STYLE[e.level] }}>{e.message}</span>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
