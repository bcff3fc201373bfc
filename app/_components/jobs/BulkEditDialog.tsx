'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Checkbox, Group, Modal, Paper, Radio, Select, Stack, Text, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useCallback, useMemo, useState } from 'react';
import { apiErrors, errorMessage } from '../../_lib/errors';
import { browserTimeZone } from '../../_lib/format';
import { useIsTopModal } from '../../_lib/modal-stack';
import { recipientLines, recipientsError } from '../../_lib/recipients';
import { localRuleErrors, ruleForm, toRuleInput, type RuleForm } from '../../_lib/rule-form';
import { REPORT_WHEN } from '../../_lib/status';
import type { JobFilter, JobRef, PlanKind, ReportWhen } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { RuleEditor } from '../job-window/RuleEditor';
import { RulePreview } from '../job-window/RulePreview';
import { UPDATE_JOBS } from './operations';

/** What the dialog changes: the rows named, or every row matching the list's filter (beyond the loaded page). */
export type BulkTarget = { refs: JobRef[]; filter?: undefined } | { filter: JobFilter; refs?: undefined };

interface Props {
  target: BulkTarget;
  /** How many rows the target holds (the list's total for a filter), said before anything changes. */
  count: number;
  onClose: () => void;
  /** The update is done: how many rows matched and how many changed. */
  onDone: (result: { matched: number; updated: number }) => void;
}

const popover = { zIndex: 400 };

/**
 * "Edit schedule / report" for many rows at once: the new plan and/or report settings, then a
 * question that says how many rows will change, then one updateJobs (all or nothing).
 */
