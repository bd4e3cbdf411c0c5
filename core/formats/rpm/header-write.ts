/**
 * Pure encode of one RPM header structure with its region tag (docs/formats/containers.md §4;
 * the rpm manual's format_header.md). The inverse of header.ts decodeHeader.
 */
import { SuppackError } from '../../base/errors';
import { HEADER_INTRO_SIZE, HEADER_MAGIC, INDEX_ENTRY_SIZE, RPM_TYPE } from './header';
import { ENTRY, INTRO, writeIndexEntry } from './index-entry';

/** One tag to encode. Integers are unsigned except where rpm stores -1 (written as its two's complement). */
export type HeaderInput =
  | { tag: number; type: typeof RPM_TYPE.INT16 | typeof RPM_TYPE.INT32; value: number[] }
  | { tag: number; type: typeof RPM_TYPE.STRING; value: string }
  | { tag: number; type: typeof RPM_TYPE.STRING_ARRAY | typeof RPM_TYPE.I18NSTRING; value: string[] }
  | { tag: number; type: typeof RPM_TYPE.BIN; value: Buffer }
  /** A value carried over as its data-store bytes (any type), e.g. from a decoded header. */
  | { tag: number; type: number; raw: Buffer; count: number };

/** Element size (= alignment) of the fixed-size types (format_header.md type table). */
const FIXED_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

const REGION_TRAILER_SIZE = ENTRY.size;

/**
 * Encodes a header whose first index entry is the region tag `regionTag` (62 or 63) and whose
 * other entries are sorted by tag. Data is laid out in tag order with each type's alignment; the
 * 16-byte region trailer is the last data bytes, so the whole header is one immutable region.
 */
export function encodeHeader(entries: readonly HeaderInput[], regionTag: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) throw new SuppackError(`duplicate header tag ${sorted[i]!.tag}`);
  }
  const il = sorted.length + 1;
  const data: Buffer[] = [];
  let dl = 0;
  const index = Buffer.alloc(INDEX_ENTRY_SIZE * il);
  const writeIndex = (i: number, tag: number, type: number, offset: number, count: number): void =>
    writeIndexEntry(index, INDEX_ENTRY_SIZE * i, { tag, type, offset, count });
  sorted.forEach((e, k) => {
    const { bytes, count, align } = encodeValue(e);
    if (count === 0) throw new SuppackError(`header tag ${e.tag} has no values (rpm rejects count 0)`);
    const pad = (align - (dl % align)) % align;
    if (pad > 0) data.push(Buffer.alloc(pad));
    dl += pad;
    writeIndex(k + 1, e.tag, e.type, dl, count);
    data.push(bytes);
    dl += bytes.length;
  });
  // docs/formats/containers.md §4 "Region tag": entry {tag, BIN, offset, 16} -> trailer {tag, BIN, -16·il, 16}.
  writeIndex(0, regionTag, RPM_TYPE.BIN, dl, REGION_TRAILER_SIZE);
  const trailer = Buffer.alloc(REGION_TRAILER_SIZE);
  writeIndexEntry(trailer, 0, { tag: regionTag, type: RPM_TYPE.BIN, offset: -INDEX_ENTRY_SIZE * il, count: REGION_TRAILER_SIZE });
  data.push(trailer);
  dl += REGION_TRAILER_SIZE;
  // format_header.md: header intro = magic 8E AD E8 01 + 4 reserved zero bytes, il u32 BE, dl u32 BE.
  const intro = Buffer.alloc(HEADER_INTRO_SIZE);
  HEADER_MAGIC.copy(intro, 0);
  intro.writeUInt32BE(il, INTRO.indexLength);
  intro.writeUInt32BE(dl, INTRO.dataLength);
  return Buffer.concat([intro, index, ...data]);
}

/** docs/formats/containers.md §4: the signature header is followed by zeros up to a multiple of 8. */
export function padTo8(header: Buffer): Buffer {
  const pad = (8 - (header.length % 8)) % 8;
  return pad === 0 ? header : Buffer.concat([header, Buffer.alloc(pad)]);
}

/** format_header.md type table: the bytes, element count and alignment of one value. */
function encodeValue(e: HeaderInput): { bytes: Buffer; count: number; align: number } {
  if ('raw' in e) return { bytes: e.raw, count: e.count, align: FIXED_SIZE[e.type] ?? 1 };
  switch (e.type) {
    case RPM_TYPE.INT16: {
      const b = Buffer.alloc(2 * e.value.length);
      e.value.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 * i));
      return { bytes: b, count: e.value.length, align: 2 };
    }
    case RPM_TYPE.INT32: {
      const b = Buffer.alloc(4 * e.value.length);
      e.value.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
      return { bytes: b, count: e.value.length, align: 4 };
    }
    case RPM_TYPE.STRING:
      return { bytes: cString(e.value), count: 1, align: 1 };
    case RPM_TYPE.STRING_ARRAY:
    case RPM_TYPE.I18NSTRING:
      return { bytes: Buffer.concat(e.value.map(cString)), count: e.value.length, align: 1 };
    case RPM_TYPE.BIN:
      return { bytes: e.value, count: e.value.length, align: 1 };
  }
}

function cString(s: string): Buffer {
  if (s.includes('\0')) throw new SuppackError(`header string ${JSON.stringify(s)} contains a NUL byte`);
  return Buffer.from(`${s}\0`, 'utf8');
}
