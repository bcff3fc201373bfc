'use client';

import type { ApolloCache } from '@apollo/client';
import { useMutation } from '@apollo/client/react';
import type { SchedulerQuery } from '../../_lib/generated';
import { PAUSE_SCHEDULING, RESUME_SCHEDULING, SCHEDULER } from './operations';

/** A pause or a resume answers the viewer's new state: written where the banner reads it, so it changes at once. */
const store = (cache: ApolloCache, scheduler: SchedulerQuery['scheduler'] | undefined) => {
  if (scheduler) cache.writeQuery({ query: SCHEDULER, data: { scheduler } });
};

export const usePauseScheduling = () => useMutation(PAUSE_SCHEDULING, { update: (cache, { data }) => store(cache, data?.pauseScheduling) });

export const useResumeScheduling = () => useMutation(RESUME_SCHEDULING, { update: (cache, { data }) => store(cache, data?.resumeScheduling) });
