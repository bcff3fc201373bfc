'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Paper, Radio, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { apiErrors, errorMessage } from '../../_lib/errors';
import { browserTimeZone, isLocalZone } from '../../_lib/format';
import { useFormat } from '../../_lib/use-format';
import { DateText } from '../DateText';
import { UPDATE_JOB } from '../../_lib/operations';
import { localRuleErrors, ruleForm, ruleInputOf, sameRule, toRuleInput, type RuleForm } from '../../_lib/rule-form';
import type { JobDetail, PlanKind } from '../../_lib/types';
import { RuleEditor } from './RuleEditor';
import { RulePreview } from './RulePreview';

interface Props {
  job: JobDetail;
  onDirty: (dirty: boolean) => void;
}

export function SchedulingTab({ job, onDirty }: Props) {
  const t = useTranslations('jobWindow');
  const fmt = useFormat();
  const savedRule = job.plan.kind === 'SCHEDULED' ? job.plan.rule : null;
  const [kind, setKind] = useState<PlanKind>(job.plan.kind);
  const [form, setForm] = useState<RuleForm>(() => ruleForm(savedRule, browserTimeZone()));
  const [previewErrors, setPreviewErrors] = useState<Map<string, string>>(new Map());
  const [update, { loading, error, reset, data }] = useMutation(UPDATE_JOB);

  const rule = useMemo(() => (kind === 'SCHEDULED' ? toRuleInput(form) : null), [kind, form]);
  const dirty = kind !== job.plan.kind || (kind === 'SCHEDULED' && !sameRule(rule, ruleInputOf(savedRule)));
  useEffect(() => onDirty(dirty), [dirty, onDirty]);

  const local = localRuleErrors(form, t);
  const saveErrors = new Map<string, string>();
  for (const e of apiErrors(error)) {
    if (e.code === 'BAD_USER_INPUT' && e.field?.startsWith('input.plan')) saveErrors.set(e.field.replace(/^input\.plan\.?(rule\.?)?/, ''), e.message);
  }
  const errors = new Map([...previewErrors, ...saveErrors, ...local]);
  const blocked = kind === 'SCHEDULED' && (local.size > 0 || previewErrors.size > 0);
  const otherError = error && saveErrors.size === 0 ? errorMessage(error) : null;

  const patch = useCallback((p: Partial<RuleForm>) => { setForm((f) => ({ ...f, ...p })); reset(); }, [reset]);
  const onPreviewErrors = useCallback((m: Map<string, string>) => setPreviewErrors(m), []);

  async function save() {
    try {
      const r = await update({ variables: { jobId: job.jobId, domain: job.domain, input: { plan: { kind, rule } } } });
      const saved = r.data?.updateJob.plan;
      if (saved?.kind === 'SCHEDULED' && saved.rule) setForm(ruleForm(saved.rule, browserTimeZone()));
    } catch {
      // shown from `error`
    }
  }

  function revert() {
    setKind(job.plan.kind);
    setForm(ruleForm(savedRule, browserTimeZone()));
    reset();
  }

  // The next run is due by the plan's rule: read it in that rule's zone when it is not the viewer's.
  const planZone = job.plan.rule?.timeZone;
  const ruleZone = planZone && !isLocalZone(planZone) ? planZone : null;
  const automaticInput = useMemo(() => ruleInputOf(job.automaticRule), [job.automaticRule]);
  // The preview shows this row's own times (its spread offset), as its next run will be.
  const jobRef = useMemo(() => ({ jobId: job.jobId, domain: job.domain }), [job.jobId, job.domain]);

  return (
    <Stack gap="md" pt="md" data-testid="tab-scheduling">
      <Paper withBorder p="xs" radius="sm">
        <Group gap="lg" wrap="wrap">
          <Text size="sm"><Text span c="dimmed">{t('scheduling.now')}{' '}</Text><span data-testid="sched-current">{fmt.localizeClock(job.plan.summary)}</span></Text>
          <Text size="sm">
            <Text span c="dimmed">{t('scheduling.nextRun')}{' '}</Text><DateText iso={job.nextRunAt} zone={ruleZone} empty={t('scheduling.noNextRun')} testId="sched-next" inline />
            {job.nextRunAt && ruleZone && <Text span size="sm" c="dimmed">{` ${t('scheduling.yourTime', { date: fmt.shortDate(job.nextRunAt) })}`}</Text>}
          </Text>
        </Group>
      </Paper>

      <Radio.Group label={t('scheduling.label')} value={kind} onChange={(v) => { setKind(v as PlanKind); reset(); }} data-testid="plan-kind">
        <Stack gap="xs" mt={6}>
          <Radio value="AUTOMATIC" data-testid="plan-AUTOMATIC" label={t('scheduling.automatic')}
            description={job.automaticRule ? t('scheduling.automaticDefault', { summary: fmt.localizeClock(job.automaticRule.summary) }) : t('scheduling.automaticNone')} />
          <Radio value="SCHEDULED" data-testid="plan-SCHEDULED" label={t('scheduling.scheduled')} description={t('scheduling.scheduledDescription')} />
          <Radio value="DISABLED" data-testid="plan-DISABLED" label={t('scheduling.disabled')} description={t('scheduling.disabledDescription')} />
        </Stack>
      </Radio.Group>

      {kind === 'SCHEDULED' && (
        <Paper withBorder p="sm" radius="sm">
          <RuleEditor form={form} onChange={patch} errors={errors} />
        </Paper>
      )}
      {kind === 'SCHEDULED' && local.size === 0 && <RulePreview rule={rule} job={jobRef} onErrors={onPreviewErrors} />}
      {kind === 'AUTOMATIC' && automaticInput && <RulePreview rule={automaticInput} job={jobRef} />}

      {otherError && <Alert color="red" data-testid="sched-error">{otherError}</Alert>}
      {data && !dirty && !error && <Text size="sm" c="green" role="status" data-testid="sched-saved">{t('scheduling.saved')}</Text>}
      <Group justify="flex-end" className="jd-sticky-actions">
        <Button variant="default" disabled={!dirty || loading} onClick={revert} data-testid="sched-cancel">{t('cancel')}</Button>
        <Button disabled={!dirty || blocked} loading={loading} onClick={() => void save()} data-testid="sched-save">{t('save')}</Button>
      </Group>
    </Stack>
  );
}
