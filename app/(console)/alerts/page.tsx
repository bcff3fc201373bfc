import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { AlertsPage } from '../../_components/alerts/AlertsPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('alerts');
  return { title: t('title') };
}

export default function Page() {
  return (
    <Suspense>
      <AlertsPage />
    </Suspense>
  );
}
