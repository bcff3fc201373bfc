import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { TokensPage } from '../../_components/tokens/TokensPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('tokens');
  return { title: t('title') };
}

export default function Page() {
  return <TokensPage />;
}
