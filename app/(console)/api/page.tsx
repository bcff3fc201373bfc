import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ApiExplorer } from '../../_components/api-explorer/ApiExplorer';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('apiExplorer');
  return { title: t('title') };
}

export default function Page() {
  return <ApiExplorer />;
}
