/**
 * A stage's output directory, replaced as a whole: the stage fills a fresh temp directory next to
 * it, which takes the old directory's place only when the stage succeeds. Stale files of an
 * earlier run (a renamed RPM, an old label's ISO) never survive, and a failed run leaves the
 * previous output untouched.
 */
import { promises as fsp } from 'node:fs';
import { SuppackError, describeNodeError, isNodeError } from './errors';
import { removeStaleTemps, tempSibling } from './temp-names';

export async function replaceDir<T>(outDir: string, fill: (tmpDir: string) => Promise<T>): Promise<T> {
  await removeStaleTemps(outDir);
  const tmp = tempSibling(outDir, 'tmp');
  const old = tempSibling(outDir, 'old');
  try {
    await fsp.mkdir(tmp, { recursive: true });
  } catch (e) {
    throw outputError(e, outDir);
  }
  let result: T;
  try {
    result = await fill(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw outputError(e, outDir);
  }
  let hadOld = false;
  try {
    hadOld = await fsp.rename(outDir, old).then(
      () => true,
      (e: unknown) => {
        if (isNodeError(e) && e.code === 'ENOENT') return false;
        throw e;
      },
    );
    await fsp.rename(tmp, outDir);
  } catch (e) {
    if (hadOld) await fsp.rename(old, outDir).catch(() => undefined);
    await fsp.rm(tmp, { recursive: true, force: true });
    throw outputError(e, outDir);
  }
  if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  return result;
}

function outputError(e: unknown, path: string): unknown {
  if (e instanceof SuppackError) return e;
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(`cannot write output: ${describeNodeError(e)}`, { file: path });
  }
  return e;
}
