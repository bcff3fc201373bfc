import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, logContext } from '../../lib/logger';
import { findLeaks } from '../helpers/server-logs';

function jsonLines(fn: (log: ReturnType<typeof createLogger>) => void) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jobdeck-log-')), 'out.jsonl');
  const log = createLogger({ format: 'json', level: 'debug', copyTo: file, quiet: true });
  fn(log);
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('JSON lines carry level, time, msg and the context of the work they are logged for', () => {
  const [plain, inRun, inRequest] = jsonLines((log) => {
    log.info('started');
    logContext.run({ executionId: 42, job: 'acme.purge', domain: 'acme.example' }, () => log.warn('slow'));
    logContext.run({ requestId: 'r-1' }, () => log.error({ correlationId: 'c-1' }, 'masked'));
  });
  assert.equal(plain!.level, 'info');
  assert.match(String(plain!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(plain!.msg, 'started');
  assert.equal(typeof plain!.pid, 'number');
  assert.deepEqual([inRun!.level, inRun!.executionId, inRun!.job, inRun!.domain], ['warn', 42, 'acme.purge', 'acme.example']);
  assert.deepEqual([inRequest!.level, inRequest!.requestId, inRequest!.correlationId], ['error', 'r-1', 'c-1']);
});

test('credentials never reach a line: redacted keys, scrubbed messages', () => {
  const lines = jsonLines((log) => {
    log.info({ password: 'hunter2-hunter2', headers: { authorization: 'Bearer abc.def', cookie: 'jobdeck_session=xyz' }, variables: { password: 'p' } }, 'sign-in');
    log.info('could not reach postgres://jobdeck:s3cret-pass@127.0.0.1:5432/jobdeck');
    log.info('sent Authorization: Bearer jd_0123456789abcdefghijklmnop and Cookie jobdeck_session=abcdefghijkl');
  });
  const text = JSON.stringify(lines);
  for (const secret of ['hunter2-hunter2', 'abc.def', 'xyz', 's3cret-pass', '0123456789abcdefghijklmnop', 'abcdefghijkl']) assert.ok(!text.includes(secret), secret);
  assert.deepEqual(findLeaks(lines.map((l) => JSON.stringify(l)).join('\n')), []);
});

test('the end-of-run check finds each kind of leak, and nothing in clean lines', () => {
  const leaky = [
    '{"msg":"cookie jobdeck_session=AbCdEfGhIjKl"}',
    'GET with Authorization: Bearer jd_abcdefghijklmnopqrstuvwxyz',
    'DATABASE_URL=postgres://u:pw-in-clear@host/db',
    '{"password":"correct-horse-battery"}',
    'admin password correct-horse-battery',
  ].join('\n');
  assert.deepEqual(findLeaks(leaky, ['correct-horse-battery']).map((l) => l.line), [1, 2, 2, 3, 4, 4, 5]);
  assert.deepEqual(findLeaks('{"msg":"Jobdeck (all) listening on http://localhost:3000"}\n{"password":"[redacted]"}'), []);
});
