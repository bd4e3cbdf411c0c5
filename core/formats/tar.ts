/**
 * A deterministic `.tar.gz` (the `--tarball` output, docs/formats/xenserver.md §1.6, and the source tarballs of
 * build-srctarballs): a ustar archive with names sorted, owner root:root (0:0), every mtime = the
 * given epoch, modes normalised to 0644 or 0755 (directories 0755, symlinks 0777), streamed
 * through gzip with a fixed header (mtime 0, OS byte 3 = Unix), so the same inputs give the same
 * bytes on every machine. `directoryEntries` turns a directory tree into entries under a prefix.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SuppackError, describeNodeError, isNodeError } from '../base/errors';
import { writeAtomically } from '../base/output';
import { openInput } from '../base/open-input';

export interface TarEntry {
  type?: 'file';
  /** Path inside the archive (relative, '/'-separated). */
  name: string;
  /** A file to read (symlinks followed), or the content itself. */
  source: string | Buffer;
  /** Only the executable bits matter: any x bit gives 0755, else 0644. Default: the file's mode, or 0644. */
  mode?: number;
}

/** A directory (stored as `name/`, mode 0755). */
export interface TarDirectoryEntry {
  type: 'directory';
  name: string;
}

/** A symbolic link, stored as a link (not followed). */
export interface TarSymlinkEntry {
  type: 'symlink';
  name: string;
  /** The link target as it is (at most 100 bytes). */
  linkname: string;
}

export type TarInput = TarEntry | TarDirectoryEntry | TarSymlinkEntry;

export const TAR_BLOCK = 512;
/** tar's default record: archives are padded to a multiple of 20 blocks, as GNU tar and Python's tarfile do. */
export const TAR_RECORD = 20 * TAR_BLOCK;

export interface UstarHeader {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  /** '0' regular file, '2' symlink, '5' directory. */
  typeflag?: string;
  /** Target of a symlink. */
  linkname?: string;
}

const MAX_OCTAL_11 = 0o77777777777; // 8 GiB - 1, the largest size/mtime in 11 octal digits

// POSIX.1-1988 ustar header (pax spec, "ustar Interchange Format"): 512 bytes.
export function encodeUstarHeader(h: UstarHeader): Buffer {
  const buf = Buffer.alloc(TAR_BLOCK);
  const { prefix, name } = splitUstarName(h.name);
  writeString(buf, 0, 100, name);
  writeOctal(buf, 100, 8, h.mode & 0o7777);
  writeOctal(buf, 108, 8, 0); // uid
  writeOctal(buf, 116, 8, 0); // gid
  writeOctal(buf, 124, 12, h.size);
  writeOctal(buf, 136, 12, h.mtime);
  buf.fill(0x20, 148, 156); // checksum computed over spaces
  buf.write(h.typeflag ?? '0', 156, 'latin1');
  writeString(buf, 157, 100, h.linkname ?? '');
  buf.write('ustar\0', 257, 'latin1');
  buf.write('00', 263, 'latin1');
  writeString(buf, 265, 32, 'root'); // uname
  writeString(buf, 297, 32, 'root'); // gname
  writeOctal(buf, 329, 8, 0); // devmajor
  writeOctal(buf, 337, 8, 0); // devminor
  writeString(buf, 345, 155, prefix);
  let sum = 0;
  for (const b of buf) sum += b;
  // chksum: six octal digits, NUL, space.
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return buf;
}

/**
 * ustar stores names up to 100 bytes, or up to 255 as `prefix/name` (prefix ≤ 155 bytes)
 * split at a '/'. Longer names are an error rather than a GNU/pax extension.
 */
