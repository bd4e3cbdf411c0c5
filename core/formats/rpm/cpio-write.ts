/**
 * Pure encoder of cpio "newc" (070701) archives, the RPM payload format.
 * docs/formats/containers.md §6; linux Documentation/driver-api/early-userspace/buffer-format.rst.
 */
import { SuppackError } from '../../base/errors';
import { CPIO_TRAILER, NEWC_FIELDS, NEWC_HEADER_SIZE, type NewcHeader } from './cpio';

/** One archive member. `data` is the file content, or the target for a symlink, or empty. */
export interface NewcMember {
  name: string;
  ino: number;
  mode: number;
  uid?: number;
  gid?: number;
  nlink: number;
  mtime: number;
  data?: Buffer;
  devMajor?: number;
  devMinor?: number;
}

const MAX_U32 = 0xffffffff;

/** docs/formats/containers.md §6: 110-byte header = "070701" then 13 fields of 8 uppercase hex digits. */
export function encodeNewcHeader(h: Omit<NewcHeader, 'magic' | 'check'>): Buffer {
  const values: NewcHeader = { magic: '070701', ...h, check: 0 };
  const text = NEWC_FIELDS.map((name) => values[name])
    .map((v) => {
      if (!Number.isInteger(v) || v < 0 || v > MAX_U32) throw new SuppackError(`cpio header field value ${v} does not fit in 32 bits`);
      return v.toString(16).toUpperCase().padStart(8, '0');
    })
    .join('');
  const out = Buffer.from(`070701${text}`, 'latin1');
  if (out.length !== NEWC_HEADER_SIZE) throw new Error('newc header length');
  return out;
}

/** docs/formats/containers.md §6: header, name + NUL padded so the data starts 4-aligned, data padded to 4. */
export function encodeNewcMember(m: NewcMember): Buffer {
  const name = Buffer.from(`${m.name}\0`, 'utf8');
  const data = m.data ?? Buffer.alloc(0);
  const header = encodeNewcHeader({
    ino: m.ino,
    mode: m.mode,
    uid: m.uid ?? 0,
    gid: m.gid ?? 0,
    nlink: m.nlink,
    mtime: m.mtime,
    size: data.length,
    devMajor: m.devMajor ?? 0,
    devMinor: m.devMinor ?? 0,
    rdevMajor: 0,
    rdevMinor: 0,
    nameSize: name.length,
  });
  const namePad = pad4(NEWC_HEADER_SIZE + name.length);
  return Buffer.concat([header, name, Buffer.alloc(namePad), data, Buffer.alloc(pad4(data.length))]);
}

/** A whole archive: the members in the given order, then the TRAILER!!! member (nlink 1, as GNU cpio and rpm write it). */
export function encodeNewc(members: readonly NewcMember[]): Buffer {
  const parts = members.map(encodeNewcMember);
  parts.push(encodeNewcMember({ name: CPIO_TRAILER, ino: 0, mode: 0, nlink: 1, mtime: 0 }));
  return Buffer.concat(parts);
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}
