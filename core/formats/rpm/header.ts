/**
 * Pure decode of one RPM header structure (the signature header or the main header).
 * docs/formats/containers.md §4; the rpm manual's format_header.md.
 */
import { decodeIndexEntry, ENTRY, INTRO } from './index-entry';
import { SuppackError } from '../../base/errors';
import { describeTag, type HeaderKind, REGION_TAG } from './tags';

export type { HeaderKind } from './tags';

/** The 8-byte header intro: magic 8E AD E8, version 01, four reserved zero bytes. */
export const HEADER_MAGIC: Readonly<Buffer> = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
export const HEADER_INTRO_SIZE = INTRO.size;
export const INDEX_ENTRY_SIZE = ENTRY.size;
const REGION_TRAILER_SIZE = ENTRY.size;

/** RPM_*_TYPE ids (rpm include/rpm/rpmtag.h rpmTagType_e). */
export const RPM_TYPE = {
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

const TYPE_NAMES = ['NULL', 'CHAR', 'INT8', 'INT16', 'INT32', 'INT64', 'STRING', 'BIN', 'STRING_ARRAY', 'I18NSTRING'];
/** Element size (and alignment) of the fixed-size types, by type id. */
const FIXED_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

/** rpm's limits (lib/header.cc hdrblobRead, lib/signature.cc): il and dl bounds per header. */
export const HEADER_LIMITS: Record<HeaderKind, { maxIl: number; maxDl: number }> = {
  signature: { maxIl: 32, maxDl: 64 * 1024 * 1024 },
  main: { maxIl: 0xffff, maxDl: 0x0fffffff },
};

/** Decoded value: numbers for CHAR/INT8/INT16/INT32 (unsigned), bigints for INT64, Buffer for BIN. */
export type HeaderValue = number[] | bigint[] | string | string[] | Buffer;

export interface HeaderEntry {
  tag: number;
  type: number;
  /** Offset into the data store. */
  offset: number;
  count: number;
  readonly value: HeaderValue;
}

/**
 * An entry checked by decodeHeader whose value is made when it is first read: most of a header's
 * entries (file lists, changelogs, scripts) are never read by a pack build, and making them all
 * was most of the time a thousand small RPMs' headers took.
 */
class CheckedEntry implements HeaderEntry {
  private made: HeaderValue | undefined;

  constructor(
    private readonly store: Buffer,
    readonly tag: number,
    readonly type: number,
    readonly offset: number,
    readonly count: number,
    private readonly text: StringDecoding,
  ) {}

  get value(): HeaderValue {
    this.made ??= makeValue(this.store, this.type, this.offset, this.count, this.text);
    return this.made;
  }
}

/**
 * How a string's bytes (without its NUL) become text. rpm keeps header strings as bytes and
 * writes whatever the spec held; the default reads them as UTF-8, each invalid sequence as U+FFFD.
 * The repodata writer passes createrepo_c's rule instead (core/formats/repodata/text.ts).
 */
export type StringDecoding = (bytes: Buffer) => string;

const utf8: StringDecoding = (bytes) => bytes.toString('utf8');

export interface HeaderIntro {
  /** Number of index entries. */
  il: number;
  /** Size of the data store in bytes. */
  dl: number;
  /** Bytes from the magic to the end of the data store: 16 + 16·il + dl. */
  size: number;
  /** `size` plus the zero pad to 8 that follows the signature header (0 for the main header). */
  paddedSize: number;
}

/** rpm format_header.md: header intro = magic[8], il u32 BE, dl u32 BE. */
export function decodeHeaderIntro(buf: Buffer, offset: number, kind: HeaderKind): HeaderIntro {
  const field = `${kind} header`;
  if (offset < 0 || buf.length < offset + HEADER_INTRO_SIZE) {
    throw new SuppackError(`needs ${HEADER_INTRO_SIZE} bytes at offset ${offset}, only ${Math.max(0, buf.length - offset)} available`, { field });
  }
  if (!buf.subarray(offset, offset + 8).equals(HEADER_MAGIC)) {
    throw new SuppackError(`bad header magic at offset ${offset}: expected 8eade801 00000000, got ${hex(buf.subarray(offset, offset + 8))}`, { field });
  }
  const il = buf.readUInt32BE(offset + INTRO.indexLength);
  const dl = buf.readUInt32BE(offset + INTRO.dataLength);
  const { maxIl, maxDl } = HEADER_LIMITS[kind];
  if (il < 1 || il > maxIl) throw new SuppackError(`index length il ${il} out of range, expected 1..${maxIl}`, { field });
  if (dl < 1 || dl > maxDl) throw new SuppackError(`data length dl ${dl} out of range, expected 1..${maxDl}`, { field });
  const size = HEADER_INTRO_SIZE + INDEX_ENTRY_SIZE * il + dl;
  // docs/formats/containers.md §4: the signature header is zero-padded to a multiple of 8.
  const paddedSize = kind === 'signature' ? size + ((8 - (size % 8)) % 8) : size;
  return { il, dl, size, paddedSize };
}

/** A decoded header: entries by tag, plus typed accessors that name the tag when the type is wrong. */
export class RpmHeader {
  constructor(
    readonly kind: HeaderKind,
    /** Offset of the header magic in the source buffer. */
    readonly start: number,
    /** Offset just past the data store. */
    readonly end: number,
    /** Offset just past the signature header pad (= end for the main header). */
    readonly paddedEnd: number,
    /** The header bytes [start, end): what the signature's SHA1/SHA256 digests cover for the main header. */
    readonly bytes: Buffer,
    readonly entries: ReadonlyMap<number, HeaderEntry>,
  ) {}

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A STRING (or the first of an I18NSTRING / STRING_ARRAY), undefined when absent. */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (typeof e.value === 'string') return e.value;
    if (e.type === RPM_TYPE.I18NSTRING || e.type === RPM_TYPE.STRING_ARRAY) return (e.value as string[])[0];
    throw this.typeError(e, 'a string');
  }

  /** A STRING_ARRAY (or a STRING as a one-element array), undefined when absent. */
  strings(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (typeof e.value === 'string') return [e.value];
    if (e.type === RPM_TYPE.STRING_ARRAY || e.type === RPM_TYPE.I18NSTRING) return e.value as string[];
    throw this.typeError(e, 'a string array');
  }

  /** CHAR/INT8/INT16/INT32/INT64 values as numbers, undefined when absent. */
  numbers(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (e.type === RPM_TYPE.INT64) {
      return (e.value as bigint[]).map((v) => {
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fieldError(e, `value ${v} is too large`);
        return Number(v);
      });
    }
    if (e.type >= RPM_TYPE.CHAR && e.type <= RPM_TYPE.INT32) return e.value as number[];
    throw this.typeError(e, 'an integer');
  }

  /** The first integer of the tag, undefined when absent. */
  number(tag: number): number | undefined {
    return this.numbers(tag)?.[0];
  }

  /** BIN data, undefined when absent. */
  bin(tag: number): Buffer | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (Buffer.isBuffer(e.value)) return e.value;
    throw this.typeError(e, 'BIN data');
  }

  private typeError(e: HeaderEntry, expected: string): SuppackError {
    return this.fieldError(e, `expected ${expected}, got type ${TYPE_NAMES[e.type] ?? e.type}`);
  }

  private fieldError(e: HeaderEntry, what: string): SuppackError {
    return new SuppackError(what, { field: `${this.kind} header tag ${describeTag(this.kind, e.tag)}` });
  }
}

