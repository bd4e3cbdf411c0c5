/**
 * `mkdir -p` that always ends. Node's own (`mkdir(dir, { recursive: true })`, Node 20 and 22)
 * never returns for a path under /proc: procfs answers ENOENT for a new child of a directory that
 * exists, and Node then makes the parent (EEXIST, taken as done) and retries the child, forever,
 * at 100% CPU (docs/security.md, "Output directories"). Here each missing directory is made once,
 * from the top; the first one that cannot be made is the error.
 */
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isNodeError } from './errors';

/** Make `dir` and its missing parents; an existing directory is fine. Rejects with the failing mkdir's error. */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; ) {
    try {
      const st = await fsp.stat(d);
      if (missing.length === 0 && !st.isDirectory()) {
        // what mkdir -p and Node's recursive mkdir say
        throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', errno: -17, syscall: 'mkdir', path: dir });
      }
      break;
    } catch (e) {
      if (!isNodeError(e) || e.code !== 'ENOENT') throw e;
    }
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await fsp.mkdir(d);
    } catch (e) {
      // made meanwhile by someone else (or a dangling symlink: its child's mkdir then fails)
      if (!isNodeError(e) || e.code !== 'EEXIST') throw e;
    }
  }
}

/** The directories of `dir`'s path that do not exist, deepest first. */
async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    const there = await fsp.lstat(d).then(
      () => true,
      () => false,
    );
    if (there || dirname(d) === d) break;
    missing.push(d);
  }
  return missing;
}

/**
 * Run `build`, which writes its outputs under `dir`; when it fails, remove the directories of
 * `dir`'s path that it made and left empty, so that a refused build leaves nothing behind
 * (docs/security.md, "Output directories"). A directory that holds anything stays.
 */
export async function removingNewDirsOnFailure<T>(dir: string, build: () => Promise<T>): Promise<T> {
  const missing = await missingDirs(dir);
  try {
    return await build();
  } catch (e) {
    for (const d of missing) if (!(await fsp.rmdir(d).then(() => true, () => false))) break;
    throw e;
  }
}
