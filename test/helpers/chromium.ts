import { existsSync } from 'node:fs';

/**
 * Debian's Chromium when the machine has it; otherwise the Chromium that the `@sparticuz/chromium`
 * package ships inside its npm tarball (unpacked into the temp folder on first use), so
 * `npm ci && npm test` needs nothing installed by hand and downloads nothing at run time.
 * `CHROMIUM_PATH` names another binary.
 */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}
