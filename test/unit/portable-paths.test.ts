/**
 * The suite must run from a clone in any folder: no source or test may import the project through
 * an absolute path, nor name the folder of a checkout (this one, or a developer's home or work tree).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(ts|tsx|js|mjs|cjs|json|sh)$|^\.ci\/run$/;

/** Files git tracks plus new ones it does not ignore, so a fresh file is checked before it is committed. */
function projectFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => f && SOURCE.test(f) && !f.endsWith('package-lock.json') && !f.startsWith('db/migrations/meta/'));
}

/** `from '/x'`, `import('/x')`, `require('/x')`: a module specifier that is an absolute path. */
const ABSOLUTE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"`])\/[^'"`]*\1/g;
/** Folders that only ever exist on one developer's machine. */
const PERSONAL_FOLDER = /(['"`])(?:\/work\/|\/home\/|\/Users\/|\/root\/)[^'"`]*\1/g;

export function findAbsolutePaths(text: string, checkout: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const re of [ABSOLUTE_IMPORT, PERSONAL_FOLDER]) for (const m of line.matchAll(re)) hits.push(`${i + 1}: ${m[0]}`);
    if (line.includes(checkout)) hits.push(`${i + 1}: names the checkout folder ${checkout}`);
  });
  return hits;
}

test('no file imports the project through an absolute path or names a checkout folder', () => {
  const files = projectFiles();
  assert.ok(files.length > 100, `expected the project's files, found ${files.length}`);
  const offenders: string[] = [];
  for (const f of files) {
    if (f === 'test/unit/portable-paths.test.ts') continue;
    for (const hit of findAbsolutePaths(readFileSync(path.join(ROOT, f), 'utf8'), ROOT)) offenders.push(`${f}:${hit}`);
  }
  assert.deepEqual(offenders, [], 'use a relative import or derive the path from import.meta.url / process.cwd()');
});

test('the guard recognises the shapes it must refuse', () => {
  const checkout = '/srv/some/checkout';
  const bad = [
    `import { x } from '/srv/some/checkout/lib/config';`,
    `import type { X } from "/opt/app/lib";`,
    `const m = await import('/opt/app/lib/x.ts');`,
    `const m = require('/opt/app/x');`,
    `spawn(cmd, { cwd: '/work/elsewhere' });`,
    `const p = "/home/dev/jobdeck/server.ts";`,
    `const p = \`\${x}\` + '/srv/some/checkout';`,
  ];
  for (const line of bad) assert.equal(findAbsolutePaths(line, checkout).length > 0, true, line);
  const good = [
    `import { x } from '../../lib/config';`,
    `import { y } from '@/lib/config';`,
    `const exe = '/usr/bin/chromium';`,
    `const dir = path.join(os.tmpdir(), 'x');`,
  ];
  for (const line of good) assert.deepEqual(findAbsolutePaths(line, checkout), [], line);
});
