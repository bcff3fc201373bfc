import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { UpcomingPage } from '../../_components/upcoming/UpcomingPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('upcoming');
  return { title: t('title') };
}

export default function Page() {
  return (
    <Suspense>
      <UpcomingPage />
    </Suspense>
  );
}
