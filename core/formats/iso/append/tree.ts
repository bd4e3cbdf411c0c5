/**
 * Pure: the tree of an appended session = the old image's entries (files keep their extents)
 * minus `remove`, plus the changes, which replace old entries of the same path.
 */
import { SuppackError } from '../../../base/errors';
import type { IsoDirent } from '../reader';
import type { IsoEntry, PlacedEntry } from '../tree';

export type SessionEntry = IsoEntry | PlacedEntry;

function norm(path: string, field: string): string {
  if (typeof path !== 'string') throw new SuppackError(`expected a path, got ${String(path)}`, { field });
  return path.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** The old image's entries as session entries; throws SuppackError for what cannot be kept. */
export function keptEntries(old: readonly IsoDirent[], image: string): SessionEntry[] {
  return old.map((d): SessionEntry => {
    if (d.kind === 'dir') return { path: d.path, kind: 'dir' };
    if (d.kind === 'symlink') return { path: d.path, kind: 'symlink', target: d.target ?? '' };
    if (d.extents.length !== 1) {
      throw new SuppackError(`a file of ${d.extents.length} extents cannot be kept in an appended session (multi-extent files are not supported)`, {
        file: image,
        field: `entry '${d.path}'`,
      });
    }
    return { path: d.path, kind: 'file', size: d.size, extent: d.extents[0].lba, mode: d.mode === undefined ? undefined : d.mode & 0o7777 };
  });
}

/**
 * Merge: `remove` paths (and everything under them) must exist in the old tree; a change replaces
 * an old file or symlink of the same path, and an old directory only if that directory is removed.
 * A directory change over an old directory keeps the old directory's contents.
 */
export function mergeSession(old: readonly SessionEntry[], changes: readonly IsoEntry[], remove: readonly string[], image: string): SessionEntry[] {
  const byPath = new Map(old.map((e) => [e.path, e]));
  const removed = remove.map((r, i) => {
    const p = norm(r, `remove[${i}]`);
    if (p === '') throw new SuppackError('cannot remove the root directory', { field: `remove[${i}]` });
    if (!byPath.has(p)) throw new SuppackError(`'${p}' is not in the image ${image}`, { field: `remove[${i}]` });
    return p;
  });
  const changed = new Map<string, IsoEntry>();
  changes.forEach((c, i) => {
    const p = norm(c?.path, `files[${i}].path`);
    if (changed.has(p)) throw new SuppackError('listed twice, expected each path once', { file: p, field: 'ISO image path' });
    changed.set(p, c);
    const prev = byPath.get(p);
    if (prev?.kind === 'dir' && c.kind !== 'dir' && !removed.some((r) => under(p, r))) {
      throw new SuppackError(`is a directory in the image ${image}: list it in remove to replace it with a ${c.kind}`, {
        file: p,
        field: 'ISO image path',
      });
    }
  });
  const out: SessionEntry[] = [];
  for (const e of old) {
    if (removed.some((r) => under(e.path, r))) continue;
    const c = changed.get(e.path);
    if (c && !(c.kind === 'dir' && e.kind === 'dir')) continue;
    out.push(e);
  }
  for (const [p, c] of changed) {
    const prev = byPath.get(p);
    if (c.kind === 'dir' && prev?.kind === 'dir' && !removed.some((r) => under(p, r))) continue;
    out.push({ ...c, path: p });
  }
  return out;
}
