/**
 * Every patch in patches/ (patch-package, applied by npm's postinstall) is in the installed package:
 * a version bump that leaves a patch behind, or an install that skipped it, fails here rather than
 * as a crash during a database outage.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const patches = readdirSync(path.join(root, 'patches')).filter((f) => f.endsWith('.patch'));

test('there is at least the postgres.js patch', () => {
  assert.ok(patches.some((p) => p.startsWith('postgres+')), patches.join(', '));
});

for (const file of patches) {
  test(`${file} is applied to the installed package`, () => {
    const m = /^(.+)\+(\d+\.\d+\.\d+[^+]*)\.patch$/.exec(file);
    assert.ok(m, `patch name "${file}" is package+version.patch`);
    const [, name, version] = m;
    const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules', name!.replace('+', '/'), 'package.json'), 'utf8')) as { version: string };
    assert.equal(pkg.version, version, `${name} is installed at ${pkg.version}: renew the patch for it (npx patch-package ${name})`);
    // Each file's added lines are present, in the installed file.
    const text = readFileSync(path.join(root, 'patches', file), 'utf8');
    for (const part of text.split(/^diff --git /m).slice(1)) {
      const target = /^a\/(\S+)/.exec(part)![1]!;
      const installed = readFileSync(path.join(root, target), 'utf8');
      // Each run of added lines of each hunk, together, as they follow one another in the file.
      for (const hunk of part.split(/^@@ /m).slice(1)) {
        const runs: string[][] = [[]];
        for (const l of hunk.split('\n').slice(1)) {
          if (l.startsWith('+')) runs[runs.length - 1]!.push(l.slice(1));
          else if (runs[runs.length - 1]!.length) runs.push([]);
        }
        for (const added of runs.filter((r) => r.length))
          assert.ok(installed.includes(added.join('\n')), `${target}: the patch's lines are not there (npm ci runs patch-package in postinstall): ${added[0]}`);
      }
    }
  });
}
