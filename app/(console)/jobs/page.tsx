import type { Metadata } from 'next';
import { Suspense } from 'react';
import { JobsPage } from '../../_components/jobs/JobsPage';

export const metadata: Metadata = { title: 'Scheduled jobs' };

export default function Page() {
  return (
    <Suspense>
      <JobsPage />
    </Suspense>
  );
}
