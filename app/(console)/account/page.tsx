import type { Metadata } from 'next';
import { AccountPage } from '../../_components/account/AccountPage';

export const metadata: Metadata = { title: 'My account' };

export default function Page() {
  return <AccountPage />;
}
