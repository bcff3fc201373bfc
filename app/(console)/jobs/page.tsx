import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { JobsPage } from '../../_components/jobs/JobsPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('jobs');
  return { title: t('title') };
}

export default function Page() {
  return (
    <Suspense>
      <JobsPage />
    </Suspense>
  );
}
