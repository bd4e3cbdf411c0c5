/**
 * Reads an RPM's lead, signature header and main header into an RpmInfo (docs/formats/containers.md §4).
 * The payload is never read here: see payload.ts.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { SuppackError, withFile } from '../../base/errors';
import { decodeHeader, decodeHeaderIntro, HEADER_INTRO_SIZE, type HeaderKind, type RpmHeader, type StringDecoding } from './header';
import { checkLead, LEAD_SIZE } from './lead';
import { SIG_TAG, TAG, describeTag } from './tags';
import type { RpmDependency, RpmFile, RpmInfo } from './types';
import { openInputSync } from '../../base/open-input';

/**
 * How many leading bytes of the file `parseRpm` needs, judged from the first `buf.length` bytes.
 * A result larger than `buf.length` means: read up to there and ask again.
 */
export function rpmHeadersLength(buf: Buffer, fileSize: number): number {
  const sigStart = LEAD_SIZE;
  if (buf.length < sigStart + HEADER_INTRO_SIZE) return sigStart + HEADER_INTRO_SIZE;
  checkLead(buf, fileSize);
  const sig = decodeHeaderIntro(buf, sigStart, 'signature');
  const mainStart = sigStart + sig.paddedSize;
  if (buf.length < mainStart + HEADER_INTRO_SIZE) return mainStart + HEADER_INTRO_SIZE;
  return mainStart + decodeHeaderIntro(buf, mainStart, 'main').size;
}

/** An RPM's lead and both headers as read from disk, and what parseRpm made of them. */
export interface RpmHead {
  info: RpmInfo;
  /** The file's first bytes, up to the end of the main header (`info.headerRange.end`). */
  bytes: Buffer;
  /** Both headers decoded from `bytes`, for the readers that need more than `info` (decoded once). */
  headers: RpmHeaders;
}

/** The signature and main headers of an RPM, decoded. */
export interface RpmHeaders {
  sig: RpmHeader;
  main: RpmHeader;
}

/**
 * Reads only the lead and both headers of the RPM at `path`, and parses them. The reads are
 * synchronous: a small read from the page cache takes microseconds, while each asynchronous file
 * call costs a thread-pool round trip (~0.1 ms measured, 1,000 RPMs: docs/formats/containers.md §3).
 */
export function readRpmHead(path: string): RpmHead {
  return withFile(path, () => {
    const fd = openInputSync(path);
    try {
      return readRpmHeadAt(fd, 0, fstatSync(fd).size, path);
    } finally {
      closeSync(fd);
    }
  });
}

/**
 * readRpmHead of an RPM of `fileSize` bytes stored at offset `at` of the open file `fd` (an ISO
 * member, for verify), named `path` in messages.
 */
export function readRpmHeadAt(fd: number, at: number, fileSize: number, path: string): RpmHead {
  return withFile(path, () => {
    let buf: Buffer = Buffer.alloc(0);
    for (;;) {
      // The first read takes enough for most headers at once (they are a few KiB to a few 100 KiB).
      const need = Math.min(Math.max(rpmHeadersLength(buf, fileSize), buf.length === 0 ? FIRST_READ : 0), fileSize);
      if (need <= buf.length) break;
      // The first read goes into one buffer kept for every call (they are synchronous): a new
      // one per RPM made 1,000 small RPMs' heads cost ~3x their reads in allocation and GC.
      const next = buf.length === 0 && need <= FIRST_READ ? firstRead() : Buffer.allocUnsafe(need);
      buf.copy(next);
      let filled = buf.length;
      while (filled < need) {
        const bytesRead = readSync(fd, next, filled, need - filled, at + filled);
        if (bytesRead === 0) break; // the file shrank under us: parseRpm reports the truncation
        filled += bytesRead;
      }
      buf = next.subarray(0, filled);
      if (filled < need) break;
    }
    // Decoded from a copy of just the headers: a view would keep the whole first read (64 KiB)
    // alive per RPM, and the decoded headers point into the bytes they were decoded from.
    const end = Math.min(rpmHeadersLength(buf, fileSize), buf.length);
    const bytes = Buffer.from(buf.subarray(0, end));
    const { info, headers } = parseRpmHeaders(bytes, path, fileSize);
    return { info, bytes, headers };
  });
}

/** How much readRpmHead reads first. */
const FIRST_READ = 64 << 10;
let scratch: Buffer | undefined;
const firstRead = (): Buffer => (scratch ??= Buffer.allocUnsafeSlow(FIRST_READ));

/** Reads only the lead and both headers of the RPM at `path`, and parses them. */
export async function readRpm(path: string): Promise<RpmInfo> {
  return readRpmHead(path).info;
}

