import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { DomainsPage } from '../../_components/domains/DomainsPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('domains');
  return { title: t('title') };
}

export default function Page() {
  return <DomainsPage />;
}
