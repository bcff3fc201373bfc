'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Badge, Button, Checkbox, Group, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import { apiErrors, errorMessage } from '../../_lib/errors';
import { useFormat } from '../../_lib/use-format';
import { recipientLines, recipientsError, type Translate } from '../../_lib/recipients';
import { REPORT_WHEN } from '../../_lib/status';
import { useLabels } from '../../_lib/use-labels';
import { UPDATE_JOB } from '../../_lib/operations';
import type { JobDetail, ReportWhen } from '../../_lib/types';
import { CommandInfo } from './CommandInfo';
import { ParameterDefaults } from './ParameterDefaults';

interface Props {
  job: JobDetail;
  onDirty: (dirty: boolean) => void;
}

/** Server errors on input.report.recipients[i] name a line; show them like the ones found as typed. */
function serverRecipientError(error: unknown, lines: string[], t: Translate) {
  for (const e of apiErrors(error)) {
    if (e.code !== 'BAD_USER_INPUT' || !e.field?.startsWith('input.report')) continue;
    const m = /^input\.report\.recipients\[(\d+)\]$/.exec(e.field);
    if (m) {
      const i = Number(m[1]);
      const line = lines[i];
      return line
        ? t('information.serverLineErrorWithText', { line: i + 1, text: line, message: e.message })
        : t('information.serverLineError', { line: i + 1, message: e.message });
    }
    return e.message;
  }
  return null;
}

export function InformationTab({ job, onDirty }: Props) {
  const t = useTranslations('jobWindow');
  const L = useLabels();
  const fmt = useFormat();
  const saved = job.report;
  const [send, setSend] = useState(saved.send);
  const [text, setText] = useState(saved.recipients.join('\n'));
  const [when, setWhen] = useState<ReportWhen>(saved.when);
  const [touched, setTouched] = useState(false);
  const [update, { loading, error, reset, data }] = useMutation(UPDATE_JOB);

  const lines = useMemo(() => recipientLines(text), [text]);
  const dirty = send !== saved.send || when !== saved.when || lines.join('\n') !== saved.recipients.join('\n');
  useEffect(() => onDirty(dirty), [dirty, onDirty]);

  const localError = recipientsError(text, send, t);
  const serverError = serverRecipientError(error, lines, t);
  const whenData = useMemo(() => REPORT_WHEN.map((w) => ({ value: w, label: L.reportWhen(w) })), [L]);
  const otherError = error && !serverError ? errorMessage(error) : null;
  const shownError = (touched || text !== '' ? localError : null) ?? serverError;

  async function save() {
    setTouched(true);
    if (localError) return;
    try {
      const r = await update({ variables: { jobId: job.jobId, domain: job.domain, input: { report: { send, recipients: lines, when } } } });
      // The server keeps addresses lower-cased and without duplicates: show what it kept.
      const kept = r.data?.updateJob.report;
      if (kept) {
        setSend(kept.send);
        setText(kept.recipients.join('\n'));
        setWhen(kept.when);
      }
    } catch {
      // shown from `error`
    }
  }

  function revert() {
    setSend(saved.send);
    setText(saved.recipients.join('\n'));
    setWhen(saved.when);
    setTouched(false);
    reset();
  }

  return (
    <Stack gap="md" pt="md" data-testid="tab-information">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={t('information.jobId')} value={job.jobId} readOnly variant="filled" data-testid="info-jobid" />
        <TextInput label={t('information.domain')} value={job.domain} readOnly variant="filled" />
      </SimpleGrid>
      <Textarea label={t('information.description')} value={job.description} readOnly variant="filled" autosize minRows={1} maxRows={4} />
      <Group gap="xl" wrap="wrap">
        <div><Text size="xs" c="dimmed">{t('information.kind')}</Text><Text size="sm">{L.kind(job.kind)}</Text></div>
        <div><Text size="xs" c="dimmed">{t('information.timeout')}</Text><Text size="sm">{fmt.duration(job.timeoutSeconds * 1000)}</Text></div>
        <div>
          <Text size="xs" c="dimmed">{t('information.locks')}</Text>
          {job.locks.length ? <Group gap={4}>{job.locks.map((l) => <Badge key={l} variant="outline" size="sm">{l}</Badge>)}</Group> : <Text size="sm" c="dimmed">{t('information.noLocks')}</Text>}
        </div>
      </Group>

      <CommandInfo jobRef={{ jobId: job.jobId, domain: job.domain }} />
      <ParameterDefaults jobRef={{ jobId: job.jobId, domain: job.domain }} />

      <Stack gap="xs" component="fieldset" style={{ border: 'none', padding: 0, margin: 0 }}>
        <Checkbox label={t('information.sendReport')} description={t('information.sendReportDescription')}
          checked={send} onChange={(e) => { setSend(e.currentTarget.checked); reset(); }} data-testid="report-send" />
        <Textarea
          label={t('information.recipients')}
          description={t('information.recipientsDescription')}
          placeholder={t('information.recipientsPlaceholder')}
          autosize
          minRows={3}
          maxRows={8}
          value={text}
          onChange={(e) => { setText(e.currentTarget.value); reset(); }}
          onBlur={() => setTouched(true)}
          error={shownError}
          data-testid="report-recipients"
          spellCheck={false}
        />
        <Select label={t('information.when')} data={whenData} value={when} onChange={(v) => v && setWhen(v as ReportWhen)} allowDeselect={false} w={280}
          data-testid="report-when" comboboxProps={{ zIndex: 400 }} />
      </Stack>

      {otherError && <Alert color="red" data-testid="info-error">{otherError}</Alert>}
      {data && !dirty && !error && <Text size="sm" c="green" role="status" data-testid="info-saved">{t('information.saved')}</Text>}
      <Group justify="flex-end" className="jd-sticky-actions">
        <Button variant="default" disabled={!dirty || loading} onClick={revert} data-testid="info-cancel">{t('cancel')}</Button>
        <Button disabled={!dirty || Boolean(localError)} loading={loading} onClick={() => void save()} data-testid="info-save">{t('save')}</Button>
      </Group>
    </Stack>
  );
}
