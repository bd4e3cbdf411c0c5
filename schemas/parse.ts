import type { z } from 'zod';
import { SuppackError } from '../core/errors';

/** How a schema field path is named to the user: `--label` on the CLI, `suppack.json: pack.label` in a manifest. */
export type FieldNamer = (path: ReadonlyArray<PropertyKey>) => string;

export const dottedPath: FieldNamer = (path) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';

/**
 * Validate `value` against `schema`. The first problem becomes a one-line SuppackError naming the
 * file (or flag source), the field and what was expected; the parsed value is returned otherwise.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: { file?: string; field?: FieldNamer } = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = where.field ?? dottedPath;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => name([...issue.path, k]));
    throw new SuppackError(`unknown option${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`, { file: where.file });
  }
  return fail(issue, where.file, name(issue.path));
}

function fail(issue: z.core.$ZodIssue, file: string | undefined, field: string): never {
  let what = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(what)) what = `required, expected ${issue.expected}`;
  else if (issue.code === 'invalid_type') what = what.replace(/^Invalid input: /, '');
  throw new SuppackError(what, { file, field });
}
