/**
 * Layers point one way (DESIGN.md, "Layers"): pages → GraphQL → resolvers → services → engine → db.
 * Every import of every source is checked, so a shortcut fails here the day it is written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOP = ['app', 'graphql', 'services', 'jobs', 'db', 'lib'] as const;
type Top = (typeof TOP)[number];

/** What each layer may not import (anything not listed is allowed). */
const FORBIDDEN: Record<Top, Top[]> = {
  // Pages talk to the server only through GraphQL; lib/ holds pure helpers they may share.
  app: ['graphql', 'services', 'jobs', 'db'],
  graphql: ['db', 'jobs', 'app'],
  services: ['graphql', 'app'],
  jobs: ['services', 'graphql', 'app'],
  db: ['services', 'graphql', 'jobs', 'app', 'lib'],
  lib: ['app'],
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\1/g;

function sources(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\n').filter((f) => /\.(ts|tsx)$/.test(f) && TOP.includes(f.split('/')[0] as Top));
}

export function layerViolations(file: string, text: string): string[] {
  const from = file.split('/')[0] as Top;
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[2]!)).split(path.sep)[0] as Top;
    if (FORBIDDEN[from]?.includes(target)) out.push(`${file} imports ${m[2]} (${from} → ${target})`);
  }
  return out;
}

test('no layer imports one it must not', () => {
  const files = sources();
  assert.ok(files.length > 100, `found ${files.length} sources`);
  const violations = files.flatMap((f) => layerViolations(f, readFileSync(path.join(ROOT, f), 'utf8')));
  assert.deepEqual(violations, [], 'resolvers call services; services hold access rules and never import graphql/; the engine declares its own interfaces in jobs/; db/ imports nothing above it');
});

test('the check sees the shapes it must refuse', () => {
  assert.equal(layerViolations('services/x.ts', `import { scopeOf } from '../graphql/access';`).length, 1);
  assert.equal(layerViolations('graphql/resolvers/x.ts', `import type { RowRecord } from '../../db/queries/rows';`).length, 1);
  assert.equal(layerViolations('jobs/x.ts', `const m = await import('../services/deps');`).length, 1);
  assert.equal(layerViolations('db/queries/x.ts', `import { badInput } from '../../lib/errors';`).length, 1);
  assert.equal(layerViolations('app/_components/x.tsx', `import { x } from '../../services/jobs';`).length, 1);
  assert.equal(layerViolations('graphql/resolvers/x.ts', `import * as jobs from '../../services/jobs';`).length, 0);
  assert.equal(layerViolations('app/_components/x.tsx', `import { safeNext } from '../../lib/next-url';`).length, 0);
});
