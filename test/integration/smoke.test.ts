import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gql, startTestApp, subscribe } from '../helpers/app';

test('smoke', async () => {
  const app = await startTestApp();
  try {
    const g = new Gql(app.url);
    assert.equal((await g.ok('{ viewer { email } }')).viewer, null);
    await g.login();
    console.log(JSON.stringify(await g.ok('{ viewer { email role domains } jobs { totalCount nodes { jobId domain plan { kind summary } nextRunAt lastExecution { id } } } }'), null, 1));
    const r = await g.ok(`mutation { executeNow(jobs: [{jobId: "system.self-test", domain: "global"}]) { reason execution { id status } } }`);
    console.log(JSON.stringify(r));
    const id = r.executeNow[0].execution.id;
    const sub = subscribe(g.ws(), `subscription($id: ID!) { executionLog(executionId: $id) { seq level message } }`, { id });
    const items = await sub.done;
    console.log(items);
    console.log(JSON.stringify(await g.ok(`query($id: ID!) { execution(id: $id) { status durationMs warningCount lastSeq } }`, { id })));
  } finally {
    await app.stop();
  }
});