/**
 * Parses an RPM from `buf`, which holds at least the first bytes of the file up to the end of the
 * main header (the whole file is fine too). `fileSize` is the size of the whole file.
 */
export function parseRpm(buf: Buffer, path: string, fileSize: number, text?: StringDecoding): RpmInfo {
  return parseRpmHeaders(buf, path, fileSize, text).info;
}

/** parseRpm, and both headers decoded on the way; `text` reads the main header's strings (default UTF-8). */
export function parseRpmHeaders(buf: Buffer, path: string, fileSize: number, text?: StringDecoding): { info: RpmInfo; headers: RpmHeaders } {
  return withFile(path, () => {
    checkLead(buf, fileSize);
    const need = (end: number, kind: HeaderKind): void => {
      if (fileSize < end) {
        throw new SuppackError(`truncated RPM: expected at least ${end} bytes, file has ${fileSize}`, { field: `${kind} header` });
      }
      if (buf.length < end) {
        throw new SuppackError(`needs the first ${end} bytes of the file, the buffer holds ${buf.length}`, { field: `${kind} header` });
      }
    };
    need(LEAD_SIZE + HEADER_INTRO_SIZE, 'signature');
    const sigIntro = decodeHeaderIntro(buf, LEAD_SIZE, 'signature');
    need(LEAD_SIZE + sigIntro.paddedSize, 'signature');
    const sig = decodeHeader(buf, LEAD_SIZE, 'signature');
    const mainStart = sig.paddedEnd;
    need(mainStart + HEADER_INTRO_SIZE, 'main');
    need(mainStart + decodeHeaderIntro(buf, mainStart, 'main').size, 'main');
    const main = decodeHeader(buf, mainStart, 'main', text);
    checkFileSize(sig, mainStart, fileSize);
    const info = buildInfo(main, {
      path,
      fileSize,
      signatureRange: { start: sig.start, end: sig.paddedEnd },
      headerRange: { start: main.start, end: main.end },
      payloadOffset: main.end,
    });
    return { info, headers: { sig, main } };
  });
}

/** docs/formats/containers.md §4 "check": file size = signature end + SIG.SIZE (or LONGSIZE). */
function checkFileSize(sig: RpmHeader, mainStart: number, fileSize: number): void {
  const tag = sig.has(SIG_TAG.LONGSIZE) ? SIG_TAG.LONGSIZE : SIG_TAG.SIZE;
  const size = sig.number(tag);
  if (size === undefined) return;
  const expected = mainStart + size;
  if (fileSize === expected) return;
  const field = `signature header tag ${describeTag('signature', tag)}`;
  if (fileSize < expected) throw new SuppackError(`truncated RPM: expected ${expected} bytes, file has ${fileSize}`, { field });
  throw new SuppackError(`expected ${expected} bytes, file has ${fileSize} (trailing data after the payload)`, { field });
}

type Placement = Pick<RpmInfo, 'path' | 'fileSize' | 'signatureRange' | 'headerRange' | 'payloadOffset'>;

function buildInfo(h: RpmHeader, place: Placement): RpmInfo {
  const sourceRpm = h.string(TAG.SOURCERPM);
  const scripts: RpmInfo['scripts'] = {};
  const scriptTags = { prein: TAG.PREIN, postin: TAG.POSTIN, preun: TAG.PREUN, postun: TAG.POSTUN, pretrans: TAG.PRETRANS, posttrans: TAG.POSTTRANS } as const;
  for (const [key, tag] of Object.entries(scriptTags) as [keyof typeof scriptTags, number][]) {
    const body = h.string(tag);
    if (body !== undefined) scripts[key] = body;
  }
  return {
    path: place.path,
    fileSize: place.fileSize,
    name: required(h, TAG.NAME),
    epoch: h.number(TAG.EPOCH),
    version: required(h, TAG.VERSION),
    release: required(h, TAG.RELEASE),
    arch: required(h, TAG.ARCH),
    group: h.string(TAG.GROUP) ?? '',
    summary: h.string(TAG.SUMMARY) ?? '',
    description: h.string(TAG.DESCRIPTION) ?? '',
    license: h.string(TAG.LICENSE) ?? '',
    url: h.string(TAG.URL),
    vendor: h.string(TAG.VENDOR),
    packager: h.string(TAG.PACKAGER),
    buildTime: h.number(TAG.BUILDTIME),
    buildHost: h.string(TAG.BUILDHOST),
    sourceRpm,
    isSource: sourceRpm === undefined,
    size: h.number(TAG.LONGSIZE) ?? h.number(TAG.SIZE) ?? 0,
    provides: dependencies(h, TAG.PROVIDENAME, TAG.PROVIDEFLAGS, TAG.PROVIDEVERSION),
    requires: dependencies(h, TAG.REQUIRENAME, TAG.REQUIREFLAGS, TAG.REQUIREVERSION),
    conflicts: dependencies(h, TAG.CONFLICTNAME, TAG.CONFLICTFLAGS, TAG.CONFLICTVERSION),
    obsoletes: dependencies(h, TAG.OBSOLETENAME, TAG.OBSOLETEFLAGS, TAG.OBSOLETEVERSION),
    files: files(h),
    scripts,
    signatureRange: place.signatureRange,
    headerRange: place.headerRange,
    payloadOffset: place.payloadOffset,
    payloadCompressor: h.string(TAG.PAYLOADCOMPRESSOR) ?? 'gzip',
  };
}

