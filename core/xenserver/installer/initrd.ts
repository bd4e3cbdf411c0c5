/**
 * A gzip'd newc cpio member appended to an installer ramdisk (install.img), or a raw one put before
 * it, and finding them again. docs/formats/containers.md §6 (linux `buffer-format.rst`): initramfs :=
 * ("\0" | cpio_archive | cpio_compressed_archive)*, so `old install.img + zero pad to 4 +
 * gzip(newc(files + TRAILER!!!))`, or `newc(files + TRAILER!!!) + zeros + old install.img`, adds
 * files without decompressing the original (bzip2, gzip or xz). Later entries overwrite earlier ones.
 */
import { crc32, gzipSync, inflateRawSync } from 'node:zlib';
import { SuppackError } from '../../base/errors';
import { CPIO_TRAILER, NEWC_HEADER_SIZE, decodeNewcHeader } from '../../formats/rpm/cpio';
import { encodeNewc, type NewcMember } from '../../formats/rpm/cpio-write';

export interface InitrdFile {
  /** Path inside the ramdisk, e.g. `/answerfile.xml`; stored without the leading `/`. Its directory must exist in the ramdisk. */
  path: string;
  data: Buffer;
  /** Permission bits (default 0644); the regular-file type is added. */
  mode?: number;
}

export interface FoundInitrdFile {
  /** The name as stored in the archive (e.g. `answerfile.xml`). */
  path: string;
  data: Buffer;
  mode: number;
}

/** RFC 1952 2.3.1: ID1 ID2 and CM = 8 (deflate). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 8]);
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
/** RFC 1952 2.3.1: OS = 3 (Unix), whatever the platform's zlib would write. */
const GZIP_OS_UNIX = 3;
/** Refuse to inflate more than this when looking for a member (the ramdisk tail is small). */
const MAX_MEMBER_OUTPUT = 64 * 1024 * 1024;

/**
 * Magic numbers of the compressions the boot loaders undo when they load a module: syslinux's
 * mboot.c32 (zloadfile: gzip) and GRUB's module2 (gzio, xzio, lzopio filters). They keep only the
 * first compressed stream, so members appended to such an image never reach the kernel.
 */
const LOADER_UNPACKED: ReadonlyArray<{ name: string; magic: Buffer }> = [
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b]) },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'lzop', magic: Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]) },
];

/** The compression a boot loader undoes when an initrd starts with `first`, if any (bzip2 and raw cpio: none). */
export function loaderUnpackedCompression(first: Buffer): string | undefined {
  return LOADER_UNPACKED.find((c) => first.length >= c.magic.length && first.subarray(0, c.magic.length).equals(c.magic))?.name;
}

/** Zero bytes to put after an initrd of `length` bytes so the next member starts 4-aligned. */
export function initrdPadding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

/**
 * A complete, deterministic member: newc entries sorted by path (ino 1, 2, ...; uid/gid 0; nlink 1;
 * mtime = `epoch`), TRAILER!!!, gzip with header mtime 0 and OS Unix, zero-padded to a multiple of 4.
 * `raw`: the newc archive uncompressed, for the start of an initrd: the boot loaders (syslinux
 * mboot.c32, GRUB module2) decompress a module that starts with gzip or xz data and keep only its
 * first member, but pass one that starts with a raw cpio as it is.
 */
