import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { UsersPage } from '../../_components/users/UsersPage';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('users');
  return { title: t('title') };
}

export default function Page() {
  return (
    <Suspense>
      <UsersPage />
    </Suspense>
  );
}
