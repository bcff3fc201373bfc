import type { Metadata } from 'next';
import { MailPage } from '../../_components/mail/MailPage';

export const metadata: Metadata = { title: 'Mail' };

export default function Page() {
  return <MailPage />;
}
