/**
 * Run parameters as the engine sees them: what a declaration must be (checked when the catalog
 * loads), whether a value fits its type, the typed values a TypeScript job gets, the values a
 * scheduled run takes, and the masking of secret values in a run's log. Pure: no I/O.
 */
import type { ParameterDeclaration } from './types';

/** A parameter's name: it becomes part of an environment variable (JOBDECK_PARAM_<NAME>). */
export const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MAX_PARAMETERS = 50;
/** Longest value (and default, and choice) in characters: it travels in an environment variable. */
export const MAX_PARAMETER_VALUE_CHARS = 4000;
export const MAX_CHOICES = 100;
/** Secret values shorter than this are not masked in logs: "1" or "yes" would mask half the output. */
export const MIN_MASKED_SECRET_CHARS = 4;
export const MASK = '•••';

export type ParameterValueJson = { name: string; value: string };

const INT_RE = /^-?\d{1,15}$/;

/** Why `value` does not fit the declaration, or null when it does. The message completes "… value …". */
export function valueProblem(p: ParameterDeclaration, value: string): string | null {
  if (value.length > MAX_PARAMETER_VALUE_CHARS) return `is longer than ${MAX_PARAMETER_VALUE_CHARS} characters`;
  if (value.includes('\0')) return 'must not contain NUL';
  switch (p.type) {
    case 'INT':
      return INT_RE.test(value) && Number.isSafeInteger(Number(value)) ? null : 'must be a whole number like 42';
    case 'BOOLEAN':
      return value === 'true' || value === 'false' ? null : 'must be "true" or "false"';
    case 'CHOICE':
      return p.choices?.includes(value) ? null : `must be one of ${(p.choices ?? []).map((c) => JSON.stringify(c)).join(', ')}`;
    default:
      return null;
  }
}

/**
 * Problems of a job's parameter declarations, each with the field it concerns (relative to the
 * job: "parameters[1].default"). Empty when they are sound.
 */
export function declarationProblems(params: readonly ParameterDeclaration[]): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (params.length > MAX_PARAMETERS) out.push({ field: 'parameters', message: `at most ${MAX_PARAMETERS} parameters` });
  const seen = new Map<string, number>();
  params.forEach((p, i) => {
    const at = (f?: string) => `parameters[${i}]${f ? `.${f}` : ''}`;
    if (typeof p.name !== 'string' || !PARAMETER_NAME_RE.test(p.name)) {
      out.push({ field: at('name'), message: `must match ${PARAMETER_NAME_RE.source} (a letter or "_", then letters, digits, "_"; at most 64)` });
    } else {
      const other = seen.get(p.name.toUpperCase());
      if (other !== undefined) out.push({ field: at('name'), message: `${JSON.stringify(p.name)} is already declared by parameters[${other}] (names are compared case-insensitively)` });
      else seen.set(p.name.toUpperCase(), i);
    }
    if (!['STRING', 'INT', 'BOOLEAN', 'CHOICE'].includes(p.type)) {
      out.push({ field: at('type'), message: 'must be one of STRING, INT, BOOLEAN, CHOICE' });
      return;
    }
    if (p.type === 'CHOICE') {
      if (!p.choices || p.choices.length === 0) out.push({ field: at('choices'), message: 'a CHOICE parameter needs a non-empty list of choices' });
      else {
        if (p.choices.length > MAX_CHOICES) out.push({ field: at('choices'), message: `at most ${MAX_CHOICES} choices` });
        p.choices.forEach((c, j) => {
          if (typeof c !== 'string' || c === '') out.push({ field: at(`choices[${j}]`), message: 'must be a non-empty string' });
          else if (c.length > MAX_PARAMETER_VALUE_CHARS || c.includes('\0')) out.push({ field: at(`choices[${j}]`), message: `must be at most ${MAX_PARAMETER_VALUE_CHARS} characters, without NUL` });
          else if (p.choices!.indexOf(c) !== j) out.push({ field: at(`choices[${j}]`), message: `${JSON.stringify(c)} is listed twice` });
        });
        if (p.default === undefined) out.push({ field: at('default'), message: 'a CHOICE parameter needs a default among its choices' });
      }
    } else if (p.choices !== undefined) {
      out.push({ field: at('choices'), message: 'only a CHOICE parameter has choices' });
    }
    if (p.default !== undefined) {
      const problem = typeof p.default === 'string' ? valueProblem(p, p.default) : 'must be a string ("42", "true")';
      if (problem) out.push({ field: at('default'), message: problem });
    }
  });
  return out;
}

/** The value of each declared parameter for a run: `given` first, then the row's, then the job's default. */
export function resolveValues(
  params: readonly ParameterDeclaration[],
  given: readonly ParameterValueJson[],
  rowDefaults: readonly ParameterValueJson[],
): ParameterValueJson[] {
  const out: ParameterValueJson[] = [];
  for (const p of params) {
    const value = given.find((v) => v.name === p.name)?.value ?? rowDefaults.find((v) => v.name === p.name)?.value ?? p.default;
    if (value !== undefined) out.push({ name: p.name, value });
  }
  return out;
}

/** Declared parameters that are required and have no (non-empty) value among `values`. */
export function missingRequired(params: readonly ParameterDeclaration[], values: readonly ParameterValueJson[]): ParameterDeclaration[] {
  return params.filter((p) => p.required && !values.some((v) => v.name === p.name && v.value !== ''));
}

/**
 * ctx.params: each stored value of a declared parameter, typed as declared (INT: number, BOOLEAN:
 * boolean, others: string). Throws when a value no longer fits its declaration (the catalog changed
 * since the run was opened) or a required one is missing: the run fails saying which.
 */
export function typedParams(params: readonly ParameterDeclaration[], values: readonly ParameterValueJson[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const p of params) {
    const v = values.find((x) => x.name === p.name);
    if (v === undefined) continue;
    const problem = valueProblem(p, v.value);
    if (problem) throw new Error(`Parameter ${p.name}: the value ${p.secret ? '(secret)' : JSON.stringify(v.value)} ${problem}.`);
    out[p.name] = p.type === 'INT' ? Number(v.value) : p.type === 'BOOLEAN' ? v.value === 'true' : v.value;
  }
  const missing = missingRequired(params, values);
  if (missing.length) throw new Error(`Required parameter${missing.length > 1 ? 's' : ''} ${missing.map((p) => p.name).join(', ')} ha${missing.length > 1 ? 've' : 's'} no value: give one to Execute now, or set the row's default.`);
  return out;
}

/** The environment variable a command job receives a parameter in. */
export const parameterEnvName = (name: string) => `JOBDECK_PARAM_${name.toUpperCase()}`;

/** The secret values of a run worth masking in its log (long enough not to mask ordinary words). */
export function secretValues(params: readonly ParameterDeclaration[] | undefined, values: readonly ParameterValueJson[]): string[] {
  const secret = new Set((params ?? []).filter((p) => p.secret).map((p) => p.name));
  const out = values.filter((v) => secret.has(v.name) && v.value.length >= MIN_MASKED_SECRET_CHARS).map((v) => v.value);
  // Longest first: a secret that contains another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of a secret replaced by "•••". */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}
