/**
 * The one error type users see. Its message is a single line that says where the problem is
 * (a file or a flag), which field, and what was expected (allProblems: one such line per problem). Adapters (CLI, Nx executors, gulp)
 * print `message` and exit non-zero; they never print a stack for a SuppackError.
 */
import { joinLines, printableLine } from './printable';

export interface ErrorWhere {
  /** The file the problem is in (an input path as the user gave it), or a flag such as `--label`. */
  file?: string;
  /** The field inside that file, e.g. `XS-PACKAGES: package[2].md5`, `RPM header tag 1000 (NAME)`. */
  field?: string;
}

export class SuppackError extends Error {
  readonly file?: string;
  readonly field?: string;

  constructor(what: string, where: ErrorWhere = {}) {
    const prefix = [where.file, where.field].filter((s) => s !== undefined && s !== '').join(': ');
    super(oneLine(prefix ? `${prefix}: ${what}` : what));
    this.name = 'SuppackError';
    this.file = where.file;
    this.field = where.field;
  }
}

/**
 * Several problems of one input reported at once (e.g. every schema error of a manifest): the
 * first error, whose message holds every problem's line, one per line.
 */
export function allProblems(errors: readonly SuppackError[]): SuppackError {
  const first = errors[0];
  if (errors.length > 1) first.message = errors.map((e) => e.message).join('\n');
  return first;
}

export function isSuppackError(e: unknown): e is SuppackError {
  return e instanceof SuppackError;
}

/** Re-throw `e` with `file` attached when it is a SuppackError without one. */
export function withFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw attachFile(e, file);
  }
}

export async function withFileAsync<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw attachFile(e, file);
  }
}

function attachFile(e: unknown, file: string): unknown {
  if (e instanceof SuppackError && e.file === undefined) {
    const what = e.field !== undefined ? e.message.slice(e.field.length + 2) : e.message;
    return new SuppackError(what, { file, field: e.field });
  }
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(describeNodeError(e), { file });
  }
  return e;
}

export function isNodeError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}

/** A one-line description of what went wrong: an fs error as describeNodeError says it, else its text. */
export function describeError(e: unknown): string {
  return isNodeError(e) ? describeNodeError(e) : e instanceof Error ? e.message : String(e);
}

/** A one-line description of an fs error without the path (callers add the file). */
export function describeNodeError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'ENOTREG': // core/base/open-input.ts: a FIFO, a device or a socket
      return e.message;
    default:
      return `${e.code}: ${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}`;
  }
}

/** One line to print: the code's line breaks joined, any control character from an input escaped. */
function oneLine(s: string): string {
  return printableLine(joinLines(s));
}