/**
 * Decodes the header whose magic is at `offset`. Checks the intro limits, every index entry
 * (known type, alignment, offset and count inside the data store, NUL-terminated strings) and
 * the region tag's trailer. Throws a SuppackError naming the header, entry and tag. The values
 * are made from `buf` when first read, as BIN values always were views of it: `buf` must not
 * change while the header is in use (readRpmHead decodes from a copy of its own).
 */
export function decodeHeader(buf: Buffer, offset: number, kind: HeaderKind, text: StringDecoding = utf8): RpmHeader {
  const intro = decodeHeaderIntro(buf, offset, kind);
  const { il, dl } = intro;
  if (buf.length < offset + intro.size) {
    throw new SuppackError(`needs ${intro.size} bytes at offset ${offset}, only ${buf.length - offset} available`, { field: `${kind} header` });
  }
  const indexStart = offset + HEADER_INTRO_SIZE;
  const store = buf.subarray(indexStart + INDEX_ENTRY_SIZE * il, offset + intro.size);
  const entries = new Map<number, HeaderEntry>();
  let regionIl = 0;
  for (let i = 0; i < il; i++) {
    const { tag, type, offset: dataOffset, count } = decodeIndexEntry(buf, indexStart + INDEX_ENTRY_SIZE * i);
    // The field is named only when there is an error: most headers have a hundred entries or more.
    const fail = (what: string): never => {
      throw new SuppackError(what, { field: `${kind} header: index entry ${i} (tag ${describeTag(kind, tag)})` });
    };
    if (i === 0 && isRegionTag(kind, tag)) {
      regionIl = checkRegion(store, il, tag, type, dataOffset, count, fail);
      entries.set(tag, { tag, type, offset: dataOffset, count, value: store.subarray(dataOffset, dataOffset + count) });
      continue;
    }
    if (entries.has(tag) && i < regionIl) fail('duplicate tag inside the region');
    checkValue(store, type, dataOffset, count, fail);
    entries.set(tag, new CheckedEntry(store, tag, type, dataOffset, count, text));
  }
  const end = offset + intro.size;
  return new RpmHeader(kind, offset, end, offset + intro.paddedSize, buf.subarray(offset, end), entries);
}

