import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverAudits } from 'graphql-http';
import { Gql, startTestApp } from '../helpers/app';

/** The GraphQL-over-HTTP audit suite of graphql-http, against the running server. */
test('graphql-http serverAudits: every MUST passes', async () => {
  const app = await startTestApp();
  try {
    // Some audits query `__type`: introspection answers signed-in callers only, so the audit sends a token.
    const token = (await (await new Gql(app.url).login()).ok('mutation { createApiToken(name: "audit") { token } }')).createApiToken.token;
    // CSRF prevention: GET needs a preflight-forcing header; POST with application/json passes as is.
    const fetchFn: typeof fetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('apollo-require-preflight', 'true');
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: `${app.url}/graphql`, fetchFn });
    const results = [] as { name: string; status: string; reason?: string }[];
    for (const audit of audits) {
      const r = await audit.fn();
      results.push({ name: audit.name, status: r.status, reason: r.status === 'ok' ? undefined : r.reason });
    }
    const must = results.filter((r) => r.name.startsWith('MUST'));
    const mustFailed = must.filter((r) => r.status !== 'ok');
    const shouldFailed = results.filter((r) => !r.name.startsWith('MUST') && r.status !== 'ok');
    console.log(`graphql-http audit: ${must.length - mustFailed.length}/${must.length} MUST ok; ${results.length - must.length - shouldFailed.length}/${results.length - must.length} SHOULD/MAY ok`);
    for (const s of shouldFailed) console.log(`  not ok (${s.status}): ${s.name} — ${s.reason}`);
    assert.ok(must.length > 0, 'the suite has MUST audits');
    assert.deepEqual(mustFailed.map((r) => `${r.name}: ${r.reason}`), []);
  } finally {
    await app.stop();
  }
});
