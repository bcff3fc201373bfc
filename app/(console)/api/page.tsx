import type { Metadata } from 'next';
import { ApiExplorer } from '../../_components/api-explorer/ApiExplorer';

export const metadata: Metadata = { title: 'API explorer' };

export default function Page() {
  return <ApiExplorer />;
}
