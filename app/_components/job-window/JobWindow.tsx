'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Badge, Center, Group, Loader, Modal, Tabs, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { useIsTopModal } from '../../_lib/modal-stack';
import { JOB } from '../../_lib/operations';
import type { JobRef } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { ConfirmDialog } from '../ConfirmDialog';
import { RunActions } from '../RunActions';
import { StatusIcon } from '../StatusIcon';
import { ExecutionsTab } from './ExecutionsTab';
import { InformationTab } from './InformationTab';
import { SchedulingTab } from './SchedulingTab';
import { StatisticsTab } from './StatisticsTab';
import { ExpectationsTab, ExpectationsTabLabel } from '../alerts/ExpectationsTab';

const TABS = ['information', 'scheduling', 'executions', 'statistics', 'alerts'];

interface Props {
  jobRef: JobRef;
  /** From the URL (?tab=scheduling), so a link can open the window on a given tab. */
  initialTab?: string | null;
  onClose: () => void;
  onOpenLog: (executionId: string) => void;
}

type Dirty = { information: boolean; scheduling: boolean };

/** The job's window over the list: Information, Scheduling, Latest executions, Statistics. */
export function JobWindow({ jobRef, initialTab, onClose, onOpenLog }: Props) {
  const t = useTranslations('jobWindow');
  const L = useLabels();
  const narrow = useMediaQuery('(max-width: 48em)');
  const { data, loading, error, refetch } = useQuery(JOB, { variables: jobRef, fetchPolicy: 'cache-and-network' });
  const job = data?.job;
  const [tab, setTab] = useState<string | null>(initialTab && TABS.includes(initialTab) ? initialTab : 'information');
  const [dirty, setDirty] = useState<Dirty>({ information: false, scheduling: false });
  const [confirmClose, setConfirmClose] = useState(false);
  const anyDirty = dirty.information || dirty.scheduling;
  const top = useIsTopModal(true);

  const onInfoDirty = useCallback((d: boolean) => setDirty((s) => (s.information === d ? s : { ...s, information: d })), []);
  const onSchedDirty = useCallback((d: boolean) => setDirty((s) => (s.scheduling === d ? s : { ...s, scheduling: d })), []);

  // Leaving the page (reload, closing the tab) with unsaved changes asks the browser's own question.
  useEffect(() => {
    if (!anyDirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [anyDirty]);

  // Opened after the Escape keydown that asked for it has finished, or that same event closes it again.
  const requestClose = () => (anyDirty ? setTimeout(() => setConfirmClose(true), 0) : onClose());
  const label = (text: string, isDirty: boolean) => (
    <Group gap={6} wrap="nowrap">
      {text}
      {isDirty && <Text span c="orange" size="xs" aria-label={t('unsavedChanges')} role="img">●</Text>}
    </Group>
  );

  return (
    <>
      <Modal
        opened
        onClose={requestClose}
        closeOnEscape={top}
        trapFocus={top}
        size="min(960px, 96vw)"
        fullScreen={narrow}
        title={
          <Group gap="xs" wrap="nowrap">
            {job && <StatusIcon status={job.lastExecution?.status} />}
            <Text fw={600} className="jd-truncate">{jobRef.jobId}</Text>
            <Text c="dimmed" className="jd-truncate">@ {jobRef.domain}</Text>
            {job && <Badge variant="light" size="sm" color="gray">{L.kind(job.kind)}</Badge>}
          </Group>
        }
        data-testid="job-window"
      >
        <div data-testid="job-window-body">
          {!job ? (
            loading ? (
              <Center p="xl"><Loader role="status" aria-label={t('loading')} /></Center>
            ) : error ? (
              <Alert color="red" title={t('loadError')}>{errorMessage(error)} <button type="button" onClick={() => void refetch()}>{t('tryAgain')}</button></Alert>
            ) : (
              <Alert color="gray" title={t('notFoundTitle')} data-testid="job-not-found">
                {t('notFound', { job: jobRef.jobId, domain: jobRef.domain })}
              </Alert>
            )
          ) : (
            <>
            <RunActions jobRef={{ jobId: job.jobId, domain: job.domain }} testIdPrefix="window"
              runningId={job.lastExecution?.status === 'IN_PROGRESS' ? job.lastExecution.id : null} onStarted={onOpenLog} />
            <Tabs value={tab} onChange={setTab} keepMounted mt="sm">
              <Tabs.List>
                <Tabs.Tab value="information" data-testid="tab-btn-information">{label(t('tabs.information'), dirty.information)}</Tabs.Tab>
                <Tabs.Tab value="scheduling" data-testid="tab-btn-scheduling">{label(t('tabs.scheduling'), dirty.scheduling)}</Tabs.Tab>
                <Tabs.Tab value="executions" data-testid="tab-btn-executions">{t('tabs.executions')}</Tabs.Tab>
                <Tabs.Tab value="statistics" data-testid="tab-btn-statistics">{t('statistics.tab')}</Tabs.Tab>
                <Tabs.Tab value="alerts" data-testid="tab-btn-alerts"><ExpectationsTabLabel /></Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="information"><InformationTab job={job} onDirty={onInfoDirty} /></Tabs.Panel>
              <Tabs.Panel value="scheduling"><SchedulingTab job={job} onDirty={onSchedDirty} /></Tabs.Panel>
              <Tabs.Panel value="executions">
                {tab === 'executions' && <ExecutionsTab jobRef={{ jobId: job.jobId, domain: job.domain }} onOpenLog={onOpenLog} />}
              </Tabs.Panel>
              <Tabs.Panel value="statistics">
                {tab === 'statistics' && <StatisticsTab jobRef={{ jobId: job.jobId, domain: job.domain }} onOpenLog={onOpenLog} />}
              </Tabs.Panel>
              <Tabs.Panel value="alerts">{tab === 'alerts' && <ExpectationsTab jobRef={{ jobId: job.jobId, domain: job.domain }} />}</Tabs.Panel>
            </Tabs>
            </>
          )}
        </div>
      </Modal>
      <ConfirmDialog
        opened={confirmClose}
        title={t('discard.title')}
        message={dirty.information && dirty.scheduling ? t('discard.both') : dirty.scheduling ? t('discard.schedule') : t('discard.report')}
        confirmLabel={t('discard.confirm')}
        onConfirm={() => { setConfirmClose(false); onClose(); }}
        onCancel={() => setConfirmClose(false)}
      />
    </>
  );
}
