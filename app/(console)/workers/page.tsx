import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { WorkersPage } from '../../_components/workers/WorkersPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('workers');
  return { title: t('title') };
}

export default function Page() {
  return <WorkersPage />;
}
