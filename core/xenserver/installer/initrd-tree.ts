/**
 * An appended initramfs member that carries whole directory trees (docs/formats/containers.md §6): every file
 * with each of its parent directories before it, so the kernel creates the ones the ramdisk lacks.
 * Deterministic: entries sorted by path, ino 1.., uid/gid 0, mtime = epoch, gzip header mtime 0.
 */
import { gzipSync } from 'node:zlib';
import { SuppackError } from '../../base/errors';
import { encodeNewc, type NewcMember } from '../../formats/rpm/cpio-write';
import { initrdPadding, type InitrdFile } from './initrd';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** RFC 1952 2.3.1: OS = 3 (Unix). */
const GZIP_OS_UNIX = 3;

/**
 * A gzip'd newc member with `files` (mode: permission bits, default 0644) and their directories
 * (0755), zero-padded to a multiple of 4. Paths as in the ramdisk, without a leading `/`.
 */
export function encodeInitrdTree(files: readonly InitrdFile[], epoch: number): Buffer {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) {
    throw new SuppackError(`expected an epoch of 0 to 4294967295 seconds, got ${epoch}`, { field: 'initrd mtime' });
  }
  const entries = new Map<string, { mode: number; data?: Buffer }>();
  for (const f of files) {
    const name = f.path.replace(/^\/+/, '');
    const parts = name.split('/');
    if (name === '' || parts.some((p) => p === '' || p === '.' || p === '..') || name.includes('\0')) {
      throw new SuppackError(`expected a file path such as /lib/modules/x/y.ko, got ${JSON.stringify(f.path)}`, { field: 'initrd' });
    }
    const perm = f.mode ?? 0o644;
    if (!Number.isInteger(perm) || perm < 0 || perm > 0o7777) {
      throw new SuppackError(`expected permission bits such as 0644 for /${name}, got ${String(perm)}`, { field: 'initrd' });
    }
    if (entries.has(name)) throw new SuppackError(`the ramdisk path /${name} is given twice`, { field: 'initrd' });
    entries.set(name, { mode: S_IFREG | perm, data: f.data });
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const seen = entries.get(dir);
      if (seen !== undefined && seen.data !== undefined) throw new SuppackError(`/${dir} is both a file and a directory`, { field: 'initrd' });
      entries.set(dir, { mode: S_IFDIR | 0o755 });
    }
  }
  const members: NewcMember[] = [...entries.entries()]
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([name, e], i) => ({ name, ino: i + 1, mode: e.mode, nlink: e.data === undefined ? 2 : 1, mtime: epoch, ...(e.data ? { data: e.data } : {}) }));
  const gz = gzipSync(encodeNewc(members), { level: 9 });
  // RFC 1952 2.3: member header; MTIME (bytes 4-7) = 0, OS (byte 9) fixed.
  gz.writeUInt32LE(0, 4);
  gz[9] = GZIP_OS_UNIX;
  return Buffer.concat([gz, initrdPadding(gz.length)]);
}
