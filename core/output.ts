import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from './errors';
import { removeStaleTemps, tempSibling } from './temp-names';

/** A temp file next to its destination: renamed into place by `commit`, removed by `discard`. */
export interface AtomicOutput {
  readonly dest: string;
  readonly tmp: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Make `dest`'s directory and name a temp file next to it (nothing is created yet). */
export async function atomicOutput(dest: string): Promise<AtomicOutput> {
  const dir = dirname(dest);
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw asOutputError(e, dir);
  }
  await removeStaleTemps(dest);
  const tmp = tempSibling(dest, 'tmp');
  return {
    dest,
    tmp,
    commit: () =>
      fsp.rename(tmp, dest).catch((e: unknown) => {
        throw asOutputError(e, dest);
      }),
    discard: () => fsp.rm(tmp, { force: true }),
  };
}

/**
 * Write `dest` atomically: `write` fills a temp file next to it, which is renamed into place
 * only when `write` resolves. On any failure the temp file is removed and `dest` is untouched,
 * so users never see a half-written output.
 */
export async function writeAtomically<T>(dest: string, write: (tmpPath: string) => Promise<T>): Promise<T> {
  const out = await atomicOutput(dest);
  try {
    const result = await write(out.tmp);
    await out.commit();
    return result;
  } catch (e) {
    await out.discard();
    throw asOutputError(e, dest);
  }
}

/** Write several outputs so that either all of them appear or none does. */
export async function writeAllAtomically(
  outputs: Array<{ dest: string; write: (tmpPath: string) => Promise<unknown> }>,
): Promise<void> {
  const staged: Array<{ tmp: string; dest: string }> = [];
  try {
    for (const { dest, write } of outputs) {
      const dir = dirname(dest);
      await fsp.mkdir(dir, { recursive: true }).catch((e) => {
        throw asOutputError(e, dir);
      });
      await removeStaleTemps(dest);
      const tmp = tempSibling(dest, 'tmp');
      staged.push({ tmp, dest });
      await write(tmp);
    }
    for (const { tmp, dest } of staged) await fsp.rename(tmp, dest);
  } catch (e) {
    await Promise.all(staged.map(({ tmp }) => fsp.rm(tmp, { force: true })));
    throw asOutputError(e, staged.at(-1)?.dest ?? '');
  }
}

export function asOutputError(e: unknown, path: string): unknown {
  if (e instanceof SuppackError) return e;
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(`cannot write output: ${describeNodeError(e)}`, { file: path });
  }
  return e;
}
