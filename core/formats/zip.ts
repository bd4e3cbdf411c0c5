/**
 * ZIP byte layouts (PKWARE APPNOTE.TXT 6.3.10), the subset a deterministic release zip needs:
 * local file headers, central directory headers and the end record; no extra fields, no
 * comments, no ZIP64. Pure encoders: the streaming writer lives in core/products/release-zip/bundle.ts.
 */
import { SuppackError } from '../base/errors';

/** APPNOTE 4.4.5: compression methods. */
export const ZIP_STORED = 0;
export const ZIP_DEFLATED = 8;

/** APPNOTE 4.4.2: version made by, upper byte 3 = UNIX (external attributes carry st_mode), lower 20 = 2.0. */
export const VERSION_MADE_BY = (3 << 8) | 20;
/** APPNOTE 4.4.3: 2.0 is enough for deflate and plain files. */
export const VERSION_NEEDED = 20;
/** APPNOTE 4.4.4: general purpose bit 11, names are UTF-8. */
const FLAG_UTF8 = 1 << 11;

const LOCAL_HEADER_SIG = 0x04034b50;
const CENTRAL_HEADER_SIG = 0x02014b50;
const END_RECORD_SIG = 0x06054b50;
export const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const END_RECORD_SIZE = 22;
const MAX_U32 = 0xffffffff;
const MAX_U16 = 0xffff;

export interface ZipEntryHeader {
  /** POSIX path inside the archive, no leading '/'. */
  name: string;
  method: typeof ZIP_STORED | typeof ZIP_DEFLATED;
  crc32: number;
  compressedSize: number;
  size: number;
  /** APPNOTE 4.4.6 MS-DOS time and date. */
  dosTime: number;
  dosDate: number;
  /** Unix permission bits of a regular file, e.g. 0o644. */
  mode: number;
}

/** APPNOTE 4.4.6: MS-DOS date and time of `epoch` seconds (UTC), clamped to 1980..2107; seconds are even. */
export function dosDateTime(epoch: number): { dosTime: number; dosDate: number } {
  const d = new Date(epoch * 1000);
  let year = d.getUTCFullYear();
  if (year < 1980) return { dosTime: 0, dosDate: (1 << 5) | 1 };
  if (year > 2107) year = 2107;
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const dosDate = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  return { dosTime, dosDate };
}

/** APPNOTE 4.3.7: local file header, followed directly by the file data (no data descriptor). */
export function encodeLocalHeader(e: ZipEntryHeader): Buffer {
  const name = encodeName(e.name);
  checkSizes(e);
  const b = Buffer.alloc(LOCAL_HEADER_SIZE + name.length);
  b.writeUInt32LE(LOCAL_HEADER_SIG, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(flags(e.name), 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(e.dosTime, 10);
  b.writeUInt16LE(e.dosDate, 12);
  b.writeUInt32LE(e.crc32 >>> 0, 14);
  b.writeUInt32LE(e.compressedSize, 18);
  b.writeUInt32LE(e.size, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(0, 28); // extra field length
  name.copy(b, LOCAL_HEADER_SIZE);
  return b;
}

/** APPNOTE 4.3.12: central directory file header. */
export function encodeCentralHeader(e: ZipEntryHeader, localHeaderOffset: number): Buffer {
  const name = encodeName(e.name);
  checkSizes(e);
  if (localHeaderOffset > MAX_U32) throw tooLarge(e.name);
  const b = Buffer.alloc(CENTRAL_HEADER_SIZE + name.length);
  b.writeUInt32LE(CENTRAL_HEADER_SIG, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(flags(e.name), 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(e.dosTime, 12);
  b.writeUInt16LE(e.dosDate, 14);
  b.writeUInt32LE(e.crc32 >>> 0, 16);
  b.writeUInt32LE(e.compressedSize, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt16LE(0, 30); // extra field length
  b.writeUInt16LE(0, 32); // file comment length
  b.writeUInt16LE(0, 34); // disk number start
  b.writeUInt16LE(0, 36); // internal file attributes
  // APPNOTE 4.4.15: for UNIX, the high 16 bits are st_mode (regular file + permission bits).
  b.writeUInt32LE(((0o100000 | (e.mode & 0o7777)) << 16) >>> 0, 38);
  b.writeUInt32LE(localHeaderOffset, 42);
  name.copy(b, CENTRAL_HEADER_SIZE);
  return b;
}

/** APPNOTE 4.3.16: end of central directory record (single disk, no comment). */
export function encodeEndRecord(entries: number, centralSize: number, centralOffset: number): Buffer {
  if (entries > MAX_U16 || centralSize > MAX_U32 || centralOffset > MAX_U32) {
    throw new SuppackError('the zip would need ZIP64 (more than 65535 entries or 4 GiB), which is not supported');
  }
  const b = Buffer.alloc(END_RECORD_SIZE);
  b.writeUInt32LE(END_RECORD_SIG, 0);
  b.writeUInt16LE(0, 4); // number of this disk
  b.writeUInt16LE(0, 6); // disk where the central directory starts
  b.writeUInt16LE(entries, 8);
  b.writeUInt16LE(entries, 10);
  b.writeUInt32LE(centralSize, 12);
  b.writeUInt32LE(centralOffset, 16);
  b.writeUInt16LE(0, 20); // comment length
  return b;
}

function encodeName(name: string): Buffer {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw new SuppackError(`expected a relative POSIX path inside the zip, got ${JSON.stringify(name)}`);
  }
  const b = Buffer.from(name, 'utf8');
  if (b.length > MAX_U16) throw new SuppackError(`zip entry name longer than 65535 bytes: ${name.slice(0, 60)}...`);
  return b;
}

function flags(name: string): number {
  return /^[\x20-\x7e]*$/.test(name) ? 0 : FLAG_UTF8;
}

function checkSizes(e: ZipEntryHeader): void {
  if (e.size > MAX_U32 || e.compressedSize > MAX_U32) throw tooLarge(e.name);
}

function tooLarge(name: string): SuppackError {
  return new SuppackError('larger than 4 GiB: the zip would need ZIP64, which is not supported', { file: name });
}