function isRegionTag(kind: HeaderKind, tag: number): boolean {
  return kind === 'signature'
    ? tag === REGION_TAG.HEADERSIGNATURES
    : tag === REGION_TAG.HEADERIMMUTABLE || tag === REGION_TAG.HEADERIMAGE;
}

/**
 * docs/formats/containers.md §4 "Region tag": entry {tag, BIN, offset, 16} pointing at a 16-byte trailer
 * {tag, BIN, -16·ril, 16}. Returns ril, the number of index entries the region covers.
 */
function checkRegion(
  store: Buffer,
  il: number,
  tag: number,
  type: number,
  offset: number,
  count: number,
  fail: (what: string) => never,
): number {
  if (type !== RPM_TYPE.BIN || count !== REGION_TRAILER_SIZE) {
    fail(`region tag must be BIN with count 16, got type ${TYPE_NAMES[type] ?? type} count ${count}`);
  }
  if (offset < 0 || offset + REGION_TRAILER_SIZE > store.length) {
    fail(`region trailer offset ${offset} is outside the data store (${store.length} bytes)`);
  }
  const { tag: tTag, type: tType, offset: tOffset, count: tCount } = decodeIndexEntry(store, offset);
  if (tTag !== tag || tType !== RPM_TYPE.BIN || tCount !== REGION_TRAILER_SIZE) {
    fail(`region trailer must be {${tag}, 7, -16·il, 16}, got {${tTag}, ${tType}, ${tOffset}, ${tCount}}`);
  }
  const ril = -tOffset / INDEX_ENTRY_SIZE;
  if (!Number.isInteger(ril) || ril < 1 || ril > il) {
    fail(`region trailer offset ${tOffset} must be -16 times 1..${il} index entries`);
  }
  if (ril === il && offset + REGION_TRAILER_SIZE !== store.length) {
    fail(`region trailer at ${offset} must be the last 16 bytes of the ${store.length}-byte data store`);
  }
  return ril;
}

/**
 * format_header.md "Index entry" types: checks that `count` values of `type` at `offset` lie in
 * the store (aligned, and each string NUL-terminated there), as rpm's headerVerifyInfo does.
 */
function checkValue(store: Buffer, type: number, offset: number, count: number, fail: (what: string) => never): void {
  if (type < RPM_TYPE.CHAR || type > RPM_TYPE.I18NSTRING) fail(`unknown type id ${type}`);
  if (offset < 0 || offset >= store.length) fail(`offset ${offset} is outside the data store (${store.length} bytes)`);
  if (count < 1) fail('count is 0');
  const size = FIXED_SIZE[type];
  if (size !== undefined) {
    if (offset % size !== 0) fail(`${TYPE_NAMES[type]} data at offset ${offset} is not aligned to ${size}`);
    if (count * size > store.length - offset) {
      fail(`${count} ${TYPE_NAMES[type]} values at offset ${offset} run past the data store (${store.length} bytes)`);
    }
    return;
  }
  if (type === RPM_TYPE.STRING && count !== 1) fail(`STRING count must be 1, got ${count}`);
  // Every string takes at least its NUL byte: bound the count before looping.
  if (count > store.length - offset) fail(`${count} strings at offset ${offset} cannot fit in the data store`);
  let at = offset;
  for (let k = 0; k < count; k++) {
    const nul = store.indexOf(0, at);
    if (nul < 0) fail(`string ${k} at offset ${at} runs past the data store (no NUL terminator)`);
    at = nul + 1;
  }
}

/** The `count` values of `type` at `offset`, which checkValue has accepted. */
function makeValue(store: Buffer, type: number, offset: number, count: number, text: StringDecoding): HeaderValue {
  switch (type) {
    case RPM_TYPE.BIN:
      return store.subarray(offset, offset + count);
    case RPM_TYPE.CHAR:
    case RPM_TYPE.INT8:
      return Array.from(store.subarray(offset, offset + count));
    case RPM_TYPE.INT16:
    case RPM_TYPE.INT32: {
      const values = new Array<number>(count);
      for (let k = 0; k < count; k++) values[k] = type === RPM_TYPE.INT16 ? store.readUInt16BE(offset + 2 * k) : store.readUInt32BE(offset + 4 * k);
      return values;
    }
    case RPM_TYPE.INT64: {
      const values = new Array<bigint>(count);
      for (let k = 0; k < count; k++) values[k] = store.readBigUInt64BE(offset + 8 * k);
      return values;
    }
  }
  const strings: string[] = [];
  let at = offset;
  for (let k = 0; k < count; k++) {
    const nul = store.indexOf(0, at);
    strings.push(text(store.subarray(at, nul)));
    at = nul + 1;
  }
  return type === RPM_TYPE.STRING ? strings[0]! : strings;
}

function hex(b: Buffer): string {
  return b.toString('hex').replace(/^(.{8})/, '$1 ');
}
