'use client';

import { Button, Chip, Group, Input, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider } from '@mantine/dates';
import 'dayjs/locale/fr';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { LEVELS } from '../../_lib/status';
import type { LogLevel } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { DomainPicker } from '../DomainPicker';
import { TEXT_MAX, TEXT_MIN, textProblem, type SearchState } from './search-url';

const LEVEL_CHIP: Record<LogLevel, string> = { ERROR: 'red', WARNING: 'orange', INFO: 'blue', PROGRESS: 'gray' };

interface Props {
  state: SearchState;
  /** The text and the job: sent on Enter or "Search", never per keystroke. */
  onSubmit: (q: string, job: string) => void;
  /** Domain, levels and dates: applied at once. */
  onChange: (changes: Record<string, string | null>) => void;
}

/** What to look for and where. */
export function SearchForm({ state, onSubmit, onChange }: Props) {
  const t = useTranslations('search');
  const L = useLabels();
  const locale = useLocale();
  const [q, setQ] = useState(state.q);
  const [job, setJob] = useState(state.job);
  // A text from the URL that cannot be searched for is pointed out at once.
  const [tried, setTried] = useState(Boolean(state.q));
  const [range, setRange] = useState<[string | null, string | null]>([state.from, state.to]);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setQ(state.q), [state.q]);
  useEffect(() => setJob(state.job), [state.job]);
  useEffect(() => setRange([state.from, state.to]), [state.from, state.to]);

  const problem = textProblem(q);
  const error = tried && problem ? t(`form.${problem}`, { min: TEXT_MIN, max: TEXT_MAX }) : undefined;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!problem) onSubmit(q, job.trim());
  };

  return (
    <form onSubmit={submit} role="search" aria-label={t('form.label')} noValidate>
      <Stack gap="xs">
        <Input.Wrapper
          id="search-text"
          label={t('form.text')}
          description={t('form.textHint', { min: TEXT_MIN, max: TEXT_MAX })}
          error={error}
        >
          <Group gap="xs" wrap="nowrap" mt={4}>
            <Input
              id="search-text"
              style={{ flex: 1 }}
              placeholder={t('form.textPlaceholder')}
              value={q}
              maxLength={TEXT_MAX}
              error={Boolean(error)}
              aria-invalid={Boolean(error)}
              aria-describedby={error ? 'search-text-description search-text-error' : 'search-text-description'}
              onChange={(e) => setQ(e.currentTarget.value)}
              data-testid="search-text"
              autoFocus={!state.q}
              enterKeyHint="search"
            />
            <Button type="submit" data-testid="search-submit">{t('form.submit')}</Button>
          </Group>
        </Input.Wrapper>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="xs">
          <TextInput
            size="xs"
            label={t('form.job')}
            placeholder={t('form.jobPlaceholder')}
            value={job}
            maxLength={200}
            onChange={(e) => setJob(e.currentTarget.value)}
            data-testid="search-job"
          />
          <Stack gap={2}>
            {/* The picker names itself ("Domain") for assistive technology; this is its visible caption. */}
            <Input.Label size="xs" labelElement="div" aria-hidden>{t('form.domain')}</Input.Label>
            <DomainPicker value={state.domain} onChange={(d) => onChange({ domain: d })} w="100%" data-testid="search-domain" />
          </Stack>
          <DatesProvider settings={{ locale, firstDayOfWeek: 1 }}>
            <DatePickerInput
              size="xs"
              type="range"
              allowSingleDateInRange
              clearable
              label={t('form.dates')}
              placeholder={t('form.datesPlaceholder')}
              valueFormat="D MMM YYYY"
              value={range}
              onChange={(v) => {
                setRange(v);
                const [from, to] = v;
                // Half a range is still being picked; both ends, or none, are a search.
                if ((from && to) || (!from && !to)) onChange({ from, to });
              }}
              data-testid="search-dates"
              dropdownType="popover"
              popoverProps={{ withinPortal: true }}
              // Mantine's placeholder grey is under 4.5:1 in both schemes; the console's dimmed text is not.
              styles={{ placeholder: { color: 'var(--mantine-color-dimmed)' } }}
            />
          </DatesProvider>
          <Chip.Group multiple value={state.levels} onChange={(v) => onChange({ levels: LEVELS.filter((l) => v.includes(l)).join(',') })}>
            <Stack gap={4}>
              <Input.Label size="xs" labelElement="div" id="search-levels-label">{t('form.levels')}</Input.Label>
              <Group gap={6} wrap="wrap" role="group" aria-labelledby="search-levels-label">
                {LEVELS.map((l) => (
                  <Chip key={l} value={l} size="xs" color={LEVEL_CHIP[l]} variant="outline" data-testid={`level-filter-${l}`}>{L.level(l)}</Chip>
                ))}
              </Group>
            </Stack>
          </Chip.Group>
        </SimpleGrid>
      </Stack>
    </form>
  );
}
