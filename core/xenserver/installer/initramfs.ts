/**
 * Reading an installer ramdisk made of concatenated members, as the kernel unpacks it
 * (docs/formats/containers.md §6, linux init/initramfs.c unpack_to_rootfs): NULs are skipped, a raw newc archive
 * starts with "0707" at a 4-aligned offset, anything else is a compressed archive recognised by its
 * magic. A compressed member runs up to the next offset that starts another member (its magic, and
 * its first bytes decompress to a newc header) or to the end of the file.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { SuppackError } from '../../base/errors';
import { CPIO_TRAILER, NEWC_HEADER_SIZE, decodeNewcHeader, readNewc, type CpioEntry } from '../../formats/rpm/cpio';
import { MAGIC_BYTES, decompress, detectCompression, type Compression } from './decompress';

export interface InitramfsMember {
  /** Byte offsets in the ramdisk file: [offset, end). */
  offset: number;
  end: number;
  compression: Compression;
}

const WINDOW = 1 << 20;
/** How much of a candidate member is decompressed to see whether it starts with a newc header. */
const PROBE_BYTES = 4 << 20;
const MAGIC_PREFIXES = [Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from('BZh'), Buffer.from([0xfd, 0x37, 0x7a, 0x58]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from('0707')];

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Calls `visit` for every entry of every member of the ramdisk at `path`, in order (later entries
 * overwrite earlier ones in the kernel's rootfs). An entry's data must be read inside `visit` if
 * needed. `file` names the ramdisk in errors. Returns the members.
 */
export async function walkInitramfsFile(
  path: string,
  file: string,
  visit: (entry: CpioEntry, member: InitramfsMember) => Promise<void>,
): Promise<InitramfsMember[]> {
  const fh = await fsp.open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (at: number, n: number): Promise<Buffer> => {
      const b = Buffer.alloc(Math.max(0, Math.min(n, size - at)));
      let got = 0;
      while (got < b.length) {
        const { bytesRead } = await fh.read(b, got, b.length - got, at + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return b.subarray(0, got);
    };
    const candidates = await findCandidates(read, size);
    const members: InitramfsMember[] = [];
    let p = 0;
    let next = 0;
    for (;;) {
      p = await skipZeros(read, p, size);
      if (p >= size) break;
      const field = `member ${members.length} at offset ${p}`;
      const compression = detectCompression(await read(p, MAGIC_BYTES + 3));
      if (compression === undefined || (compression === 'newc' && p % 4 !== 0)) {
        throw new SuppackError('junk in the ramdisk: expected a newc cpio archive or a gzip, bzip2, xz, lzma or zstd one', { file, field });
      }
      let end = size;
      if (compression !== 'newc') {
        while (next < candidates.length && candidates[next]! <= p) next++;
        for (let i = next; i < candidates.length; i++) {
          if (await startsMember(path, candidates[i]!, file)) {
            end = candidates[i]!;
            break;
          }
        }
      }
      const member: InitramfsMember = { offset: p, end, compression };
      const data = decompress(compression, createReadStream(path, { start: p, end: end - 1, highWaterMark: 256 * 1024 }), file, field);
      let length = 0;
      try {
        for await (const e of readNewc(data.chunks)) {
          length = align4(align4(length + NEWC_HEADER_SIZE + e.nameSize) + e.size);
          await visit(e, member);
        }
      } catch (e) {
        const why = await data.explain(e);
        if (why instanceof SuppackError && why.file === undefined) {
          throw new SuppackError(why.field !== undefined ? why.message.slice(why.field.length + 2) : why.message, {
            file,
            field: why.field !== undefined ? `${field}: ${why.field}` : field,
          });
        }
        throw why;
      } finally {
        data.close();
      }
      if (compression === 'newc') member.end = p + align4(length + NEWC_HEADER_SIZE + CPIO_TRAILER.length + 1);
      members.push(member);
      p = member.end;
    }
    return members;
  } finally {
    await fh.close();
  }
}

/** Offsets where a member could start (a known magic), sorted. */
async function findCandidates(read: (at: number, n: number) => Promise<Buffer>, size: number): Promise<number[]> {
  const out: number[] = [];
  for (let w = 0; w < size; w += WINDOW) {
    const buf = await read(w, WINDOW + 16);
    for (const magic of MAGIC_PREFIXES) {
      for (let i = buf.indexOf(magic); i >= 0 && i < WINDOW; i = buf.indexOf(magic, i + 1)) {
        const kind = detectCompression(buf, i);
        if (kind !== undefined && kind !== 'lzma' && (kind !== 'newc' || (w + i) % 4 === 0)) out.push(w + i);
      }
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

async function skipZeros(read: (at: number, n: number) => Promise<Buffer>, p: number, size: number): Promise<number> {
  while (p < size) {
    const b = await read(p, 64 * 1024);
    const nz = b.findIndex((x) => x !== 0);
    if (nz >= 0) return p + nz;
    p += b.length;
  }
  return p;
}

/** Whether a member starts at `at`: the first bytes there decompress to a newc header. */
async function startsMember(path: string, at: number, file: string): Promise<boolean> {
  const head = Buffer.alloc(NEWC_HEADER_SIZE);
  const fh = await fsp.open(path, 'r');
  try {
    await fh.read(head, 0, head.length, at);
  } finally {
    await fh.close();
  }
  const compression = detectCompression(head);
  if (compression === undefined) return false;
  if (compression === 'newc') return isNewcHeader(head);
  const data = decompress(compression, createReadStream(path, { start: at, end: at + PROBE_BYTES - 1 }), file, `offset ${at}`);
  let got = Buffer.alloc(0);
  try {
    for await (const c of data.chunks) {
      got = Buffer.concat([got, c]);
      if (got.length >= NEWC_HEADER_SIZE) break;
    }
  } catch {
    // not a member: a false magic inside compressed data
  } finally {
    data.close();
  }
  return isNewcHeader(got);
}

function isNewcHeader(b: Buffer): boolean {
  if (b.length < NEWC_HEADER_SIZE) return false;
  try {
    decodeNewcHeader(b.subarray(0, NEWC_HEADER_SIZE));
    return true;
  } catch {
    return false;
  }
}
