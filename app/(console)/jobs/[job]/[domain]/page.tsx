import { notFound, redirect } from 'next/navigation';
import { executionPath } from '../../../../../lib/console-links';

// Report emails sent before the link moved point here (/jobs/<job>/<domain>?execution=N); they stay
// in mailboxes for years, so this shape keeps working by sending the browser to the jobs page's own.
export default async function OldReportLink({
  params,
  searchParams,
}: {
  params: Promise<{ job: string; domain: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { job, domain } = await params;
  const execution = (await searchParams).execution;
  // Only the shape the email used: anything else under /jobs/… is an address we never gave out.
  if (typeof execution !== 'string' || !/^\d+$/.test(execution)) notFound();
  redirect(executionPath(decoded(job), decoded(domain), execution));
}

/** The segments as the email wrote them, percent-encoded; a stray "%" is taken as it stands. */
function decoded(segment: string) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
