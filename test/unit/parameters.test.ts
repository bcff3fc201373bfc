/**
 * Run parameters without a database: JOBS_FILE `parameters` (each bad case names file, entry and
 * field), built-in declarations checked at load, the pure checks of values, the typed ctx.params,
 * the masking of secrets in a log line, and the service's checks of a request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CatalogError, loadCatalog } from '../../jobs/catalog';
import { maskSecrets, resolveValues, secretValues, typedParams, valueProblem } from '../../jobs/parameters';
import { defineJob, type JobDefinition, type ParameterDeclaration } from '../../jobs/types';
import { AppError } from '../../lib/errors';
import { auditValues, defaultsFor, jobParameters, maskValues, runValuesFor } from '../../services/parameters';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-params-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (entries: unknown[], builtins: JobDefinition[] = []) => {
  const file = path.join(dir, `jobs-${n++}.json`);
  writeFileSync(file, JSON.stringify({ jobs: entries }));
  return { file, loading: loadCatalog({ jobsFile: file, builtins, killGraceMs: 1000, maxLineChars: 1000 }) };
};
const entry = (parameters: unknown) => ({ id: 'ops.purge', description: 'Purges', kind: 'PER_DOMAIN', command: ['true'], parameters });

async function refuses(parameters: unknown, field: string, message: RegExp) {
  const { file, loading } = load([entry(parameters)]);
  const err = await loading.then(() => assert.fail('the catalog was accepted'), (e: unknown) => e);
  assert.ok(err instanceof CatalogError, String(err));
  const prefix = `JOBS_FILE ${file}: jobs[0] (id "ops.purge"): ${field}: `;
  assert.ok(err.message.startsWith(prefix), `${err.message}\n  expected to start with ${prefix}`);
  assert.match(err.message, message);
}

const GOOD: ParameterDeclaration[] = [
  { name: 'batch', type: 'INT', default: '50', description: 'Rows per batch' },
  { name: 'dry_run', type: 'BOOLEAN', default: 'true' },
  { name: 'mode', type: 'CHOICE', choices: ['fast', 'safe'], default: 'safe' },
  { name: 'reason', type: 'STRING', required: true },
  { name: 'token', type: 'STRING', secret: true },
];

describe('JOBS_FILE parameters', () => {
  test('a sound declaration loads and reaches the job definition', async () => {
    const { loading } = load([entry(GOOD)]);
    const def = (await loading).get('ops.purge')!;
    assert.deepEqual(def.parameters, GOOD);
  });

  test('each bad case names the field', async () => {
    await refuses('x', 'parameters', /must be an array of parameters/);
    await refuses([{ name: 'a' }], 'parameters[0].type', /is required/);
    await refuses([{ name: 'a', type: 'FLOAT' }], 'parameters[0].type', /one of STRING, INT, BOOLEAN, CHOICE/);
    await refuses([{ name: 'a', type: 'INT', colour: 'red' }], 'parameters[0].colour', /unknown key/);
    await refuses([{ name: 'a', type: 'INT', default: 5 }], 'parameters[0].default', /must be a string/);
    await refuses([{ name: 'a', type: 'INT', required: 'yes' }], 'parameters[0].required', /true or false/);
    await refuses([{ name: 'a', type: 'STRING', secret: 1 }], 'parameters[0].secret', /true or false/);
    await refuses([{ name: '1abc', type: 'STRING' }], 'parameters[0].name', /must match/);
    await refuses([{ name: 'a-b', type: 'STRING' }], 'parameters[0].name', /must match/);
    await refuses([{ name: 'x'.repeat(65), type: 'STRING' }], 'parameters[0].name', /at most 64/);
    await refuses([{ name: 'Batch', type: 'STRING' }, { name: 'BATCH', type: 'INT' }], 'parameters[1].name', /already declared by parameters\[0\].*case-insensitively/);
    await refuses([{ name: 'n', type: 'INT', default: '4.5' }], 'parameters[0].default', /whole number/);
    await refuses([{ name: 'n', type: 'INT', default: 'ten' }], 'parameters[0].default', /whole number/);
    await refuses([{ name: 'b', type: 'BOOLEAN', default: 'yes' }], 'parameters[0].default', /"true" or "false"/);
    await refuses([{ name: 'c', type: 'CHOICE', default: 'a' }], 'parameters[0].choices', /needs a non-empty list of choices/);
    await refuses([{ name: 'c', type: 'CHOICE', choices: [], default: 'a' }], 'parameters[0].choices', /non-empty list/);
    await refuses([{ name: 'c', type: 'CHOICE', choices: ['a', 'b'] }], 'parameters[0].default', /needs a default among its choices/);
    await refuses([{ name: 'c', type: 'CHOICE', choices: ['a', 'b'], default: 'z' }], 'parameters[0].default', /one of "a", "b"/);
    await refuses([{ name: 'c', type: 'CHOICE', choices: ['a', 'a'], default: 'a' }], 'parameters[0].choices[1]', /listed twice/);
    await refuses([{ name: 'c', type: 'CHOICE', choices: ['a', ''], default: 'a' }], 'parameters[0].choices[1]', /non-empty string/);
    await refuses([{ name: 's', type: 'STRING', choices: ['a'] }], 'parameters[0].choices', /only a CHOICE parameter/);
    await refuses(Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, type: 'STRING' })), 'parameters', /at most 50/);
  });

  test('a built-in job with a bad declaration stops the catalog, naming the job and the field', async () => {
    const bad = defineJob({ id: 'system.bad', description: 'b', kind: 'GLOBAL', parameters: [{ name: 'n', type: 'INT', default: 'x' }], run: async () => {} });
    const err = await loadCatalog({ builtins: [bad], killGraceMs: 1000, maxLineChars: 1000 }).then(() => assert.fail('accepted'), (e: unknown) => e);
    assert.ok(err instanceof CatalogError);
    assert.match(err.message, /^built-in job "system\.bad": parameters\[0\]\.default: must be a whole number/);
  });
});

describe('values', () => {
  test('types: INT whole, BOOLEAN true/false, CHOICE among its choices', () => {
    const [batch, dry, mode, reason] = GOOD as [ParameterDeclaration, ParameterDeclaration, ParameterDeclaration, ParameterDeclaration];
    assert.equal(valueProblem(batch, '-12'), null);
    assert.match(valueProblem(batch, '1e3')!, /whole number/);
    assert.match(valueProblem(batch, '99999999999999999')!, /whole number/);
    assert.equal(valueProblem(dry, 'false'), null);
    assert.match(valueProblem(dry, 'TRUE')!, /"true" or "false"/);
    assert.match(valueProblem(mode, 'slow')!, /one of/);
    assert.equal(valueProblem(reason, ''), null);
    assert.match(valueProblem(reason, 'a\0b')!, /NUL/);
  });

  test('resolution: given, else the row default, else the job default; ctx.params typed', () => {
    const values = resolveValues(GOOD, [{ name: 'reason', value: 'why' }], [{ name: 'batch', value: '7' }, { name: 'mode', value: 'fast' }]);
    assert.deepEqual(values, [
      { name: 'batch', value: '7' },
      { name: 'dry_run', value: 'true' },
      { name: 'mode', value: 'fast' },
      { name: 'reason', value: 'why' },
    ]);
    assert.deepEqual(typedParams(GOOD, values), { batch: 7, dry_run: true, mode: 'fast', reason: 'why' });
    assert.throws(() => typedParams(GOOD, values.filter((v) => v.name !== 'reason')), /Required parameter reason has no value/);
    assert.throws(() => typedParams(GOOD, [...values, { name: 'token', value: 'x' }].map((v) => (v.name === 'batch' ? { ...v, value: 'many' } : v))), /Parameter batch: the value "many"/);
  });

  test('secrets are masked in log lines, longest first, short ones left alone', () => {
    const secrets = secretValues(GOOD, [{ name: 'token', value: 'hunter22' }, { name: 'reason', value: 'hunter22-plain' }]);
    assert.deepEqual(secrets, ['hunter22']);
    assert.equal(maskSecrets('token=hunter22 again hunter22', secrets), 'token=••• again •••');
    assert.deepEqual(secretValues(GOOD, [{ name: 'token', value: 'abc' }]), []);
    const nested = secretValues([{ name: 'a', type: 'STRING', secret: true }, { name: 'b', type: 'STRING', secret: true }], [{ name: 'a', value: 'pass' }, { name: 'b', value: 'password1' }]);
    assert.equal(maskSecrets('password1 pass', nested), '••• •••');
  });
});

describe('requests (services/parameters)', () => {
  const purge = defineJob({ id: 'ops.purge', description: 'p', kind: 'PER_DOMAIN', parameters: GOOD, run: async () => {} });
  const other = defineJob({ id: 'ops.other', description: 'o', kind: 'PER_DOMAIN', parameters: [{ name: 'batch', type: 'STRING' }], run: async () => {} });
  const bad = (fn: () => unknown, field: string, message: RegExp) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof AppError && e.code === 'BAD_USER_INPUT', String(e));
      assert.equal(e.field, field, e.message);
      assert.match(e.message, message);
      return e.message;
    }
    assert.fail('accepted');
  };
  const row = (jobId: string, parameterDefaults: { name: string; value: string }[] = []) => ({ jobId, parameterDefaults });

  test('unknown, mistyped, given twice, missing required: BAD_USER_INPUT naming the field', () => {
    bad(() => runValuesFor([purge], [{ name: 'reason', value: 'x' }, { name: 'Batch', value: '1' }], [row('ops.purge')]), 'parameters[1]', /no parameter "Batch". Did you mean batch\?/);
    bad(() => runValuesFor([purge], [{ name: 'batch', value: 'lots' }], [row('ops.purge')]), 'parameters[0]', /the value "lots" must be a whole number/);
    bad(() => runValuesFor([purge], [{ name: 'reason', value: 'a' }, { name: 'reason', value: 'b' }], [row('ops.purge')]), 'parameters[1]', /given twice/);
    bad(() => runValuesFor([purge], [], [row('ops.purge')]), 'parameters', /reason of job ops\.purge is required/);
    bad(() => runValuesFor([purge], [{ name: 'reason', value: '' }], [row('ops.purge')]), 'parameters[0]', /non-empty/);
    const m = bad(() => runValuesFor([purge], [{ name: 'reason', value: 'r' }, { name: 'token', value: 'x'.repeat(5000) }], [row('ops.purge')]), 'parameters[1]', /secret value given/);
    assert.ok(!m.includes('xxxx'), 'a secret value is never echoed');
  });

  test('several jobs: a name declared by some is used by those; by none is an error', () => {
    const valuesOf = runValuesFor([purge, other], [{ name: 'reason', value: 'r' }, { name: 'batch', value: '9' }], [row('ops.purge'), row('ops.other')]);
    assert.deepEqual(valuesOf(row('ops.other')), [{ name: 'batch', value: '9' }]);
    assert.equal(valuesOf(row('ops.purge', [{ name: 'batch', value: '3' }])).find((v) => v.name === 'batch')?.value, '9');
    bad(() => runValuesFor([purge, other], [{ name: 'nope', value: '1' }], []), 'parameters[0]', /None of the selected jobs declares/);
    // "x" fits ops.other's STRING batch, not ops.purge's INT one.
    bad(() => runValuesFor([purge, other], [{ name: 'reason', value: 'r' }, { name: 'batch', value: 'x' }], []), 'parameters[1]', /batch of job ops\.purge/);
    // No row to act on: nothing to check against (each ref answers NOT_FOUND).
    assert.doesNotThrow(() => runValuesFor([], [{ name: 'whatever', value: '1' }], []));
  });

  test('row defaults: "" clears, secrets not named are kept, [] clears all; masking of what is served', () => {
    assert.deepEqual(defaultsFor([purge], [{ name: 'batch', value: '5' }, { name: 'mode', value: '' }]), { values: [{ name: 'batch', value: '5' }], keep: ['token'] });
    assert.deepEqual(defaultsFor([purge], [{ name: 'token', value: 'abcd' }]).keep, []);
    assert.deepEqual(defaultsFor([purge], []), { values: [], keep: [] });
    bad(() => defaultsFor([purge], [{ name: 'dry_run', value: 'maybe' }]), 'input.parameters[0]', /"true" or "false"/);
    bad(() => defaultsFor([purge], [{ name: 'ghost', value: '1' }]), 'input.parameters[0]', /declares no parameter "ghost"/);
    assert.deepEqual(maskValues(purge, [{ name: 'token', value: 's3cret' }, { name: 'batch', value: '1' }, { name: 'gone', value: 'g' }]), [
      { name: 'token', value: null },
      { name: 'batch', value: '1' },
      { name: 'gone', value: null },
    ]);
    assert.deepEqual(maskValues(undefined, [{ name: 'batch', value: '1' }]), [{ name: 'batch', value: null }]);
    const served = jobParameters(defineJob({ ...purge, parameters: [{ name: 'k', type: 'STRING', secret: true, default: 'dflt' }] }));
    assert.deepEqual(served, [{ name: 'k', description: null, type: 'STRING', required: false, default: null, choices: null, secret: true }]);
    assert.deepEqual(auditValues([purge, other], [{ name: 'token', value: 'x' }, { name: 'batch', value: '2' }]), [{ name: 'token', value: null }, { name: 'batch', value: '2' }]);
  });
});
