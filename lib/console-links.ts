/**
 * Addresses inside the console that something outside it hands out (the report email's link).
 * Pure: imported by the engine and by the console alike, so the two cannot drift apart.
 */

/**
 * One execution's log over its job's window, the jobs page's own deep link (app/_lib/jobs-url.ts):
 * /jobs?job=<jobId>@<domain>&log=<executionId>. Domains never contain "@", so the last one splits.
 */
export function executionPath(jobId: string, domain: string, executionId: number | string) {
  return `/jobs?job=${encodeURIComponent(jobId)}@${encodeURIComponent(domain)}&log=${encodeURIComponent(String(executionId))}`;
}
