'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import { apiErrors } from '../../_lib/errors';
import type { JobRef } from '../../_lib/types';
import { PasswordField } from '../PasswordField';
import { RUN_PARAMETERS } from '../run-parameters/operations';
import type { JobParameterView } from '../run-parameters/RunParametersDialog';
import { UPDATE_PARAMETER_DEFAULTS } from './operations';

type Values = Record<string, string>;

/**
 * This row's own parameter defaults, editable: what Execute now prefills and scheduled runs take.
 * An empty field falls back to the job's default. A secret's value is never shown: it is "set" or
 * not, can be replaced or cleared, and is kept when left alone.
 */
export function ParameterDefaults({ jobRef }: { jobRef: JobRef }) {
  const { data } = useQuery(RUN_PARAMETERS, { variables: jobRef, fetchPolicy: 'cache-and-network' });
  const job = data?.job;
  if (!job?.parameters.length) return null;
  return <Editor jobRef={jobRef} parameters={job.parameters} defaults={job.parameterDefaults} />;
}

function Editor({ jobRef, parameters, defaults }: { jobRef: JobRef; parameters: JobParameterView[]; defaults: { name: string; value: string | null }[] }) {
  const t = useTranslations('jobWindow');
  const saved = useMemo(() => {
    const out: Values = {};
    for (const p of parameters) if (!p.secret) out[p.name] = defaults.find((d) => d.name === p.name)?.value ?? '';
    return out;
  }, [parameters, defaults]);
  const secretSet = (name: string) => defaults.some((d) => d.name === name);
  const [values, setValues] = useState<Values>(saved);
  const [secrets, setSecrets] = useState<Values>({});
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [update, { loading }] = useMutation(UPDATE_PARAMETER_DEFAULTS);

  const dirty = parameters.some((p) => (p.secret ? (secrets[p.name] ?? '') !== '' || cleared.has(p.name) : values[p.name] !== saved[p.name]));
  useEffect(() => {
    if (dirty) setDone(false);
  }, [dirty]);

  /** The new list: set values, replaced or cleared secrets ("" clears); a secret left alone is not named, so it is kept. */
  function collect() {
    const out: { name: string; value: string }[] = [];
    for (const p of parameters) {
      if (!p.secret) {
        if (values[p.name]) out.push({ name: p.name, value: values[p.name]! });
      } else if (secrets[p.name]) out.push({ name: p.name, value: secrets[p.name]! });
      else if (cleared.has(p.name)) out.push({ name: p.name, value: '' });
    }
    // [] clears every default, secrets included: name a non-secret one as "no default" to keep them.
    const keeper = parameters.find((p) => !p.secret);
    if (!out.length && keeper && parameters.some((p) => p.secret && secretSet(p.name))) out.push({ name: keeper.name, value: '' });
    return out;
  }

  async function save() {
    const sent = collect();
    setErrors({});
    setGeneral(null);
    try {
      await update({ variables: { ...jobRef, parameters: sent } });
      setSecrets({});
      setCleared(new Set());
      setDone(true);
    } catch (e) {
      const byField: Record<string, string> = {};
      const rest: string[] = [];
      for (const err of apiErrors(e)) {
        const m = /^input\.parameters\[(\d+)\]$/.exec(err.field ?? '');
        const name = m ? sent[Number(m[1])]?.name : undefined;
        if (name) byField[name] = err.message;
        else rest.push(err.message);
      }
      setErrors(byField);
      setGeneral(rest.join(' ') || null);
    }
  }

  function revert() {
    setValues(saved);
    setSecrets({});
    setCleared(new Set());
    setErrors({});
    setGeneral(null);
  }

  const jobDefault = (p: JobParameterView) => (p.default !== null ? t('parameterDefaults.jobDefault', { value: p.default }) : t('parameterDefaults.noJobDefault'));
  const field = (p: JobParameterView) => {
    const id = `param-default-${p.name}`;
    const common = { id, label: p.name, description: p.description ?? undefined, error: errors[p.name], 'data-testid': id };
    const set = (v: string) => {
      setValues((s) => ({ ...s, [p.name]: v }));
      setErrors(({ [p.name]: _, ...rest }) => rest);
    };
    if (p.secret) {
      const isSet = secretSet(p.name) && !cleared.has(p.name);
      return (
        <Stack key={p.name} gap={4}>
          <PasswordField {...common} value={secrets[p.name] ?? ''} autoComplete="new-password"
            placeholder={isSet ? t('parameterDefaults.secretSet') : t('parameterDefaults.secretUnset')}
            onChange={(e) => { const v = e.currentTarget.value; setSecrets((s) => ({ ...s, [p.name]: v })); }} />
          {secretSet(p.name) && (
            <Checkbox size="xs" label={t('parameterDefaults.secretClear')} checked={cleared.has(p.name)} data-testid={`${id}-clear`}
              onChange={(e) => { const on = e.currentTarget.checked; setCleared((s) => { const n = new Set(s); if (on) n.add(p.name); else n.delete(p.name); return n; }); }} />
          )}
        </Stack>
      );
    }
    if (p.type === 'BOOLEAN' || p.type === 'CHOICE') {
      const options = p.type === 'BOOLEAN' ? [{ value: 'true', label: t('parameterDefaults.true') }, { value: 'false', label: t('parameterDefaults.false') }] : (p.choices ?? []).map((c) => ({ value: c, label: c }));
      return <NativeSelect key={p.name} {...common} data={[{ value: '', label: jobDefault(p) }, ...options]} value={values[p.name] ?? ''} onChange={(e) => set(e.currentTarget.value)} />;
    }
    return <TextInput key={p.name} {...common} placeholder={jobDefault(p)} inputMode={p.type === 'INT' ? 'numeric' : undefined} value={values[p.name] ?? ''} onChange={(e) => set(e.currentTarget.value)} />;
  };

  return (
    <Stack gap="xs" data-testid="parameter-defaults">
      <div>
        <Title order={3} size="h5">{t('parameterDefaults.title')}</Title>
        <Text size="xs" c="dimmed">{t('parameterDefaults.description')}</Text>
      </div>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>{parameters.map(field)}</SimpleGrid>
      {general && <Alert color="red" role="alert" data-testid="parameter-defaults-error">{general}</Alert>}
      <Group justify="flex-end" gap="xs">
        {done && !dirty && <Text size="sm" c="green" role="status" data-testid="parameter-defaults-saved">{t('parameterDefaults.saved')}</Text>}
        <Button variant="default" size="xs" disabled={!dirty || loading} onClick={revert} data-testid="parameter-defaults-cancel">{t('cancel')}</Button>
        <Button size="xs" disabled={!dirty} loading={loading} onClick={() => void save()} data-testid="parameter-defaults-save">{t('parameterDefaults.save')}</Button>
      </Group>
    </Stack>
  );
}
