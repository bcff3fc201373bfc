import { withParams } from '../../_lib/jobs-url';
import type { StatusFilter } from '../../_lib/status';

/** The jobs list filtered by last status (and by the dashboard's domain when one is chosen). */
export const jobsWith = (statuses: StatusFilter[], domain: string | null) =>
  `/jobs${withParams(new URLSearchParams(), { status: statuses.join(','), domain })}`;

/** The jobs list with one row's window open. */
export const jobWindow = (jobId: string, domain: string) => `/jobs${withParams(new URLSearchParams(), { job: `${jobId}@${domain}` })}`;
