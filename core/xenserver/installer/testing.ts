/**
 * Test-only: an independent, kernel-like walk over an initramfs made of concatenated members
 * (linux init/initramfs.c unpack_to_rootfs: skip NULs, raw newc at a 4-aligned '0', else a
 * compressed member). Only raw and gzip members are understood here; Node has no bzip2.
 */
import { tool } from '../../../testing/tools';
import { crc32, inflateRawSync } from 'node:zlib';

export interface WalkedEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  ino: number;
  data: Buffer;
}

export interface WalkedMember {
  offset: number;
  end: number;
  kind: 'newc' | 'gzip';
  entries: WalkedEntry[];
}

export function walkInitramfs(buf: Buffer): WalkedMember[] {
  const out: WalkedMember[] = [];
  let p = 0;
  while (p < buf.length) {
    if (buf[p] === 0) {
      p++;
      continue;
    }
    if (buf[p] === 0x30 && p % 4 === 0) {
      const { entries, end } = readNewc(buf, p);
      out.push({ offset: p, end, kind: 'newc', entries });
      p = end;
    } else if (buf[p] === 0x1f && buf[p + 1] === 0x8b) {
      if (buf[p + 3] !== 0) throw new Error('walker: gzip header flags not supported');
      const body = p + 10;
      const data = inflateRawSync(buf.subarray(body));
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc32(data), 0);
      trailer.writeUInt32LE(data.length % 0x100000000, 4);
      const at = buf.indexOf(trailer, body);
      if (at < 0) throw new Error('walker: gzip trailer not found');
      out.push({ offset: p, end: at + 8, kind: 'gzip', entries: readNewc(data, 0).entries });
      p = at + 8;
    } else {
      throw new Error(`walker: junk at offset ${p}`);
    }
  }
  return out;
}

/** newc entries up to TRAILER!!!; `end` is just after the trailer's (4-aligned) end. */
function readNewc(buf: Buffer, start: number): { entries: WalkedEntry[]; end: number } {
  const entries: WalkedEntry[] = [];
  let p = start;
  for (;;) {
    const magic = buf.toString('latin1', p, p + 6);
    if (magic !== '070701') throw new Error(`walker: bad magic at ${p}`);
    const f = (k: number): number => parseInt(buf.toString('latin1', p + 6 + 8 * k, p + 14 + 8 * k), 16);
    const nameSize = f(11);
    const size = f(6);
    const name = buf.toString('utf8', p + 110, p + 110 + nameSize - 1);
    const dataAt = (p + 110 + nameSize + 3) & ~3;
    const next = (dataAt + size + 3) & ~3;
    if (name === 'TRAILER!!!') return { entries, end: next };
    entries.push({ name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), data: buf.subarray(dataAt, dataAt + size) });
    p = next;
  }
}

/** Run a shell pipeline in `cwd`; stdout as a Buffer; throws with stderr on failure. */
export function sh(cmd: string, cwd: string, input?: Buffer): Buffer {
  return tool('sh', ['-c', cmd], { cwd, input });
}
