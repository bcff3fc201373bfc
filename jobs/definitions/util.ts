/** Shared by the built-in jobs: sizes as a person reads them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Between steps of a built-in job: stop when the run was cancelled, timed out or the worker stops.
 * AbortSignal.throwIfAborted would throw the bare reason (a string); the runner expects an Error.
 */
export function stopIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw new Error(`stopped: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason });
}
