/**
 * A node:test reporter that prints nothing; it writes each test file's wall time (the runner's
 * `test:complete` of the file's own process) to JOBDECK_FILE_TIMES as JSON lines. The slowest files
 * are what decide whether CI stays under its time limit (test/run.ts prints them). Errors the runner
 * reports only as a diagnostic (an uncaught error or unhandled rejection after a test ended, which
 * fails the file as a whole with just 'test failed') go there too, as {file, diagnostic}: CI keeps
 * only the end of the output, and test/run.ts prints them last.
 * JavaScript, not TypeScript: node loads reporters before the tsx hook is in place.
 */
import { writeFileSync } from 'node:fs';

/** @param {AsyncIterable<{ type: string, data?: { file?: string, name?: string, message?: string, nesting?: number, details?: { duration_ms?: number } } }>} source */
export default async function* fileTimes(source) {
  const rows = [];
  // --test-force-exit ends the process before a reporter's stream ends: write on exit.
  const out = process.env.JOBDECK_FILE_TIMES;
  if (out) process.on('exit', () => writeFileSync(out, rows.join('\n')));
  for await (const { type, data } of source) {
    if (type === 'test:complete' && data?.nesting === 0 && data.file && data.name === data.file)
      rows.push(JSON.stringify({ file: data.file, ms: Math.round(data.details?.duration_ms ?? 0) }));
    else if (type === 'test:diagnostic' && data?.message && /^Error: /.test(data.message))
      rows.push(JSON.stringify({ file: data.file ?? '', diagnostic: data.message }));
  }
  yield '';
}