export function BulkEditDialog({ target, count, onClose, onDone }: Props) {
  const t = useTranslations('jobs');
  const tw = useTranslations('jobWindow');
  const L = useLabels();
  const top = useIsTopModal(true);
  const narrow = useMediaQuery('(max-width: 700px)');
  const [changePlan, setChangePlan] = useState(true);
  const [kind, setKind] = useState<PlanKind>('SCHEDULED');
  const [form, setForm] = useState<RuleForm>(() => ruleForm(null, browserTimeZone()));
  const [changeReport, setChangeReport] = useState(false);
  const [send, setSend] = useState(true);
  const [text, setText] = useState('');
  const [when, setWhen] = useState<ReportWhen>('ALWAYS');
  // As in the job window: the recipients' problem shows once they were typed or left, not on opening.
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [previewErrors, setPreviewErrors] = useState<Map<string, string>>(new Map());
  const [update, { loading, error, reset }] = useMutation(UPDATE_JOBS);

  const rule = useMemo(() => (changePlan && kind === 'SCHEDULED' ? toRuleInput(form) : null), [changePlan, kind, form]);
  const local = changePlan && kind === 'SCHEDULED' ? localRuleErrors(form, tw) : new Map<string, string>();
  const lines = useMemo(() => recipientLines(text), [text]);
  const reportError = changeReport ? recipientsError(text, send, tw) : null;
  const whenData = useMemo(() => REPORT_WHEN.map((w) => ({ value: w, label: L.reportWhen(w) })), [L]);

  // The server's word on a field: next to it when it is one of the rule's, else above the buttons.
  const serverErrors = new Map<string, string>();
  let otherError: string | null = null;
  for (const e of apiErrors(error)) {
    if (e.code === 'BAD_USER_INPUT' && e.field?.startsWith('input.plan')) serverErrors.set(e.field.replace(/^input\.plan\.?(rule\.?)?/, ''), e.message);
    else otherError = e.message;
  }
  if (error && !otherError && serverErrors.size === 0) otherError = errorMessage(error);
  const errors = new Map([...previewErrors, ...serverErrors, ...local]);
  const nothing = !changePlan && !changeReport;
  const blocked = nothing || local.size > 0 || (changePlan && kind === 'SCHEDULED' && previewErrors.size > 0) || Boolean(reportError);

  const patch = useCallback((p: Partial<RuleForm>) => { setForm((f) => ({ ...f, ...p })); reset(); }, [reset]);
  const onPreviewErrors = useCallback((m: Map<string, string>) => setPreviewErrors(m), []);

  const what = changePlan && changeReport ? 'both' : changePlan ? 'schedule' : 'report';

  async function apply() {
    try {
      const r = await update({
        variables: {
          select: target.refs ? { refs: target.refs } : { filter: target.filter ?? {} },
          input: {
            ...(changePlan ? { plan: { kind, rule } } : {}),
            ...(changeReport ? { report: { send, recipients: lines, when } } : {}),
          },
        },
      });
      if (r.data) onDone(r.data.updateJobs);
    } catch {
      // Shown from `error`, on the form it is about.
      setConfirming(false);
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      closeOnEscape={top && !loading}
      trapFocus={top}
      size="min(760px, 96vw)"
      fullScreen={narrow}
      zIndex={300}
      title={<Text fw={600}>{t('bulk.title', { count })}</Text>}
      data-testid="bulk-dialog"
    >
      {confirming ? (
        <Stack gap="md">
          <Text size="sm" fw={500} data-testid="bulk-question">{t(`bulk.question.${what}`, { count })}</Text>
          <Text size="sm" c="dimmed">{t('bulk.allOrNothing')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)} disabled={loading} data-testid="bulk-back">{t('bulk.back')}</Button>
            <Button onClick={() => void apply()} loading={loading} data-testid="bulk-apply">{t('bulk.apply', { count })}</Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="md">
          <Text size="sm" c="dimmed" data-testid="bulk-count">{t('bulk.intro', { count })}</Text>
          <Checkbox label={t('bulk.changeSchedule')} checked={changePlan} onChange={(e) => { setChangePlan(e.currentTarget.checked); reset(); }} data-testid="bulk-change-plan" />
          {changePlan && (
            <Stack gap="sm" pl="lg">
              <Radio.Group label={tw('scheduling.label')} value={kind} onChange={(v) => { setKind(v as PlanKind); reset(); }} data-testid="bulk-plan-kind">
                <Stack gap="xs" mt={6}>
                  <Radio value="AUTOMATIC" label={tw('scheduling.automatic')} description={t('bulk.automaticDescription')} data-testid="bulk-plan-AUTOMATIC" />
                  <Radio value="SCHEDULED" label={tw('scheduling.scheduled')} description={tw('scheduling.scheduledDescription')} data-testid="bulk-plan-SCHEDULED" />
                  <Radio value="DISABLED" label={tw('scheduling.disabled')} description={tw('scheduling.disabledDescription')} data-testid="bulk-plan-DISABLED" />
                </Stack>
              </Radio.Group>
              {kind === 'SCHEDULED' && (
                <Paper withBorder p="sm" radius="sm">
                  <RuleEditor form={form} onChange={patch} errors={errors} />
                </Paper>
              )}
              {kind === 'SCHEDULED' && local.size === 0 && <RulePreview rule={rule} onErrors={onPreviewErrors} />}
            </Stack>
          )}
          <Checkbox label={t('bulk.changeReport')} checked={changeReport} onChange={(e) => { setChangeReport(e.currentTarget.checked); reset(); }} data-testid="bulk-change-report" />
          {changeReport && (
            <Stack gap="xs" pl="lg">
              <Checkbox label={tw('information.sendReport')} checked={send} onChange={(e) => { setSend(e.currentTarget.checked); reset(); }} data-testid="bulk-report-send" />
              <Textarea label={tw('information.recipients')} description={tw('information.recipientsDescription')} placeholder={tw('information.recipientsPlaceholder')}
                autosize minRows={2} maxRows={6} value={text} onChange={(e) => { setText(e.currentTarget.value); reset(); }} onBlur={() => setTouched(true)} error={touched || text !== '' ? reportError : null}
                spellCheck={false} data-testid="bulk-report-recipients" />
              <Select label={tw('information.when')} data={whenData} value={when} onChange={(v) => v && setWhen(v as ReportWhen)} allowDeselect={false} w={280}
                comboboxProps={popover} data-testid="bulk-report-when" />
            </Stack>
          )}
          {otherError && <Alert color="red" data-testid="bulk-error">{otherError}</Alert>}
          <Group justify="flex-end" className="jd-sticky-actions">
            <Button variant="default" onClick={onClose} data-testid="bulk-cancel">{tw('cancel')}</Button>
            <Button disabled={blocked} onClick={() => setConfirming(true)} data-testid="bulk-continue">{t('bulk.continue')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
