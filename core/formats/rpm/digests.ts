/**
 * An RPM's own digests, checked the way `rpm -K --nosignature` checks them (docs/formats/containers.md §4
 * "Signature tags"; docs/security.md "Corrupt RPMs"), in the same single pass that computes the file's md5 /
 * sha256 for the pack metadata, so a build reads each RPM once:
 *
 * - signature header SHA1 (269) and SHA256 (273): hex digest of the main header's immutable
 *   region, hashed as rpm does: header magic, (ril, rdl) big-endian, the region's ril index
 *   entries, the first rdl bytes of the data store (the whole header when the region covers it);
 * - signature header MD5 (1004): MD5 of the main header and the payload, to the end of the file;
 * - main header PAYLOADDIGEST (5092) with PAYLOADDIGESTALGO (5093): digest of the payload as stored.
 *
 * A mismatch is a one-line SuppackError naming the RPM and the tag. An RPM without MD5 and without
 * the SHA1/SHA256 + PAYLOADDIGEST pair has nothing vouching for its payload and is refused too.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { SuppackError, withFile } from '../../base/errors';
import { decodeHeader, HEADER_INTRO_SIZE, INDEX_ENTRY_SIZE, type RpmHeader } from './header';
import { decodeIndexEntry, INTRO } from './index-entry';
import { LEAD_SIZE } from './lead';
import { type RpmHeaders, parseRpm, rpmHeadersLength } from './read';
import { REGION_TAG, SIG_TAG, TAG, describeTag } from './tags';
import type { RpmInfo } from './types';
import { openInputSync } from '../../base/open-input';

/** PGPHASHALGO_* ids (RFC 4880 9.4) as rpm stores them in PAYLOADDIGESTALGO. */
const HASH_ALGOS: Readonly<Record<number, string>> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
/** rpm's default when PAYLOADDIGESTALGO is absent (rpm lib/package.c). */
const DEFAULT_PAYLOAD_ALGO = 8;

export interface CheckedRpm {
  info: RpmInfo;
  /** Bytes read: the file's size. */
  size: number;
  /** Hex digest of the whole file per requested algorithm, e.g. { md5: '…' }. */
  hex: Record<string, string>;
  /** The file's first bytes, up to the end of the main header (`info.headerRange.end`). */
  head: Buffer;
}

/** A digest of the bytes of an RPM from `start` to its end, which must be `expected`. */
export interface RpmDigestRange {
  algorithm: string;
  start: number;
  /** Lower-case hex. */
  expected: string;
  /** The tag that holds it, e.g. "signature header tag 1004 (MD5)". */
  field: string;
  /** e.g. "MD5 digest of the header and payload". */
  what: string;
}

interface RangeHash extends RpmDigestRange {
  hash: Hash;
}

/**
 * Check the digests of an RPM that cover its main header only (SHA1, SHA256), and list those that
 * cover the rest of the file (MD5 of the header and payload, PAYLOADDIGEST), to be computed as its
 * bytes are read and compared with `checkRpmDigest`. `head` holds the file up to the end of its
 * main header, `info` what parseRpm made of it. Throws SuppackError naming the RPM and the tag.
 */
export function rpmDigestPlan(head: Buffer, info: RpmInfo, headers?: RpmHeaders): RpmDigestRange[] {
  const path = info.path;
  const ranges: RpmDigestRange[] = [];
  withFile(path, () => {
    const mainStart = info.headerRange.start;
    const sig = headers?.sig ?? decodeHeader(head, LEAD_SIZE, 'signature');
    const main = headers?.main ?? decodeHeader(head, mainStart, 'main');
    const sigField = (tag: number) => `signature header tag ${describeTag('signature', tag)}`;
    const region = regionBytes(main);
    let headerDigests = 0;
    for (const [tag, algo] of [
      [SIG_TAG.SHA1, 'sha1'],
      [SIG_TAG.SHA256, 'sha256'],
    ] as const) {
      const expected = sig.string(tag);
      if (expected === undefined) continue;
      headerDigests++;
      const got = createHash(algo).update(region).digest('hex');
      if (got !== expected.toLowerCase()) throw corrupt(path, sigField(tag), `${algo.toUpperCase()} digest of the main header`, expected, got);
    }
    const md5 = sig.bin(SIG_TAG.MD5);
    if (md5 !== undefined) {
      if (md5.length !== 16) {
        throw new SuppackError(`expected 16 bytes of MD5, got ${md5.length}: the RPM is corrupt`, { field: sigField(SIG_TAG.MD5) });
      }
      ranges.push({ algorithm: 'md5', start: mainStart, expected: md5.toString('hex'), field: sigField(SIG_TAG.MD5), what: 'MD5 digest of the header and payload' });
    }
    const payloadDigest = main.strings(TAG.PAYLOADDIGEST)?.[0];
    if (payloadDigest !== undefined) {
      const id = main.number(TAG.PAYLOADDIGESTALGO) ?? DEFAULT_PAYLOAD_ALGO;
      const algo = HASH_ALGOS[id];
      const field = `main header tag ${describeTag('main', TAG.PAYLOADDIGEST)}`;
      if (algo === undefined) throw new SuppackError(`unknown digest algorithm ${id} (PAYLOADDIGESTALGO): cannot check the payload`, { field });
      ranges.push({ algorithm: algo, start: info.payloadOffset, expected: payloadDigest.toLowerCase(), field, what: `${algo.toUpperCase()} digest of the payload` });
    }
    if (md5 === undefined && (headerDigests === 0 || payloadDigest === undefined)) {
      throw new SuppackError(
        'has no digests to check the RPM against (expected MD5, or SHA1/SHA256 with a PAYLOADDIGEST in the main header)',
        { field: 'signature header' },
      );
    }
  });
  return ranges;
}