export function encodeInitrdMember(files: Array<{ path: string; data: Buffer; mode?: number }>, epoch: number, raw = false): Buffer {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) {
    throw new SuppackError(`expected an epoch of 0 to 4294967295 seconds, got ${epoch}`, { field: 'initrd mtime' });
  }
  const seen = new Set<string>();
  const members: NewcMember[] = files
    .map((f) => ({ name: initrdName(f.path), f }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, f }, i) => {
      if (seen.has(name)) throw new SuppackError(`the ramdisk file /${name} is given twice`, { field: 'initrd' });
      seen.add(name);
      const perm = f.mode ?? 0o644;
      if (!Number.isInteger(perm) || perm < 0 || perm > 0o107777 || ((perm & S_IFMT) !== 0 && (perm & S_IFMT) !== S_IFREG)) {
        throw new SuppackError(`expected permission bits such as 0644 for /${name}, got ${perm.toString(8)}`, { field: 'initrd' });
      }
      return { name, ino: i + 1, mode: S_IFREG | (perm & 0o7777), nlink: 1, mtime: epoch, data: f.data };
    });
  if (raw) {
    const newc = encodeNewc(members);
    return Buffer.concat([newc, initrdPadding(newc.length)]);
  }
  const gz = gzipSync(encodeNewc(members), { level: 9 });
  // RFC 1952 2.3: member header; MTIME (bytes 4-7) = 0, OS (byte 9) fixed.
  gz.writeUInt32LE(0, 4);
  gz[9] = GZIP_OS_UNIX;
  return Buffer.concat([gz, initrdPadding(gz.length)]);
}

/** The stored newc name of a ramdisk path: no leading `/`, no empty, `.` or `..` components. */
function initrdName(path: string): string {
  const name = path.replace(/^\/+/, '');
  const parts = name.split('/');
  if (name === '' || parts.some((p) => p === '' || p === '.' || p === '..') || name.includes('\0')) {
    throw new SuppackError(`expected a file path such as /answerfile.xml, got ${JSON.stringify(path)}`, { field: 'initrd' });
  }
  return name;
}

/**
 * Find a gzip newc member at the very end of `tail` (the last bytes of an initrd): scan for the
 * gzip magic from the end, inflate, parse newc up to TRAILER!!!; the gzip trailer must end the
 * buffer apart from zero padding. `offset` is relative to `tail`.
 */
export function findAppendedMember(tail: Buffer): { offset: number; files: FoundInitrdFile[] } | undefined {
  let end = tail.length;
  while (end > 0 && tail[end - 1] === 0) end--;
  // The trailer itself may end in zero bytes (ISIZE, CRC): start where the smallest member (18 bytes) could.
  for (let s = tail.lastIndexOf(GZIP_MAGIC, tail.length - 18); s >= 0; s = s > 0 ? tail.lastIndexOf(GZIP_MAGIC, s - 1) : -1) {
    const files = tryMember(tail, s, end);
    if (files !== undefined) return { offset: s, files };
  }
  return undefined;
}

/**
 * Find a raw newc archive at the very start of `head` (the first bytes of an initrd), put there
 * instead of at the end (encodeInitrdMember's `raw`, core/formats/iso/append/placement.ts): its entries up
 * to TRAILER!!!, and `end`, the offset just after it. A compressed image gives undefined.
 */
export function findLeadingMember(head: Buffer): { end: number; files: FoundInitrdFile[] } | undefined {
  return readNewcArchive(head);
}

/** Room for the gzip header (with FEXTRA, FNAME, FCOMMENT) and deflate block headers. */
const GZIP_HEADER_ALLOWANCE = 4096;
/** The shortest newc archive: a TRAILER!!! entry alone (110-byte header + name, 4-aligned). */
const MIN_NEWC_BYTES = 124;

/**
 * How far back from the end of `end` (the last bytes of an initrd) a gzip member that ends there
 * can start, read from the input sizes its trailer may claim, so that finding one needs only
 * those bytes, not a scan of the whole image. RFC 1952 2.3.1: the member ends in CRC32 and ISIZE
 * (input bytes mod 2^32, little-endian), possibly followed by zero padding. Undefined when no
 * trailer place claims a size a newc member can have (at least a TRAILER!!! entry, at most what
 * is inflated). Deflate (RFC 1951) has no strict bound (empty blocks are valid), so the span
 * allows what real encoders write and more: two bytes per input byte (stored blocks take 5 more
 * per 65535; codes are at most 15 bits) and 4 KiB for the header and block headers.
 */
