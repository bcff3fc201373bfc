'use client';

import { ActionIcon, Button, Checkbox, Group, Input, NumberInput, Select, Stack, TextInput, Text } from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { EVERY_HOURS, EVERY_MINUTES, RULE_KINDS, timeZones, WEEKDAYS, type RuleForm } from '../../_lib/rule-form';
import type { RuleKind, Weekday } from '../../_lib/types';

interface Props {
  form: RuleForm;
  onChange: (patch: Partial<RuleForm>) => void;
  /** Errors keyed by the rule's field path: "cron", "days", "times", "times[1]", "every", "timeZone", "spreadMinutes". */
  errors: Map<string, string>;
}

const popover = { zIndex: 400 };

/** The "Scheduled" rule: every N minutes / every N hours / daily at times / cron, in a time zone. */
export function RuleEditor({ form, onChange, errors }: Props) {
  const t = useTranslations('jobWindow');
  const kinds = useMemo(() => RULE_KINDS.map((k) => ({ value: k, label: t(`rule.kind.${k}`) })), [t]);
  const minutes = useMemo(() => EVERY_MINUTES.map((n) => ({ value: String(n), label: t('rule.minutes', { count: n }) })), [t]);
  const hours = useMemo(() => EVERY_HOURS.map((n) => ({ value: String(n), label: t('rule.hours', { count: n }) })), [t]);
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(form.timeZone) ? all : [form.timeZone, ...all];
  }, [form.timeZone]);
  const timesError = errors.get('times');

  return (
    <Stack gap="sm" data-testid="rule-editor">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <Select label={t('rule.repeat')} data={kinds} value={form.kind} allowDeselect={false} w={200}
          onChange={(v) => v && onChange({ kind: v as RuleKind })} comboboxProps={popover} data-testid="rule-kind" />
        {form.kind === 'EVERY_MINUTES' && (
          <Select label={t('rule.every')} data={minutes}
            value={String(form.minutes)} allowDeselect={false} w={160} error={errors.get('every')}
            onChange={(v) => v && onChange({ minutes: Number(v) })} comboboxProps={popover} data-testid="rule-minutes" />
        )}
        {form.kind === 'EVERY_HOURS' && (
          <Select label={t('rule.every')} data={hours}
            value={String(form.hours)} allowDeselect={false} w={160} error={errors.get('every')}
            onChange={(v) => v && onChange({ hours: Number(v) })} comboboxProps={popover} data-testid="rule-hours" />
        )}
        <Select label={t('rule.timeZone')} data={zones} value={form.timeZone} searchable allowDeselect={false} w={260} limit={400}
          nothingFoundMessage={t('rule.noTimeZone')} error={errors.get('timeZone')}
          onChange={(v) => v && onChange({ timeZone: v })} comboboxProps={popover} data-testid="rule-timezone" />
      </Group>

      {form.kind === 'DAILY' && (
        <>
          <Checkbox.Group label={t('rule.days')} value={form.days} onChange={(v) => onChange({ days: v as Weekday[] })} error={errors.get('days')}
            data-testid="rule-days">
            <Group gap="md" mt={6}>
              {WEEKDAYS.map((d) => <Checkbox key={d} value={d} label={t(`rule.weekday.${d}`)} data-testid={`rule-day-${d}`} />)}
            </Group>
          </Checkbox.Group>
          <Input.Wrapper label={t('rule.times')} error={timesError} description={t('rule.timesDescription')}>
            <Stack gap={6} mt={6} data-testid="rule-times">
              {form.times.map((time, i) => (
                <Group key={i} gap="xs" wrap="nowrap">
                  <TimeInput
                    value={time}
                    w={140}
                    aria-label={t('rule.time', { n: i + 1 })}
                    error={errors.get(`times[${i}]`)}
                    onChange={(e) => onChange({ times: form.times.map((x, j) => (j === i ? e.currentTarget.value : x)) })}
                    data-testid={`rule-time-${i}`}
                  />
                  <ActionIcon variant="subtle" color="gray" aria-label={t('rule.removeTime', { n: i + 1 })} disabled={form.times.length <= 1}
                    onClick={() => onChange({ times: form.times.filter((_, j) => j !== i) })} data-testid={`rule-time-remove-${i}`}>
                    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" /></svg>
                  </ActionIcon>
                </Group>
              ))}
              <Button variant="subtle" size="compact-sm" w="fit-content" onClick={() => onChange({ times: [...form.times, ''] })}
                disabled={form.times.length >= 48} data-testid="rule-time-add">
                {t('rule.addTime')}
              </Button>
            </Stack>
          </Input.Wrapper>
        </>
      )}

      {form.kind === 'CRON' && (
        <TextInput
          label={t('rule.cron')}
          description={t('rule.cronDescription')}
          value={form.cron}
          onChange={(e) => onChange({ cron: e.currentTarget.value })}
          error={errors.get('cron')}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          spellCheck={false}
          w="100%"
          maw={360}
          data-testid="rule-cron"
        />
      )}
      <NumberInput
        label={t('rule.spread')}
        description={t('rule.spreadDescription')}
        value={form.spreadMinutes}
        min={0}
        allowDecimal={false}
        allowNegative={false}
        clampBehavior="none"
        w="100%"
        maw={520}
        error={errors.get('spreadMinutes')}
        onChange={(v) => onChange({ spreadMinutes: typeof v === 'number' ? v : v === '' ? 0 : Number.NaN })}
        data-testid="rule-spread"
      />
      {errors.get('') && <Text size="sm" c="red">{errors.get('')}</Text>}
    </Stack>
  );
}