/** Throw the SuppackError of a corrupt RPM unless `got` (hex) is the range's expected digest. */
export function checkRpmDigest(path: string, range: RpmDigestRange, got: string): void {
  if (got !== range.expected) throw corrupt(path, range.field, range.what, range.expected, got);
}

/**
 * Feed the bytes of one RPM file in order with `update`, then `finish` checks its headers and
 * digests and returns what was read. Memory: the lead and both headers, nothing of the payload.
 */
export class RpmStreamCheck {
  private head: Buffer[] = [];
  private headLength = 0;
  /** Bytes the headers need, as far as known: the head is joined and parsed only once it has them. */
  private need = 0;
  private offset = 0;
  private info?: RpmInfo;
  private headBytes = Buffer.alloc(0);
  private ranges: RangeHash[] = [];
  private readonly fileHashes: Hash[];

  constructor(
    readonly path: string,
    readonly fileSize: number,
    readonly fileAlgorithms: readonly string[] = [],
  ) {
    this.fileHashes = fileAlgorithms.map((a) => createHash(a));
  }

  update(chunk: Buffer): void {
    for (const h of this.fileHashes) h.update(chunk);
    const at = this.offset;
    this.offset += chunk.length;
    if (this.info === undefined) {
      // A copy: the caller may reuse its buffer (readCheckedRpm does); only the headers are kept.
      this.head.push(Buffer.from(chunk));
      this.headLength += chunk.length;
      if (this.headLength < this.need) return;
      const buf = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
      this.head = [buf];
      this.need = withFile(this.path, () => Math.min(rpmHeadersLength(buf, this.fileSize), this.fileSize));
      if (buf.length >= this.need) this.start(buf);
      return;
    }
    this.feed(chunk, at);
  }

  finish(): CheckedRpm {
    if (this.info === undefined) {
      // Too short for its headers: parseRpm names the truncation.
      this.start(this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head));
    }
    if (this.offset !== this.fileSize) {
      throw new SuppackError(`changed while being read: expected ${this.fileSize} bytes, read ${this.offset}`, { file: this.path });
    }
    for (const r of this.ranges) checkRpmDigest(this.path, r, r.hash.digest('hex'));
    const hex: Record<string, string> = {};
    this.fileAlgorithms.forEach((a, i) => (hex[a] = this.fileHashes[i]!.digest('hex')));
    return { info: this.info as RpmInfo, size: this.offset, hex, head: this.headBytes };
  }

  /** The headers are in `buf` (or the file ended): parse, check the header digests, set up the streamed ones. */
  private start(buf: Buffer): void {
    const info = parseRpm(buf, this.path, this.fileSize);
    this.ranges = rpmDigestPlan(buf, info).map((r) => ({ ...r, hash: createHash(r.algorithm) }));
    this.info = info;
    this.headBytes = Buffer.from(buf.subarray(0, info.headerRange.end));
    this.feed(buf, 0);
  }

  private feed(chunk: Buffer, at: number): void {
    const end = at + chunk.length;
    for (const r of this.ranges) {
      if (end <= r.start) continue;
      r.hash.update(r.start > at ? chunk.subarray(r.start - at) : chunk);
    }
  }
}

/**
 * The bytes rpm hashes for the header-only digests (rpm lib/header.c hdrblobDigestUpdate):
 * magic, then ril and rdl, the region's index entries and data. Equal to the header's own bytes
 * when the immutable region covers every entry, as rpmbuild writes it.
 */
