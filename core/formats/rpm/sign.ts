/**
 * Signs an RPM like `rpmsign --addsign` (docs/formats/containers.md §4 "rpmsign effect"): an OpenPGP v4
 * signature over the main header goes into the signature header (268 RSAHEADER for RSA, 267
 * DSAHEADER for EdDSA, as rpmsign files it), and RESERVEDSPACE (1008) shrinks by as much, so the
 * file size and the offsets of the main header and payload stay the same. Lead, main header and
 * payload are copied byte for byte; the payload is streamed (signedRpmStream), or an update ISO
 * reads it straight from the original (an ISO FilePart source), with no signed copy on disk.
 */
import { INTRO } from './index-entry';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SuppackError, withFileAsync } from '../../base/errors';
import { signDetached, type SigningKey } from '../openpgp';
import { writeAtomically } from '../../base/output';
import { decodeHeader, HEADER_INTRO_SIZE, INDEX_ENTRY_SIZE, type HeaderEntry, RPM_TYPE } from './header';
import { encodeHeader, padTo8, type HeaderInput } from './header-write';
import { LEAD_SIZE } from './lead';
import { readRpm } from './read';
import { REGION_TAG, SIG_TAG } from './tags';
import { openInput } from '../../base/open-input';

/** One signature-header entry as raw data-store bytes, so tags of any type are carried over unchanged. */
type RawEntry = HeaderInput & { raw: Buffer };

/** Element size of the fixed-size types (rpm format_header.md type table). */
const FIXED_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };
/** Tags a new header signature replaces: both header signatures and the v3 header+payload ones. */
const REPLACED: ReadonlySet<number> = new Set([SIG_TAG.DSA, SIG_TAG.RSA, SIG_TAG.PGP, SIG_TAG.GPG, SIG_TAG.RESERVEDSPACE]);

/** A signed copy of an RPM, before it is written: `prefix`, then the original's bytes from `from` on. */
export interface SignedRpm {
  /** The lead and the new signature header. */
  prefix: Buffer;
  /** Where the original's main header starts: the copy's bytes after `prefix` are the original's from here. */
  from: number;
  /** The copy's bytes up to the end of its main header. */
  head: Buffer;
  /** The copy's size. */
  size: number;
  /** The original's bytes before `from` (its lead and old signature header). */
  replaced: Buffer;
}

/**
 * What a signed copy of the RPM `input` is made of, from its headers alone (the payload is not
 * read). `time` is the signature creation time (see openpgp signatureTime). Any previous header or
 * v3 signature is replaced. When RESERVEDSPACE is missing or too small, the signature header is
 * rebuilt at its natural size and the main header moves (its bytes do not change).
 */
export async function signedRpm(input: string, key: SigningKey, time: number): Promise<SignedRpm> {
  const info = await readRpm(input);
  const head = await withFileAsync(input, () => readHead(input, info.headerRange.end));
  const sig = decodeHeader(head, LEAD_SIZE, 'signature');
  const mainHeader = head.subarray(info.headerRange.start, info.headerRange.end);
  const packet = signDetached(key, mainHeader, { time });
  const il = head.readUInt32BE(LEAD_SIZE + INTRO.indexLength);
  const store = head.subarray(LEAD_SIZE + HEADER_INTRO_SIZE + INDEX_ENTRY_SIZE * il, sig.end);
  const kept = [...sig.entries.values()]
    .filter((e) => e.tag !== REGION_TAG.HEADERSIGNATURES && !REPLACED.has(e.tag))
    .map((e) => rawEntry(store, e));
  kept.push({ tag: key.algorithm === 'rsa' ? SIG_TAG.RSA : SIG_TAG.DSA, type: RPM_TYPE.BIN, count: packet.length, raw: packet });
  const signature = fitSignatureHeader(kept, sig.end - LEAD_SIZE);
  const prefix = Buffer.concat([head.subarray(0, LEAD_SIZE), signature]);
  const from = info.headerRange.start;
  return { prefix, from, head: Buffer.concat([prefix, mainHeader]), size: prefix.length + info.fileSize - from, replaced: head.subarray(0, from) };
}

/** The bytes of the signed copy: its prefix, then `input` from `from` on, streamed. */
export function signedRpmStream(input: string, signed: SignedRpm): Readable {
  return Readable.from(
    (async function* () {
      yield signed.prefix;
      yield* createReadStream(input, { start: signed.from, highWaterMark: 1 << 20 });
    })(),
    { objectMode: false },
  );
}

/**
 * Writes a signed copy of the RPM `input` to `output` (atomically; `output` may equal `input`);
 * see signedRpm.
 */
export async function signRpm(input: string, output: string, key: SigningKey, time: number): Promise<void> {
  const signed = await signedRpm(input, key, time);
  await writeAtomically(output, async (tmp) => {
    await pipeline(signedRpmStream(input, signed), createWriteStream(tmp));
  });
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await openInput(path);
  try {
    const buf = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await fh.read(buf, filled, length - filled, filled);
      if (bytesRead === 0) throw new SuppackError(`truncated RPM: the file shrank while it was read (${filled} of ${length} header bytes)`);
      filled += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** The data-store bytes of `e`: count × size for fixed types, `count` NUL-terminated strings otherwise. */
function rawEntry(store: Buffer, e: HeaderEntry): RawEntry {
  const size = FIXED_SIZE[e.type];
  let end: number;
  if (size !== undefined) end = e.offset + size * e.count;
  else {
    end = e.offset;
    for (let k = 0; k < e.count; k++) end = store.indexOf(0, end) + 1;
  }
  return { tag: e.tag, type: e.type, count: e.count, raw: store.subarray(e.offset, end) };
}

/**
 * The padded signature header holding `entries` plus a RESERVEDSPACE of zeros sized so that the
 * header keeps its old size `target` (without the pad), as rpmsign does; the natural size when
 * that cannot fit.
 */
function fitSignatureHeader(entries: RawEntry[], target: number): Buffer {
  const natural = encodeHeader(entries, REGION_TAG.HEADERSIGNATURES);
  let reserved = target - natural.length - INDEX_ENTRY_SIZE;
  // Alignment of tags after 1008 may shift by a few bytes: converge in a few steps.
  for (let i = 0; i < 16 && reserved >= 1; i++) {
    const reservedEntry: RawEntry = { tag: SIG_TAG.RESERVEDSPACE, type: RPM_TYPE.BIN, count: reserved, raw: Buffer.alloc(reserved) };
    const candidate = encodeHeader([...entries, reservedEntry], REGION_TAG.HEADERSIGNATURES);
    if (candidate.length === target) return padTo8(candidate);
    reserved -= candidate.length - target;
  }
  return padTo8(natural);
}
