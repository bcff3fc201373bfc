/**
 * Mantine's <Loader> renders a plain <span>: an aria-label on it is an ARIA attribute the element may
 * not carry (axe: aria-prohibited-attr), and a screen reader never announces it. A labelled loader is
 * a live status (role="status"); an unlabelled one is decoration (aria-hidden). The browser's axe test
 * only catches a loader that happens to be on screen when it runs; this catches all of them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('every <Loader> is a labelled status or hidden decoration', () => {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'app/*.tsx'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const bad: string[] = [];
  let seen = 0;
  for (const f of files) {
    const text = readFileSync(path.join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/<Loader\b[^>]*>/g)) {
      seen++;
      const tag = m[0];
      const ok = /\baria-hidden\b/.test(tag) || (/\brole="status"/.test(tag) && /\baria-label=/.test(tag));
      if (!ok) bad.push(`${f}: ${tag}`);
    }
  }
  assert.ok(seen > 10, `found only ${seen} loaders: the pattern no longer matches the code`);
  assert.deepEqual(bad, []);
});
