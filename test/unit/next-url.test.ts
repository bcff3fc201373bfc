/**
 * The `next` parameter of /login (issue #12): whatever it holds, sign-in lands on a path of the
 * console's own origin. Browsers drop TAB, LF and CR inside URLs and read "\" as "/", so each
 * control character is tried in every known bypass shape, with the server's stand-in origin and
 * with a browser's (window.location.origin).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { safeNext, SERVER_ORIGIN } from '../../lib/next-url';

const BROWSER_ORIGIN = 'https://jobdeck.example.com:8443';
const FALLBACK = '/dashboard';
const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)), '\u007f'];

/** The shapes that turned into another host once a browser had cleaned the control character out. */
const shapesWith = (c: string) => [
  `/${c}/evil.example`,
  `/${c}/evil.example/x?y=1#z`,
  `/${c}\\evil.example`,
  `${c}//evil.example`,
  `//${c}evil.example`,
  `/${c}${c}/evil.example`,
  `${c}/${c}/evil.example`,
  `/${c}/${c}/evil.example`,
  `\\${c}\\evil.example`,
  `https:${c}//evil.example`,
  `http${c}s://evil.example`,
  `java${c}script:alert(1)`,
  `${c}javascript:alert(1)`,
  `/jobs${c}`,
];

const FIXED_BYPASSES = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  ' //evil.example',
  ' /\\evil.example',
  'https://evil.example',
  'https://evil.example/jobs',
  'HTTPS://evil.example',
  'http://jobdeck.invalid@evil.example',
  `${BROWSER_ORIGIN}@evil.example`,
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  decodeURIComponent('%2F%09%2Fevil.example%2Fx'),
  decodeURIComponent('%2F%0A%2Fevil.example'),
  decodeURIComponent('%2F%0D%2Fevil.example'),
  // Dot segments resolve these to the path "//evil.example", which is another host again.
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/jobs/../..//evil.example',
  '/login',
  '/login?next=/jobs',
  '',
];

/**
 * A special scheme equal to the base's own makes the rest a relative path ("http:evil.example" on an
 * http console is "/evil.example"): harmless, so these only have to stay on this origin.
 */
const SCHEME_RELATIVE = ['http:evil.example', 'https:evil.example', 'http:/evil.example', 'https:/evil.example', 'http:\\evil.example'];

/** What a browser would do with the answer: it must stay on `origin`, as a path. */
function assertSamePath(result: string, origin: string, input: string) {
  const why = `${JSON.stringify(input)} → ${JSON.stringify(result)}`;
  assert.ok(result.startsWith('/') && !result.startsWith('//'), `not a path: ${why}`);
  assert.doesNotMatch(result, /[\u0000-\u001f\u007f\\]/, `control character or backslash kept: ${why}`);
  assert.equal(new URL(result, origin).origin, new URL(origin).origin, `other origin: ${why}`);
  // Relative to any page: a path never names a host or scheme of its own.
  assert.equal(new URL(result, 'https://elsewhere.example').host, 'elsewhere.example', `names a host: ${why}`);
}

function withWindow<T>(origin: string, f: () => T): T {
  const g = globalThis as { window?: unknown };
  const before = g.window;
  g.window = { location: { origin } };
  try {
    return f();
  } finally {
    if (before === undefined) delete g.window;
    else g.window = before;
  }
}

describe('safeNext', () => {
  for (const [where, origin] of [['server', SERVER_ORIGIN], ['browser', BROWSER_ORIGIN]] as const) {
    const run = (next: string) => (where === 'server' ? safeNext(next) : withWindow(origin, () => safeNext(next)));

    test(`${where}: every control character, in every bypass shape, falls back to ${FALLBACK}`, () => {
      for (const c of CONTROLS)
        for (const next of shapesWith(c)) {
          const result = run(next);
          assertSamePath(result, origin, next);
          assert.equal(result, FALLBACK, `${JSON.stringify(next)} was kept`);
        }
    });

    test(`${where}: other origins, schemes and backslashes fall back to ${FALLBACK}`, () => {
      for (const next of FIXED_BYPASSES) assert.equal(run(next), FALLBACK, `${JSON.stringify(next)} was kept`);
      for (const next of SCHEME_RELATIVE) assertSamePath(run(next), origin, next);
    });

    test(`${where}: paths of the console are kept, query and fragment included`, () => {
      assert.equal(run('/jobs?status=FAILURE'), '/jobs?status=FAILURE');
      assert.equal(run('/jobs/x/y?execution=3#z'), '/jobs/x/y?execution=3#z');
      assert.equal(run('/jobs/acme.purge/a.example?execution=12'), '/jobs/acme.purge/a.example?execution=12');
      assert.equal(run('/mail'), '/mail');
      assert.equal(run(`${origin}/tokens?x=1`), '/tokens?x=1', 'an absolute address of this origin keeps its path');
    });

    test(`${where}: whatever the value, the answer is a path of this origin`, () => {
      const piece = fc.constantFrom('/', '//', '\\', '.', '..', '%2e', '%2f', '%5c', '\t', '\n', '\r', ' ', '\u0000', '\u007f', '@', ':', '?', '#', 'evil.example', 'http', 'https:', 'javascript:', 'jobs', 'login');
      fc.assert(
        fc.property(fc.oneof(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 24 })), (next) => {
          assertSamePath(run(next), origin, next);
        }),
        { numRuns: 3000 },
      );
    });
  }

  test('a fallback of the caller is used', () => {
    assert.equal(safeNext('//evil.example', '/mail'), '/mail');
    assert.equal(safeNext(null), FALLBACK);
    assert.equal(safeNext(undefined), FALLBACK);
  });
});
