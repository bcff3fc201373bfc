/**
 * Run parameters on the service side: the values a request gives are checked against the jobs it
 * acts on (BAD_USER_INPUT naming `parameters[i]`), resolved per row (given, else the row's default,
 * else the job's), and secret values are masked in everything served. Pure: no I/O.
 *
 * A call that acts on rows of several jobs gives one list of values: each applies to the jobs that
 * declare it. A name that none of the selected jobs declares is an error; a name some of them
 * declare is used by those and ignored by the others.
 */
import { MAX_PARAMETERS, missingRequired, resolveValues, valueProblem, type ParameterValueJson } from '../jobs/parameters';
import type { JobDefinition, ParameterDeclaration } from '../jobs/types';
import { badInput } from '../lib/errors';

export type ParameterInput = { name: string; value: string };
/** A value as served: null for a secret parameter. */
export type ParameterValueView = { name: string; value: string | null };

const declared = (def: JobDefinition | undefined, name: string) => def?.parameters?.find((p) => p.name === name);

/** The job's parameters as served (JobParameter): a secret one's default is never shown. */
export function jobParameters(def: JobDefinition | undefined) {
  return (def?.parameters ?? []).map((p) => ({
    name: p.name,
    description: p.description ?? null,
    type: p.type,
    required: !!p.required,
    default: p.secret ? null : (p.default ?? null),
    choices: p.type === 'CHOICE' ? (p.choices ?? []) : null,
    secret: !!p.secret,
  }));
}

/**
 * Stored values as served: a secret one's value is null. A value the job does not declare (any
 * more), or of a job that left the catalog, is masked too: nothing says it was not a secret.
 */
export function maskValues(def: JobDefinition | undefined, values: readonly ParameterValueJson[] | null | undefined): ParameterValueView[] {
  return (values ?? []).map((v) => {
    const p = declared(def, v.name);
    return { name: v.name, value: p && !p.secret ? v.value : null };
  });
}

/** How a value is named in a message: never a secret's value, and never a huge one. */
const shown = (p: ParameterDeclaration | undefined, value: string) =>
  p?.secret ? 'the secret value given' : `the value ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;

/** The checks every list of values gets: its size, each entry's name once. */
function checkList(inputs: readonly ParameterInput[], field: string) {
  if (inputs.length > MAX_PARAMETERS) throw badInput(field, `At most ${MAX_PARAMETERS} parameter values at once.`);
  const seen = new Set<string>();
  inputs.forEach((v, i) => {
    if (seen.has(v.name)) throw badInput(`${field}[${i}]`, `Parameter ${JSON.stringify(v.name.slice(0, 80))} is given twice.`);
    seen.add(v.name);
  });
}

function unknown(defs: readonly JobDefinition[], name: string, at: string) {
  const all = [...new Set(defs.flatMap((d) => (d.parameters ?? []).map((p) => p.name)))];
  const near = all.find((n) => n.toLowerCase() === name.toLowerCase());
  const who = defs.length === 1 ? `Job ${defs[0]!.id} declares` : 'None of the selected jobs declares';
  const hint = near ? ` Did you mean ${near}? Names are case-sensitive.` : all.length ? ` Known: ${all.slice(0, 20).join(', ')}.` : ' No parameter is declared.';
  return badInput(at, `${who} no parameter ${JSON.stringify(name.slice(0, 80))}.${hint}`);
}

/**
 * Checks the values of a run request against the jobs of the rows it acts on, and answers a
 * function giving each row its values. Throws BAD_USER_INPUT on `parameters[i]` for an unknown
 * name, a value that does not fit, and on `parameters` for a required value a row would lack.
 */
export function runValuesFor(
  defs: readonly JobDefinition[],
  inputs: readonly ParameterInput[] | null | undefined,
  rows: readonly { jobId: string; parameterDefaults: ParameterValueJson[] }[],
  field = 'parameters',
): (row: { jobId: string; parameterDefaults: ParameterValueJson[] }) => ParameterValueJson[] {
  const given = inputs ?? [];
  checkList(given, field);
  // Without a row to act on there is no job to check against: the answer says NOT_FOUND per row.
  if (defs.length) {
    given.forEach((v, i) => {
      const declaring = defs.filter((d) => declared(d, v.name));
      if (!declaring.length) throw unknown(defs, v.name, `${field}[${i}]`);
      for (const d of declaring) {
        const p = declared(d, v.name)!;
        const problem = valueProblem(p, v.value);
        if (problem) throw badInput(`${field}[${i}]`, `Parameter ${p.name}${defs.length > 1 ? ` of job ${d.id}` : ''}: ${shown(p, v.value)} ${problem}.`);
        if (p.required && v.value === '') throw badInput(`${field}[${i}]`, `Parameter ${p.name}${defs.length > 1 ? ` of job ${d.id}` : ''} is required: give a non-empty value.`);
      }
    });
  }
  const byId = new Map(defs.map((d) => [d.id, d]));
  const valuesOf = (row: { jobId: string; parameterDefaults: ParameterValueJson[] }) => {
    const params = byId.get(row.jobId)?.parameters ?? [];
    // A row default that no longer fits (the job's declaration changed) gives way to the job's default.
    const rowDefaults = (row.parameterDefaults ?? []).filter((v) => {
      const p = params.find((x) => x.name === v.name);
      return p && !valueProblem(p, v.value);
    });
    return resolveValues(params, given, rowDefaults);
  };
  for (const row of rows) {
    const def = byId.get(row.jobId);
    const missing = def ? missingRequired(def.parameters ?? [], valuesOf(row)) : [];
    if (missing.length)
      throw badInput(field, `Parameter ${missing[0]!.name} of job ${row.jobId} is required and has no default: give a value.`);
  }
  return valuesOf;
}

/**
 * Checks a row's new default values (updateJob(s) input.parameters) against its job(s). A value ""
 * means "no default". Answers the values to store and the secret names whose current default is
 * kept: secrets are never served, so a client could not send them back; a list that names a
 * secret replaces (or, with "", clears) it, and an empty list clears every default.
 */
export function defaultsFor(defs: readonly JobDefinition[], inputs: readonly ParameterInput[], field = 'input.parameters') {
  checkList(inputs, field);
  inputs.forEach((v, i) => {
    const declaring = defs.filter((d) => declared(d, v.name));
    if (!declaring.length) throw unknown(defs, v.name, `${field}[${i}]`);
    if (v.value === '') return;
    for (const d of declaring) {
      const p = declared(d, v.name)!;
      const problem = valueProblem(p, v.value);
      if (problem) throw badInput(`${field}[${i}]`, `Parameter ${p.name}${defs.length > 1 ? ` of job ${d.id}` : ''}: ${shown(p, v.value)} ${problem}.`);
    }
  });
  const named = new Set(inputs.map((v) => v.name));
  const keep = inputs.length === 0 ? [] : [...new Set(defs.flatMap((d) => (d.parameters ?? []).filter((p) => p.secret && !named.has(p.name)).map((p) => p.name)))];
  return { values: inputs.filter((v) => v.value !== '').map((v) => ({ name: v.name, value: v.value })), keep };
}

/** A request's values for its audit entry: a value secret for any of the jobs is left out (null). */
export function auditValues(defs: readonly JobDefinition[], inputs: readonly ParameterInput[] | null | undefined): ParameterValueView[] {
  return (inputs ?? []).map((v) => {
    const ps = defs.map((d) => declared(d, v.name)).filter((p): p is ParameterDeclaration => !!p);
    return { name: v.name, value: ps.length && ps.every((p) => !p.secret) ? v.value : null };
  });
}