export function appendedMemberSpan(end: Buffer): number | undefined {
  let last = end.length;
  while (last > 0 && end[last - 1] === 0) last--;
  let span: number | undefined;
  // The trailer ends at the last non-zero byte or up to 7 zero bytes of itself after it.
  for (let e = Math.max(last, 8); e <= Math.min(last + 7, end.length); e++) {
    const isize = end.readUInt32LE(e - 4);
    if (isize < MIN_NEWC_BYTES || isize > MAX_MEMBER_OUTPUT) continue;
    const member = GZIP_HEADER_ALLOWANCE + 2 * isize + 8;
    span = Math.max(span ?? 0, end.length - e + member);
  }
  return span;
}

function tryMember(tail: Buffer, start: number, lastNonZero: number): FoundInitrdFile[] | undefined {
  const bodyAt = gzipBodyOffset(tail, start);
  if (bodyAt === undefined) return undefined;
  let out: Buffer;
  try {
    out = inflateRawSync(tail.subarray(bodyAt), { maxOutputLength: MAX_MEMBER_OUTPUT });
  } catch {
    return undefined;
  }
  // RFC 1952 2.3.1: CRC32 then ISIZE, little-endian; it must end at the last non-zero byte or within the zeros after it.
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(out), 0);
  trailer.writeUInt32LE(out.length % 0x100000000, 4);
  let ends = false;
  for (let e = Math.max(lastNonZero, bodyAt + 8); e <= tail.length && !ends; e++) ends = tail.subarray(e - 8, e).equals(trailer);
  if (!ends) return undefined;
  return parseNewc(out);
}

/** RFC 1952 2.3: skip ID1 ID2 CM FLG MTIME XFL OS and the optional FEXTRA, FNAME, FCOMMENT, FHCRC. */
function gzipBodyOffset(b: Buffer, start: number): number | undefined {
  if (start + 10 > b.length) return undefined;
  const flg = b[start + 3];
  if ((flg & 0xe0) !== 0) return undefined;
  let p = start + 10;
  if (flg & 0x04) {
    if (p + 2 > b.length) return undefined;
    p += 2 + b.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (flg & bit) {
      const z = b.indexOf(0, p);
      if (z < 0) return undefined;
      p = z + 1;
    }
  }
  if (flg & 0x02) p += 2;
  return p < b.length ? p : undefined;
}

/** docs/formats/containers.md §6: a whole newc archive in memory, up to TRAILER!!! followed only by zeros. */
function parseNewc(buf: Buffer): FoundInitrdFile[] | undefined {
  const archive = readNewcArchive(buf);
  return archive && buf.subarray(archive.end).every((x) => x === 0) ? archive.files : undefined;
}

/** docs/formats/containers.md §6: the newc entries at the start of `buf` up to TRAILER!!!, and the offset just after it. */
function readNewcArchive(buf: Buffer): { end: number; files: FoundInitrdFile[] } | undefined {
  const files: FoundInitrdFile[] = [];
  let p = 0;
  try {
    for (;;) {
      if (p + NEWC_HEADER_SIZE > buf.length) return undefined;
      const h = decodeNewcHeader(buf.subarray(p, p + NEWC_HEADER_SIZE));
      const nameEnd = p + NEWC_HEADER_SIZE + h.nameSize;
      if (h.nameSize < 1 || nameEnd > buf.length || buf[nameEnd - 1] !== 0) return undefined;
      const name = buf.toString('utf8', p + NEWC_HEADER_SIZE, nameEnd - 1);
      const dataAt = align4(nameEnd);
      if (dataAt + h.size > buf.length) return undefined;
      if (name === CPIO_TRAILER) return { end: Math.min(buf.length, align4(dataAt + h.size)), files };
      files.push({ path: name, data: Buffer.from(buf.subarray(dataAt, dataAt + h.size)), mode: h.mode });
      p = align4(dataAt + h.size);
    }
  } catch (e) {
    if (e instanceof SuppackError) return undefined;
    throw e;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
