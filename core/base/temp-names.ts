/**
 * Names of the hidden temporary files and directories a build makes next to its outputs, and
 * their removal by the next run for the same output when the run that made them was killed
 * (issue 19 item 6). Each name carries the pid of the process that made it:
 * `.<output name>.<pid>-<12 hex>.<kind>`, so a later run removes only what a process that no
 * longer runs left (a live pid's temp belongs to a build still running).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { SuppackError } from './errors';

export type TempKind = 'tmp' | 'stage' | 'rpms' | 'old' | 'set';

/**
 * The longest output name, in bytes, that leaves room for its temps: `.<name>.<pid>-<hex>.<kind>`
 * adds up to 28 bytes, a set journal's temp 4 more, a temp of a temp as many again, and file
 * systems take names of at most 255 bytes.
 */
export const MAX_OUTPUT_NAME_BYTES = 200;

/** A fresh temp name next to `dest`: `.<basename>.<pid>-<hex>.<kind>` (nothing is created). */
export function tempSibling(dest: string, kind: TempKind): string {
  const name = basename(dest);
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_OUTPUT_NAME_BYTES) {
    throw new SuppackError(
      `cannot write output: its name has ${bytes} bytes, and suppack writes it first under a longer temporary name beside it: at most ${MAX_OUTPUT_NAME_BYTES} bytes (file systems take 255)`,
      { file: dest },
    );
  }
  return join(dirname(dest), `.${name}.${process.pid}-${randomBytes(6).toString('hex')}.${kind}`);
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
  const re = new RegExp(`^\\.+${escaped}\\.(\\d+)-[0-9a-f]{12}\\.(tmp|stage|rpms|old|set)(\\..*)?$`);
  // A killed set commit first: its journal names temps that must become outputs, not be removed.
  for (const name of names) {
    const m = re.exec(name);
    if (m && m[2] === 'set' && m[3] === undefined && !running(Number(m[1]))) await rollSetForward(join(dir, name));
  }
  names = await fsp.readdir(dir).catch(() => []);
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

/**
 * One entry of a set commit's journal, paths relative to the journal's directory: an output (its
 * temp and its final path) or a file of an earlier set that the commit removes.
 */
type SetEntry = { tmp: string; dest: string } | { remove: string };

/**
 * Records a set commit about to start (core/base/output.ts writeAllAtomically): the journal, named
 * after the first output, is itself written to a temp and renamed, so it is whole or absent.
 */
export async function writeSetJournal(members: ReadonlyArray<{ tmp: string; dest: string }>, removes: readonly string[] = []): Promise<string> {
  const journal = tempSibling(members[0]!.dest, 'set');
  const dir = dirname(journal);
  const body: SetEntry[] = [
    ...members.map((m) => ({ tmp: relative(dir, m.tmp), dest: relative(dir, m.dest) })),
    ...removes.map((r) => ({ remove: relative(dir, r) })),
  ];
  const tmp = `${journal}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(body));
  await fsp.rename(tmp, journal);
  return journal;
}

/**
 * Finishes the set commit a killed process left: each temp still there replaces its output, and
 * the earlier set's files the commit was removing go too.
 */
async function rollSetForward(journal: string): Promise<void> {
  const dir = dirname(journal);
  let entries: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(journal, 'utf8'));
    if (Array.isArray(parsed)) entries = parsed;
  } catch {
    // Unreadable: nothing to finish; the temps are then removed as stale.
  }
  // Only names inside the journal's directory tree, as writeSetJournal wrote them.
  const inside = (p: unknown): p is string => typeof p === 'string' && !isAbsolute(p) && !p.split(/[\\/]/).includes('..');
  const safe = entries.filter((m): m is { tmp: string; dest: string } => inside((m as { tmp?: unknown })?.tmp) && inside((m as { dest?: unknown })?.dest));
  const removes = entries.map((m) => (m as { remove?: unknown })?.remove).filter(inside);
  const present = await Promise.all(safe.map((m) => fsp.access(join(dir, m.tmp)).then(() => true, () => false)));
  // Every temp gone: the commit had finished its renames (and its removals before them).
  if (present.includes(true)) for (const r of removes) await fsp.rm(join(dir, r), { force: true }).catch(() => undefined);
  // Some left: remove their old outputs, rename.
  for (const [i, m] of safe.entries()) {
    if (!present[i]) continue;
    await fsp.rm(join(dir, m.dest), { force: true }).catch(() => undefined);
    await fsp.rename(join(dir, m.tmp), join(dir, m.dest)).catch(() => undefined);
  }
  await fsp.rm(journal, { force: true }).catch(() => undefined);
}
