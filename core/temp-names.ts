/**
 * Names of the hidden temporary files and directories a build makes next to its outputs, and
 * their removal by the next run for the same output when the run that made them was killed
 * (issue 19 item 6). Each name carries the pid of the process that made it:
 * `.<output name>.<pid>-<12 hex>.<kind>`, so a later run removes only what a process that no
 * longer runs left (a live pid's temp belongs to a build still running).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type TempKind = 'tmp' | 'stage' | 'rpms' | 'old';

/** A fresh temp name next to `dest`: `.<basename>.<pid>-<hex>.<kind>` (nothing is created). */
export function tempSibling(dest: string, kind: TempKind): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(6).toString('hex')}.${kind}`);
}

function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temps of `dest` (and the temps of its temps) that a dead process left. A stale
 * `.old` directory of a killed replaceDir is the previous output: it is put back when `dest` is
 * missing (the kill fell between its two renames), removed otherwise.
 */
export async function removeStaleTemps(dest: string): Promise<void> {
  const dir = dirname(dest);
  const base = basename(dest);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\.+${escaped}\\.(\\d+)-[0-9a-f]{12}\\.(tmp|stage|rpms|old)(\\..*)?$`);
  for (const name of names) {
    const m = re.exec(name);
    if (!m || running(Number(m[1]))) continue;
    const path = join(dir, name);
    if (m[2] === 'old' && m[3] === undefined) {
      const restored = await fsp.access(dest).then(
        () => false,
        () => fsp.rename(path, dest).then(() => true, () => false),
      );
      if (restored) continue;
    }
    await fsp.rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
