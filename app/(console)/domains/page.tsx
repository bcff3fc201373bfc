import type { Metadata } from 'next';
import { DomainsPage } from '../../_components/domains/DomainsPage';

export const metadata: Metadata = { title: 'Domains' };

export default function Page() {
  return <DomainsPage />;
}
