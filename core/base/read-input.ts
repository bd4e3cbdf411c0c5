/**
 * The one way an input file is read whole: a failure is a one-line SuppackError naming the file
 * (as the user gave it), the field that named it, and what went wrong, e.g.
 * `keys/acme.asc: cannot read the public key: no such file or directory`.
 */
import { SuppackError, describeError, isNodeError } from './errors';
import { readInputFile } from './open-input';

export interface ReadInputWhere {
  /** The file as errors name it (default `path`). */
  file?: string;
  /** The field or flag that named the file. */
  field?: string;
  /** What the file is, in "cannot read the <what>" (default: "cannot read it"). */
  what?: string;
  /** Said instead when the file does not exist, e.g. "missing: run pack-metadata first". */
  missing?: string;
}

export async function readInput(path: string, where: ReadInputWhere = {}): Promise<Buffer> {
  try {
    return await readInputFile(path);
  } catch (e) {
    const missing = where.missing !== undefined && isNodeError(e) && e.code === 'ENOENT';
    const what = missing ? where.missing! : `cannot read ${where.what === undefined ? 'it' : `the ${where.what}`}: ${describeError(e)}`;
    throw new SuppackError(what, { file: where.file ?? path, field: where.field });
  }
}