export function splitUstarName(full: string): { prefix: string; name: string } {
  const bytes = Buffer.byteLength(full);
  if (bytes <= 100) return { prefix: '', name: full };
  for (let i = full.indexOf('/'); i >= 0; i = full.indexOf('/', i + 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  throw new SuppackError(
    `the name is ${bytes} bytes long; a ustar archive holds names up to 100 bytes, or 255 split at a '/' into 155 + 100`,
    { file: full },
  );
}

function writeString(buf: Buffer, offset: number, length: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > length) throw new Error(`tar header field at ${offset} overflows: ${s}`);
  b.copy(buf, offset);
}

// Numeric fields: zero-padded octal in length-1 digits, then NUL.
function writeOctal(buf: Buffer, offset: number, length: number, n: number): void {
  const digits = n.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar header field at ${offset} overflows: ${n}`);
  buf.write(`${digits}\0`, offset, 'latin1');
}

/** 0755 when any execute bit is set, else 0644. */
export function normaliseMode(mode: number): number {
  return (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

interface PreparedEntry {
  /** The name in the header (directories end with '/'). */
  name: string;
  typeflag: '0' | '2' | '5';
  source: string | Buffer;
  linkname?: string;
  size: number;
  mode: number;
}

/** Write `entries` as a deterministic tar.gz at `out` (atomically: no partial file on failure). */
export async function writeTarGz(
  entries: TarInput[],
  out: string,
  epoch: number,
): Promise<void> {
  checkEpoch(epoch, out);
  const prepared = await prepareEntries(entries);
  await writeAtomically(out, async (tmp) => {
    await pipeline(Readable.from(tarChunks(prepared, epoch)), createGzip({ level: 9 }), new GzipHeaderFix(), createWriteStream(tmp));
  });
}

/** The bytes writeTarGz would write, in memory (small trees only: render-spec's extras). */
export async function tarGzBytes(entries: TarInput[], epoch: number): Promise<Buffer> {
  checkEpoch(epoch, 'tar.gz');
  const prepared = await prepareEntries(entries);
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(tarChunks(prepared, epoch)), createGzip({ level: 9 }), new GzipHeaderFix(), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) chunks.push(c);
  });
  return Buffer.concat(chunks);
}

function checkEpoch(epoch: number, file: string): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_OCTAL_11) {
    throw new SuppackError(`expected a non-negative integer epoch below 2^33, got ${epoch}`, { file, field: 'mtime' });
  }
}

async function prepareEntries(entries: TarInput[]): Promise<PreparedEntry[]> {
  const seen = new Set<string>();
  const prepared: Array<PreparedEntry & { key: string }> = [];
  for (const e of entries) {
    checkEntryName(e.name);
    if (seen.has(e.name)) throw new SuppackError('the same name is given twice for the tarball', { file: e.name });
    seen.add(e.name);
    if (e.type === 'directory') {
      prepared.push({ key: e.name, name: `${e.name}/`, typeflag: '5', source: Buffer.alloc(0), size: 0, mode: 0o755 });
      continue;
    }
    if (e.type === 'symlink') {
      if (e.linkname === '' || Buffer.byteLength(e.linkname) > 100 || e.linkname.includes('\0')) {
        throw new SuppackError('expected a symlink target of 1 to 100 bytes (ustar linkname)', { file: e.name });
      }
      prepared.push({ key: e.name, name: e.name, typeflag: '2', source: Buffer.alloc(0), linkname: e.linkname, size: 0, mode: 0o777 });
      continue;
    }
    let size: number;
    let mode = e.mode ?? 0o644;
    if (typeof e.source === 'string') {
      const st = await fsp.stat(e.source).catch((err: unknown) => {
        throw isNodeError(err) ? new SuppackError(describeNodeError(err), { file: e.source as string }) : err;
      });
      if (!st.isFile()) throw new SuppackError('expected a regular file for the tarball', { file: e.source });
      size = st.size;
      if (e.mode === undefined) mode = st.mode;
    } else {
      size = e.source.length;
    }
    if (size > MAX_OCTAL_11) throw new SuppackError('files of 8 GiB or more do not fit a ustar archive', { file: e.name });
    prepared.push({ key: e.name, name: e.name, typeflag: '0', source: e.source, size, mode: normaliseMode(mode) });
  }
  // Byte order of the UTF-8 names: the same on every machine and locale; a directory comes
  // before everything inside it (its name is a prefix of theirs).
  return prepared.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
}

/**
 * Entries for the directory tree `dir`, every name under `prefix` (e.g. `acme-1.0`): `prefix`
 * itself and each subdirectory as a directory entry, regular files by path (mode normalised
 * later), symlinks as links. Anything else (sockets, devices, FIFOs) is an error.
 */
export async function directoryEntries(dir: string, prefix: string): Promise<TarInput[]> {
  const out: TarInput[] = [{ type: 'directory', name: prefix }];
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = await fsp.readdir(abs).catch((err: unknown) => {
      throw isNodeError(err) ? new SuppackError(describeNodeError(err), { file: abs }) : err;
    });
    for (const n of names) {
      const path = join(abs, n);
      const name = `${rel}/${n}`;
      const st = await fsp.lstat(path);
      if (st.isDirectory()) {
        out.push({ type: 'directory', name });
        await walk(path, name);
      } else if (st.isFile()) {
        out.push({ name, source: path, mode: st.mode });
      } else if (st.isSymbolicLink()) {
        out.push({ type: 'symlink', name, linkname: await fsp.readlink(path) });
      } else {
        throw new SuppackError('expected only files, directories and symlinks in a tarball source tree', { file: path });
      }
    }
  };
  await walk(dir, prefix);
  return out;
}

function checkEntryName(name: string): void {
  if (name === '' || name.startsWith('/') || name.endsWith('/') || name.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new SuppackError("expected a relative path without '.', '..' or empty components", { file: name, field: 'tarball entry name' });
  }
  if (name.includes('\0')) throw new SuppackError('a tarball entry name cannot contain NUL', { field: 'tarball entry name' });
}

async function* tarChunks(entries: PreparedEntry[], epoch: number): AsyncGenerator<Buffer> {
  let written = 0;
  for (const e of entries) {
    yield encodeUstarHeader({ name: e.name, mode: e.mode, size: e.size, mtime: epoch, typeflag: e.typeflag, linkname: e.linkname });
    written += TAR_BLOCK;
    if (e.typeflag === '0' && typeof e.source === 'string') {
      let got = 0;
      for await (const chunk of (await openInput(e.source)).createReadStream() as AsyncIterable<Buffer>) {
        got += chunk.length;
        if (got > e.size) break;
        yield chunk;
      }
      if (got !== e.size) throw new SuppackError(`the file changed size while being archived (${e.size} → ${got} bytes)`, { file: e.source });
    } else if (e.size > 0 && typeof e.source !== 'string') {
      yield e.source;
    }
    written += e.size;
    const pad = (TAR_BLOCK - (e.size % TAR_BLOCK)) % TAR_BLOCK;
    if (pad > 0) yield Buffer.alloc(pad);
    written += pad;
  }
  // End of archive: two zero blocks, then padding to a whole record.
  const end = 2 * TAR_BLOCK;
  yield Buffer.alloc(end + ((TAR_RECORD - ((written + end) % TAR_RECORD)) % TAR_RECORD));
}

/**
 * RFC 1952 2.3: gzip member header. Node's zlib writes MTIME 0 but its compile-time OS code in
 * byte 9; force 3 (Unix) and zero MTIME (bytes 4-7) so the bytes do not depend on the machine.
 */
class GzipHeaderFix extends Transform {
  private seen = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.seen < 10) {
      const c = Buffer.from(chunk);
      for (let i = 0; i < c.length && this.seen + i < 10; i++) {
        const at = this.seen + i;
        if (at >= 4 && at <= 7) c[i] = 0;
        if (at === 9) c[i] = 3;
      }
      this.seen += chunk.length;
      done(null, c);
      return;
    }
    done(null, chunk);
  }
}
