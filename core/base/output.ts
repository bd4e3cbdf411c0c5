import { promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from './errors';
import { removeStaleTemps, tempSibling, writeSetJournal } from './temp-names';
import { makeDir } from './make-dir';
import { dropCachedPages } from './drop-cache';

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
    await makeDir(dir);
  } catch (e) {
    throw asOutputError(e, dir);
  }
  await removeStaleTemps(dest);
  await dropCachedPages(dest);
  const tmp = tempSibling(dest, 'tmp');
  return {
    dest,
    tmp,
    commit: () =>
      replaceFile(tmp, dest).catch((e: unknown) => {
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

/**
 * Put `tmp` in `dest`'s place: the old `dest` is removed first and `tmp` renamed to a name that
 * is free. A rename over an existing file makes ext4 flush the new file's data first
 * (auto_da_alloc), which costs a large output the time of a disk write; a kill between the two
 * steps leaves no `dest` (and a complete temp that the next run removes), never a partial one.
 */
export async function replaceFile(tmp: string, dest: string): Promise<void> {
  await fsp.rm(dest, { force: true });
  await fsp.rename(tmp, dest);
}

/**
 * Write several outputs that belong together (an ISO and its md5 files) so that they are
 * replaced together: every temp is written first; then a journal next to the first output lists
 * them, the old outputs are removed and the temps renamed into place, and the journal goes. A
 * kill before the journal is written leaves the old set; after it, a partial new set without
 * any old member (never a new ISO beside an old .md5), which the next run for the same outputs
 * completes from the journal (removeStaleTemps) before it does anything else. docs/security.md,
 * "Outputs after a kill".
 *
 * `family`: the names an earlier set of the same name may have had (packOutputFamily): those
 * this set does not write are removed with the old outputs (an `.iso.md5` of the ISO replaced,
 * a `.metadata.md5` beside a combined ISO), and returned. Only files and symlinks are removed.
 */
export async function writeAllAtomically(
  outputs: Array<{ dest: string; write: (tmpPath: string) => Promise<unknown> }>,
  family: readonly string[] = [],
): Promise<{ removed: string[] }> {
  const staged: Array<{ tmp: string; dest: string }> = [];
  let journal: string | undefined;
  try {
    for (const { dest, write } of outputs) {
      const dir = dirname(dest);
      await makeDir(dir).catch((e) => {
        throw asOutputError(e, dir);
      });
      await removeStaleTemps(dest);
      await dropCachedPages(dest);
      const tmp = tempSibling(dest, 'tmp');
      staged.push({ tmp, dest });
      await write(tmp);
    }
  } catch (e) {
    await Promise.all(staged.map(({ tmp }) => fsp.rm(tmp, { force: true })));
    throw asOutputError(e, staged.at(-1)?.dest ?? '');
  }
  if (staged.length === 0) return { removed: [] };
  try {
    const removed = await leftFromEarlierSets(family, staged);
    journal = await writeSetJournal(staged, removed);
    for (const path of [...staged.map((m) => m.dest), ...removed]) await fsp.rm(path, { force: true });
    for (const { tmp, dest } of staged) await fsp.rename(tmp, dest);
    await fsp.rm(journal, { force: true });
    return { removed };
  } catch (e) {
    // A failure half way (a full disk, a vanished directory) finishes nothing: the temps go, and
    // whatever of the old set is left stays.
    await Promise.all(staged.map(({ tmp }) => fsp.rm(tmp, { force: true })));
    if (journal !== undefined) await fsp.rm(journal, { force: true });
    throw asOutputError(e, staged[0]!.dest);
  }
}

/** The members of `family` that exist as a file or symlink and that `staged` does not write. */
async function leftFromEarlierSets(family: readonly string[], staged: ReadonlyArray<{ dest: string }>): Promise<string[]> {
  const written = new Set(staged.map((m) => resolve(m.dest)));
  const left: string[] = [];
  for (const path of family) {
    if (written.has(resolve(path))) continue;
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) left.push(path);
  }
  return left;
}

/** Make an output directory (and its parents) with makeDir; a failure is "cannot write output", naming it. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await makeDir(dir);
  } catch (e) {
    throw asOutputError(e, dir);
  }
}

export function asOutputError(e: unknown, path: string): unknown {
  if (e instanceof SuppackError) return e;
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(`cannot write output: ${describeNodeError(e)}`, { file: path });
  }
  return e;
}

/**
 * A directory of outputs (a stage's), replaced as a whole: the stage fills a fresh temp directory next to
 * it, which takes the old directory's place only when the stage succeeds. Stale files of an
 * earlier run (a renamed RPM, an old label's ISO) never survive, and a failed run leaves the
 * previous output untouched.
 */
export async function replaceDir<T>(outDir: string, fill: (tmpDir: string) => Promise<T>): Promise<T> {
  await removeStaleTemps(outDir);
  // a stage's large outputs (its ISO) lie at its top level
  const previous = await fsp.readdir(outDir).catch(() => [] as string[]);
  for (const name of previous) await dropCachedPages(join(outDir, name));
  const tmp = tempSibling(outDir, 'tmp');
  const old = tempSibling(outDir, 'old');
  try {
    await makeDir(tmp);
  } catch (e) {
    throw asOutputError(e, outDir);
  }
  let result: T;
  try {
    result = await fill(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw asOutputError(e, outDir);
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
    throw asOutputError(e, outDir);
  }
  if (hadOld) await fsp.rm(old, { recursive: true, force: true });
  return result;
}
