import type { Metadata } from 'next';
import { AuditPage } from '../../_components/audit/AuditPage';

export const metadata: Metadata = { title: 'Audit' };

export default function Page() {
  return <AuditPage />;
}
