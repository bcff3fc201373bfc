import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ChannelsPage } from '../../_components/channels/ChannelsPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('channels');
  return { title: t('title') };
}

export default function Page() {
  return <ChannelsPage />;
}
