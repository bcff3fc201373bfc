import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ResourcesPage } from '../../_components/resources/ResourcesPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('resources');
  return { title: t('title') };
}

export default function Page() {
  return <ResourcesPage />;
}
