import type { z } from 'zod';
import { SuppackError, allProblems } from '../core/base/errors';

/** How a schema field path is named to the user: `--label` on the CLI, `suppack.json: pack.label` in a manifest. */
export type FieldNamer = (path: ReadonlyArray<PropertyKey>) => string;

export const dottedPath: FieldNamer = (path) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';

/** At most this many problems are listed; the rest are counted. */
export const MAX_PROBLEMS = 10;

/**
 * Validate `value` against `schema`. Every problem (up to MAX_PROBLEMS) becomes one line naming
 * the file (or flag source), the field, what was expected and what was found, so a person fixes
 * them in one go; the parsed value is returned otherwise.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: { file?: string; field?: FieldNamer; position?: Locator } = {},
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, where.field ?? dottedPath, where.field === dottedPath);
  const located = (p: Problem) => {
    const at = p.path && where.position?.(p.path.place === 'parent' ? p.path.path.slice(0, -1) : p.path.path, p.path.place === 'key' ? 'key' : 'value');
    return at === undefined ? p.field : p.field === undefined ? at : `${at}: ${p.field}`;
  };
  const errors = problems.slice(0, MAX_PROBLEMS).map((p) => new SuppackError(p.what, { file: where.file, field: located(p) }));
  if (problems.length > MAX_PROBLEMS) errors.push(new SuppackError(`and ${problems.length - MAX_PROBLEMS} more problems`, { file: where.file }));
  throw allProblems(errors);
}

/** Where in the input a path is, as text such as `line 4, column 16` (JSON manifests: schemas/json-positions.ts). */
export type Locator = (path: ReadonlyArray<PropertyKey>, place: 'key' | 'value') => string | undefined;

interface Problem {
  field?: string;
  what: string;
  /** The input path: its key (an unknown key), its value, or its parent's (a missing key). */
  path?: { path: ReadonlyArray<PropertyKey>; place: 'key' | 'value' | 'parent' };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], name: FieldNamer, keys: boolean): Problem[] {
  const missing = issues.filter((i) => i.code === 'invalid_type' && i.input === undefined && i.path.length > 0);
  const explained = new Set<z.core.$ZodIssue>();
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    if (!keys) {
      const flags = issue.keys.map((k) => name([...issue.path, k]));
      problems.push({ what: `unknown option${flags.length > 1 ? 's' : ''}: ${flags.join(', ')}` });
      continue;
    }
    for (const key of issue.keys) {
      const siblings = missing.filter((m) => samePath(m.path.slice(0, -1), issue.path) && !explained.has(m));
      const near = closest(key, siblings.map((m) => String(m.path.at(-1))));
      if (near !== undefined) explained.add(siblings.find((m) => String(m.path.at(-1)) === near)!);
      problems.push({
        field: name([...issue.path, key]),
        what: `unknown key${near === undefined ? '' : `; did you mean ${near}?`}`,
        path: { path: [...issue.path, key], place: 'key' },
      });
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' || explained.has(issue)) continue;
    const absent = issue.code === 'invalid_type' && issue.input === undefined && issue.path.length > 0;
    problems.push({ field: name(issue.path), what: describeIssue(issue), path: { path: issue.path, place: absent ? 'parent' : 'value' } });
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const what = issue.message;
  if (issue.code !== 'invalid_type') return what;
  if (issue.input === undefined) return /received undefined/.test(what) ? `required, expected ${issue.expected}` : what;
  const expected = /received /.test(what) ? `expected ${article(issue.expected)}` : what.replace(/^required, /, '');
  return `${expected}, got ${describeValue(issue.input)}`;
}

/** A JSON value as a person names it: `the number 1`, `the string "x"`, `null`, `an array`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'number':
      return `the number ${v}`;
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The candidate nearest `key` by edit distance, if near enough to be a typo. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= Math.max(2, Math.floor(c.length / 3))) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
