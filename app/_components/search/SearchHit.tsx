'use client';

import { useQuery } from '@apollo/client/react';
import { Anchor, Badge, Button, Group, Loader, Mark, Paper, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { Fragment, memo, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { SearchLogsQuery } from '../../_lib/generated';
import { withParams } from '../../_lib/jobs-url';
import type { LogLevel } from '../../_lib/types';
import { useFormat } from '../../_lib/use-format';
import { useLabels } from '../../_lib/use-labels';
import { StatusIcon } from '../StatusIcon';
import { excerpt, splitMatches, type Part } from './highlight';
import { LOG_CONTEXT } from './operations';
import css from './search.module.css';

export type Hit = SearchLogsQuery['searchLogs']['nodes'][number];

/** Badge colour per level; the level's name is written too, so colour is never the only sign. */
const LEVEL_BADGE: Record<LogLevel, string> = { ERROR: 'red', WARNING: 'orange', INFO: 'blue', PROGRESS: 'gray' };

function Marked({ parts }: { parts: Part[] }) {
  return parts.map((p, i) => (p.hit ? <Mark key={i} data-testid="search-match">{p.text}</Mark> : <Fragment key={i}>{p.text}</Fragment>));
}

/** The two lines before and after a hit, read when asked for (or for the first hits only). */
function Context({ hit, text, id }: { hit: Hit; text: string; id: string }) {
  const t = useTranslations('search');
  const fmt = useFormat();
  const { data, loading, error } = useQuery(LOG_CONTEXT, {
    variables: { id: hit.execution.id, afterSeq: Math.max(0, hit.entry.seq - 3), first: 5 },
  });
  if (error) return <Text size="xs" c="red" id={id}>{errorMessage(error)}</Text>;
  if (loading || !data) return <Loader size="xs" role="status" aria-label={t('hit.contextLoading')} />;
  const entries = data.execution?.logs.entries ?? [];
  if (!entries.length) return <Text size="xs" c="dimmed" id={id}>{t('hit.contextGone')}</Text>;
  return (
    <ol className={css.context} id={id} aria-label={t('hit.contextLabel', { seq: hit.entry.seq })} data-testid="search-context">
      {entries.map((e) => {
        const isHit = e.seq === hit.entry.seq;
        return (
          <li key={e.seq} className={css.contextLine} data-hit={isHit} data-testid="search-context-line" aria-current={isHit ? 'true' : undefined}>
            <span className={`${css.line} ${css.seq}`}>{e.seq}</span>
            <span className={css.line} title={fmt.logTime(e.at)}>{isHit ? <Marked parts={splitMatches(e.message, text)} /> : e.message}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** One matching line: where it is (job, domain, run), when, its level, the match highlighted, its neighbours on demand. */
export const SearchHit = memo(function SearchHit({ hit, text, withContext }: { hit: Hit; text: string; withContext: boolean }) {
  const t = useTranslations('search');
  const fmt = useFormat();
  const L = useLabels();
  const [open, setOpen] = useState(withContext);
  const { execution: x, entry: e } = hit;
  const shown = excerpt(e.message, text);
  const contextId = `context-${x.id}-${e.seq}`;
  const href = `/jobs${withParams(new URLSearchParams(), { job: `${x.jobId}@${x.domain}`, log: x.id, line: String(e.seq) })}`;
  const lineFull = fmt.fullDate(e.at);
  return (
    <Paper component="li" withBorder radius="sm" px="sm" py={6} data-testid="search-hit" data-execution={x.id} data-seq={e.seq} data-level={e.level}
      data-domain={x.domain}>
      <Group gap="xs" wrap="wrap" mb={4}>
        <Badge size="sm" variant="light" color={LEVEL_BADGE[e.level]} data-testid="search-hit-level">{L.level(e.level)}</Badge>
        <Text size="xs"><time dateTime={e.at} title={lineFull} aria-label={lineFull}>{fmt.shortDate(e.at, { seconds: true })}</time></Text>
        <Text size="sm" fw={500} data-testid="search-hit-job" style={{ overflowWrap: 'anywhere' }}>{x.jobId}</Text>
        <Text size="sm" c="dimmed" data-testid="search-hit-domain" style={{ overflowWrap: 'anywhere' }}>{x.domain}</Text>
        <Group gap={4} wrap="nowrap">
          <StatusIcon status={x.status} size={16} />
          <Text size="xs" c="dimmed">{t('hit.run', { started: fmt.shortDate(x.startedAt, { seconds: true }) })}</Text>
        </Group>
      </Group>
      <p className={css.line} data-testid="search-hit-line">
        {shown.cutStart && '… '}
        <Marked parts={shown.parts} />
        {shown.cutEnd && ' …'}
      </p>
      <Group gap="xs" mt={4} wrap="wrap">
        <Button size="compact-xs" variant="subtle" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={open ? contextId : undefined}
          data-testid="search-hit-context-toggle">
          {open ? t('hit.hideContext') : t('hit.showContext')}
        </Button>
        <Anchor component={Link} href={href} size="xs" data-testid="search-hit-open">{t('hit.open', { seq: e.seq })}</Anchor>
      </Group>
      {open && <Context hit={hit} text={text} id={contextId} />}
    </Paper>
  );
});