function required(h: RpmHeader, tag: number): string {
  const v = h.string(tag);
  if (v === undefined) throw new SuppackError('required tag is missing', { field: `main header tag ${describeTag('main', tag)}` });
  return v;
}

/** A parallel array: absent gives `fallback` for every element, otherwise its length must be `n`. */
function parallel<T>(h: RpmHeader, tag: number, values: T[] | undefined, n: number, of: number, fallback: T): T[] {
  if (values === undefined) return new Array<T>(n).fill(fallback);
  if (values.length !== n) {
    throw new SuppackError(`has ${values.length} values, expected ${n} (one per ${describeTag('main', of)} entry)`, {
      field: `main header tag ${describeTag('main', tag)}`,
    });
  }
  return values;
}

function dependencies(h: RpmHeader, nameTag: number, flagsTag: number, versionTag: number): RpmDependency[] {
  const names = h.strings(nameTag) ?? [];
  const flags = parallel(h, flagsTag, h.numbers(flagsTag), names.length, nameTag, 0);
  const versions = parallel(h, versionTag, h.strings(versionTag), names.length, nameTag, '');
  return names.map((name, i) => ({ name, flags: flags[i]!, version: versions[i]! }));
}

function files(h: RpmHeader): RpmFile[] {
  const { paths, of } = filePaths(h);
  const n = paths.length;
  const sizesTag = h.has(TAG.LONGFILESIZES) ? TAG.LONGFILESIZES : TAG.FILESIZES;
  const sizes = parallel(h, sizesTag, h.numbers(sizesTag), n, of, 0);
  const modes = parallel(h, TAG.FILEMODES, h.numbers(TAG.FILEMODES), n, of, 0);
  const links = parallel(h, TAG.FILELINKTOS, h.strings(TAG.FILELINKTOS), n, of, '');
  const flags = parallel(h, TAG.FILEFLAGS, h.numbers(TAG.FILEFLAGS), n, of, 0);
  const users = parallel(h, TAG.FILEUSERNAME, h.strings(TAG.FILEUSERNAME), n, of, '');
  const groups = parallel(h, TAG.FILEGROUPNAME, h.strings(TAG.FILEGROUPNAME), n, of, '');
  const digests = parallel(h, TAG.FILEDIGESTS, h.strings(TAG.FILEDIGESTS), n, of, '');
  return paths.map((path, i) => ({
    path,
    mode: modes[i]!,
    size: sizes[i]!,
    linkTo: links[i]!,
    flags: flags[i]!,
    user: users[i]!,
    group: groups[i]!,
    digest: digests[i]!,
  }));
}

/** docs/formats/containers.md §4 "Files": DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or v3 OLDFILENAMES. */
function filePaths(h: RpmHeader): { paths: string[]; of: number } {
  const basenames = h.strings(TAG.BASENAMES);
  if (basenames === undefined) return { paths: h.strings(TAG.OLDFILENAMES) ?? [], of: TAG.OLDFILENAMES };
  const dirnames = h.strings(TAG.DIRNAMES) ?? [];
  const indexes = parallel(h, TAG.DIRINDEXES, h.numbers(TAG.DIRINDEXES), basenames.length, TAG.BASENAMES, -1);
  const paths = basenames.map((base, i) => {
    const dir = dirnames[indexes[i]!];
    if (dir === undefined) {
      throw new SuppackError(`value ${indexes[i]} of entry ${i} is not an index into the ${dirnames.length} DIRNAMES`, {
        field: `main header tag ${describeTag('main', TAG.DIRINDEXES)}`,
      });
    }
    return dir + base;
  });
  return { paths, of: TAG.BASENAMES };
}