function regionBytes(main: RpmHeader): Buffer {
  const bytes = main.bytes;
  const il = bytes.readUInt32BE(INTRO.indexLength);
  const region = main.entries.get(REGION_TAG.HEADERIMMUTABLE);
  if (region === undefined || decodeIndexEntry(bytes, HEADER_INTRO_SIZE).tag !== REGION_TAG.HEADERIMMUTABLE) return bytes;
  const storeStart = HEADER_INTRO_SIZE + INDEX_ENTRY_SIZE * il;
  const trailerOffset = decodeIndexEntry(bytes, storeStart + region.offset).offset;
  const ril = -trailerOffset / INDEX_ENTRY_SIZE;
  const rdl = region.offset + 16;
  const ildl = Buffer.alloc(8);
  ildl.writeUInt32BE(ril, 0);
  ildl.writeUInt32BE(rdl, 4);
  return Buffer.concat([
    bytes.subarray(0, 8),
    ildl,
    bytes.subarray(HEADER_INTRO_SIZE, HEADER_INTRO_SIZE + INDEX_ENTRY_SIZE * ril),
    bytes.subarray(storeStart, storeStart + rdl),
  ]);
}

function corrupt(path: string, field: string, what: string, expected: string, got: string): SuppackError {
  return new SuppackError(`${what} does not match (header says ${expected}, the file gives ${got}): the RPM is corrupt (rpm -K rejects it)`, {
    file: path,
    field,
  });
}

/**
 * Read the RPM at `path` once: parse its headers, check its digests like `rpm -K --nosignature`,
 * and compute the whole file's `algorithms` digests (for XS-PACKAGES md5, repodata sha256).
 */
export async function readCheckedRpm(path: string, algorithms: readonly string[] = []): Promise<CheckedRpm> {
  // Synchronous reads: see readRpmHead (read.ts) for why, and the hashing is synchronous anyway.
  return withFile(path, () => {
    const fd = openInputSync(path);
    try {
      const size = fstatSync(fd).size;
      const check = new RpmStreamCheck(path, size, algorithms);
      // One buffer for every chunk: a fresh 1 MiB one per read cost a page fault per 4 KiB (system time).
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(size, 1)));
      for (let pos = 0; ; ) {
        // The first read is small: RpmStreamCheck copies what it gets until it has the headers.
        const n = readSync(fd, chunk, 0, pos === 0 ? Math.min(FIRST_READ, chunk.length) : chunk.length, pos);
        if (n === 0) break;
        check.update(chunk.subarray(0, n));
        pos += n;
      }
      return check.finish();
    } finally {
      closeSync(fd);
    }
  });
}

/** readCheckedRpm's read size, and that of its first read. */
const READ_CHUNK = 1 << 20;
const FIRST_READ = 64 << 10;

export interface RpmStreamVerdict {
  size: number;
  /** The whole stream's digests per requested algorithm, computed even when the RPM is bad. */
  hex: Record<string, string>;
  info?: RpmInfo;
  /** What is wrong with the RPM (no file prefix), when something is. */
  problem?: string;
}

/**
 * For `verify`: read an RPM stored somewhere else (an ISO member) to its end once, computing
 * `algorithms` over all of it and checking the RPM's headers, digests and header strings on the
 * way; a bad RPM is a `problem`, not a throw. `path` is how the RPM is named in messages.
 */
export async function verifyRpmStream(
  source: AsyncIterable<Buffer>,
  path: string,
  size: number,
  algorithms: readonly string[],
  checkInfo: (info: RpmInfo) => void = () => undefined,
): Promise<RpmStreamVerdict> {
  const hashes = algorithms.map((a) => createHash(a));
  const check = new RpmStreamCheck(path, size);
  let failure: unknown;
  let read = 0;
  for await (const chunk of source) {
    read += chunk.length;
    for (const h of hashes) h.update(chunk);
    if (failure !== undefined) continue;
    try {
      check.update(chunk);
    } catch (e) {
      failure = e;
    }
  }
  let info: RpmInfo | undefined;
  if (failure === undefined) {
    try {
      info = check.finish().info;
      checkInfo(info);
    } catch (e) {
      failure = e;
    }
  }
  const hex: Record<string, string> = {};
  algorithms.forEach((a, i) => (hex[a] = hashes[i]!.digest('hex')));
  if (failure === undefined) return { size: read, hex, ...(info ? { info } : {}) };
  if (!(failure instanceof SuppackError)) throw failure;
  const problem = failure.message.startsWith(`${path}: `) ? failure.message.slice(path.length + 2) : failure.message;
  return { size: read, hex, problem: `not a sound RPM: ${problem}` };
}
