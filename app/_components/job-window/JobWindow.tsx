'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Badge, Center, Group, Loader, Modal, Tabs, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { useIsTopModal } from '../../_lib/modal-stack';
import { JOB } from '../../_lib/operations';
import { KIND_LABEL } from '../../_lib/status';
import type { JobRef } from '../../_lib/types';
import { ConfirmDialog } from '../ConfirmDialog';
import { RunActions } from '../RunActions';
import { StatusIcon } from '../StatusIcon';
import { ExecutionsTab } from './ExecutionsTab';
import { InformationTab } from './InformationTab';
import { SchedulingTab } from './SchedulingTab';

const TABS = ['information', 'scheduling', 'executions'];

interface Props {
  jobRef: JobRef;
  /** From the URL (?tab=scheduling), so a link can open the window on a given tab. */
  initialTab?: string | null;
  onClose: () => void;
  onOpenLog: (executionId: string) => void;
}

type Dirty = { information: boolean; scheduling: boolean };

/** The job's window over the list: Information, Scheduling, Latest executions. */
export function JobWindow({ jobRef, initialTab, onClose, onOpenLog }: Props) {
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
      {isDirty && <Text span c="orange" size="xs" aria-label="unsaved changes" role="img">●</Text>}
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
            {job && <Badge variant="light" size="sm" color="gray">{KIND_LABEL[job.kind]}</Badge>}
          </Group>
        }
        data-testid="job-window"
      >
        <div data-testid="job-window-body">
          {!job ? (
            loading ? (
              <Center p="xl"><Loader aria-label="Loading the job" /></Center>
            ) : error ? (
              <Alert color="red" title="The job could not be loaded">{errorMessage(error)} <button type="button" onClick={() => void refetch()}>Try again</button></Alert>
            ) : (
              <Alert color="gray" title="Job not found" data-testid="job-not-found">
                There is no job {jobRef.jobId} in {jobRef.domain} that you can see. It may have been removed from the deployment, or the domain is not one you supervise.
              </Alert>
            )
          ) : (
            <>
            <RunActions jobRef={{ jobId: job.jobId, domain: job.domain }} testIdPrefix="window"
              runningId={job.lastExecution?.status === 'IN_PROGRESS' ? job.lastExecution.id : null} onStarted={onOpenLog} />
            <Tabs value={tab} onChange={setTab} keepMounted mt="sm">
              <Tabs.List>
                <Tabs.Tab value="information" data-testid="tab-btn-information">{label('Information', dirty.information)}</Tabs.Tab>
                <Tabs.Tab value="scheduling" data-testid="tab-btn-scheduling">{label('Scheduling', dirty.scheduling)}</Tabs.Tab>
                <Tabs.Tab value="executions" data-testid="tab-btn-executions">Latest executions</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="information"><InformationTab job={job} onDirty={onInfoDirty} /></Tabs.Panel>
              <Tabs.Panel value="scheduling"><SchedulingTab job={job} onDirty={onSchedDirty} /></Tabs.Panel>
              <Tabs.Panel value="executions">
                {tab === 'executions' && <ExecutionsTab jobRef={{ jobId: job.jobId, domain: job.domain }} onOpenLog={onOpenLog} />}
              </Tabs.Panel>
            </Tabs>
            </>
          )}
        </div>
      </Modal>
      <ConfirmDialog
        opened={confirmClose}
        title="Discard unsaved changes?"
        message={`You changed ${[dirty.information && 'the report settings', dirty.scheduling && 'the schedule'].filter(Boolean).join(' and ')} of this job without saving.`}
        confirmLabel="Discard changes"
        onConfirm={() => { setConfirmClose(false); onClose(); }}
        onCancel={() => setConfirmClose(false)}
      />
    </>
  );
}
