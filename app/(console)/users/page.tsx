import type { Metadata } from 'next';
import { Suspense } from 'react';
import { UsersPage } from '../../_components/users/UsersPage';

export const metadata: Metadata = { title: 'Users' };

export default function Page() {
  return (
    <Suspense>
      <UsersPage />
    </Suspense>
  );
}
