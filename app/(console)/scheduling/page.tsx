import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { SchedulingPage } from '../../_components/scheduling/SchedulingPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('scheduling');
  return { title: t('title') };
}

export default function Page() {
  return <SchedulingPage />;
}
