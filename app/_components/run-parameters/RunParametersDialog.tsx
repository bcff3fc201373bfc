'use client';

import { Alert, Button, Group, Modal, NativeSelect, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { apiErrors } from '../../_lib/errors';
import { useIsTopModal } from '../../_lib/modal-stack';
import type { RunParametersQuery } from '../../_lib/generated';
import { PasswordField } from '../PasswordField';

export type RunJobParameters = NonNullable<RunParametersQuery['job']>;
export type JobParameterView = RunJobParameters['parameters'][number];
export type ParameterValueInput = { name: string; value: string };

/** What "Execute now" asks for a job that declares parameters; null: no dialog. */
export interface RunParametersRequest {
  job: RunJobParameters;
  /** How many rows (of this one job) the run starts: with several, an untouched field keeps each row's own default. */
  rowCount: number;
  /** Starts the run(s) with the values the user set; rejects with the API's error to show it here. */
  onSubmit: (values: ParameterValueInput[]) => Promise<void>;
  onClose: () => void;
}

const INT_RE = /^-?\d+$/;

/**
 * The small form "Execute now" opens when a job has parameters: one field per parameter (text,
 * number, switch, select; a password field for a secret), required ones marked, prefilled with the
 * row's own default, else the job's. Only the fields the user changed are sent: the others resolve
 * on the server exactly as shown (and, for several rows, to each row's own default).
 */
export function RunParametersDialog({ request }: { request: RunParametersRequest | null }) {
  const top = useIsTopModal(request !== null);
  if (!request) return null;
  return <DialogBody key={`${request.job.jobId}@${request.job.domain}:${request.rowCount}`} request={request} top={top} />;
}

function DialogBody({ request, top }: { request: RunParametersRequest; top: boolean }) {
  const t = useTranslations('common');
  const { job, rowCount } = request;
  const one = rowCount === 1;
  const rowDefault = (name: string) => (one ? job.parameterDefaults.find((v) => v.name === name) : undefined);
  const initial = useMemo(() => {
    const out: Record<string, string> = {};
    for (const p of job.parameters) out[p.name] = (p.secret ? null : rowDefault(p.name)?.value) ?? (p.secret ? '' : (p.default ?? ''));
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job]);
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setTouched((s) => new Set(s).add(name));
    setErrors(({ [name]: _, ...rest }) => rest);
    setGeneral(null);
  };

  /** The values to send: changed fields only; an empty secret or number means "the default". */
  function collect(): ParameterValueInput[] {
    return job.parameters.flatMap((p) => {
      if (!touched.has(p.name)) return [];
      const value = values[p.name] ?? '';
      if (value === '' && (p.secret || p.type !== 'STRING')) return [];
      return [{ name: p.name, value }];
    });
  }

  function check(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of job.parameters) {
      const value = values[p.name] ?? '';
      if (p.type === 'INT' && value !== '' && !INT_RE.test(value)) out[p.name] = t('runParameters.notInteger');
      // A secret's defaults are never shown: whether one exists is the server's to say.
      else if (p.required && !p.secret && value === '' && (one || touched.has(p.name))) out[p.name] = t('runParameters.required');
    }
    return out;
  }

  async function submit() {
    const found = check();
    setErrors(found);
    if (Object.keys(found).length) return;
    const sent = collect();
    setBusy(true);
    setGeneral(null);
    try {
      await request.onSubmit(sent);
    } catch (e) {
      const byField: Record<string, string> = {};
      const rest: string[] = [];
      for (const err of apiErrors(e)) {
        const m = err.code === 'BAD_USER_INPUT' ? /^parameters\[(\d+)\]$/.exec(err.field ?? '') : null;
        const name = m ? sent[Number(m[1])]?.name : undefined;
        if (name) byField[name] = err.message;
        else rest.push(err.message);
      }
      setErrors(byField);
      setGeneral(rest.join(' ') || null);
    } finally {
      setBusy(false);
    }
  }

  const field = (p: JobParameterView) => {
    const id = `run-param-${p.name}`;
    const common = {
      label: p.name,
      description: p.description ?? undefined,
      required: p.required,
      error: errors[p.name],
      'data-testid': id,
    };
    const value = values[p.name] ?? '';
    if (p.secret) {
      const isSet = one && job.parameterDefaults.some((v) => v.name === p.name);
      return (
        <PasswordField key={p.name} id={id} {...common} value={value} autoComplete="new-password"
          placeholder={isSet ? t('runParameters.secretSet') : t('runParameters.secretEmpty')} onChange={(e) => set(p.name, e.currentTarget.value)} />
      );
    }
    switch (p.type) {
      case 'BOOLEAN':
        return (
          <Switch key={p.name} id={id} label={p.name} description={common.description} error={common.error} data-testid={id}
            checked={value === 'true'} onChange={(e) => set(p.name, e.currentTarget.checked ? 'true' : 'false')} />
        );
      case 'CHOICE':
        return <NativeSelect key={p.name} id={id} {...common} data={p.choices ?? []} value={value} onChange={(e) => set(p.name, e.currentTarget.value)} />;
      case 'INT':
        return (
          <NumberInput key={p.name} id={id} {...common} value={value} allowDecimal={false} thousandSeparator={false} hideControls
            onChange={(v) => set(p.name, String(v))} inputMode="numeric" />
        );
      default:
        return <TextInput key={p.name} id={id} {...common} value={value} onChange={(e) => set(p.name, e.currentTarget.value)} />;
    }
  };

  return (
    <Modal opened onClose={request.onClose} closeOnEscape={top} trapFocus={top} zIndex={400} size="md" centered
      title={<Text fw={600}>{one ? t('runParameters.titleOne', { jobId: job.jobId, domain: job.domain }) : t('runParameters.titleMany', { jobId: job.jobId, count: rowCount })}</Text>}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="run-parameters" noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">{one ? t('runParameters.hintOne') : t('runParameters.hintMany')}</Text>
          {job.parameters.map(field)}
          {general && <Alert color="red" role="alert" data-testid="run-parameters-error">{general}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={request.onClose} data-testid="run-parameters-cancel">{t('runParameters.cancel')}</Button>
            <Button type="submit" loading={busy} data-testid="run-parameters-submit">{t('runParameters.run')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
