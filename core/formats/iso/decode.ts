/**
 * Pure byte-layout decoders for reading ISO 9660 images: volume descriptors, directory records,
 * SUSP / Rock Ridge entries, Joliet names and El Torito structures. No I/O here: every function
 * takes bytes and returns plain values, or throws a SuppackError naming the field (the reader
 * adds the image path).
 */
import { DR, type Field, span, VD } from './volume-fields';
import { SuppackError } from '../../base/errors';

/** The only logical block size this reader supports (every real CD/DVD image uses it). */
export const SECTOR_SIZE = 2048;
/** ECMA-119 8.1: volume descriptors start at LBA 16. */
export const FIRST_DESCRIPTOR_LBA = 16;

// ECMA-119 7.3.3: both-endian u32; readers use the little-endian half (as Linux does).
export function u733(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off);
}
// ECMA-119 7.2.3: both-endian u16.
export function u723(buf: Buffer, off: number): number {
  return buf.readUInt16LE(off);
}

/** a-/d-chars string, trailing spaces and NULs removed. */
export function decodeAChars(buf: Buffer): string {
  return buf.toString('latin1').replace(/[\s\0]+$/, '');
}

/** Joliet UCS-2BE (UTF-16BE: surrogate pairs come out as one code point). */
export function decodeUcs2Be(buf: Buffer): string {
  const even = buf.length & ~1;
  const le = Buffer.alloc(even);
  for (let i = 0; i < even; i += 2) {
    le[i] = buf[i + 1];
    le[i + 1] = buf[i];
  }
  return le.toString('utf16le');
}

/**
 * ECMA-119 8.4.26.1: 17-byte volume date `YYYYMMDDhhmmsscc` + GMT offset in 15-minute units.
 * Returns ISO 8601 in UTC with centiseconds (`2023-11-14T22:13:20.000Z`), or undefined when the
 * date is "not specified" (all '0') or not a valid date.
 */
export function decodeVolumeDate(buf: Buffer): string | undefined {
  if (buf.length < 17) return undefined;
  const digits = buf.toString('latin1', 0, 16);
  if (!/^\d{16}$/.test(digits) || /^0+$/.test(digits)) return undefined;
  const n = (a: number, b: number) => Number(digits.slice(a, b));
  const offsetMinutes = buf.readInt8(16) * 15;
  return utcIso(n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 16) * 10, offsetMinutes);
}

/** ECMA-119 9.1.5: 7-byte recording date (years since 1900, month, day, h, m, s, GMT offset). */
export function decodeRecordDate(buf: Buffer): string | undefined {
  if (buf.length < 7 || buf.subarray(0, 6).every((b) => b === 0)) return undefined;
  return utcIso(1900 + buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], 0, buf.readInt8(6) * 15);
}

function utcIso(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offMin: number) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offMin * 60_000;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

export interface VolumeFields {
  systemId: string;
  volumeId: string;
  volumeSpaceBlocks: number;
  blockSize: number;
  root: DirRecord;
  volumeSetId: string;
  publisherId: string;
  dataPreparerId: string;
  applicationId: string;
  creationDate?: string;
  modificationDate?: string;
}

export type VolumeDescriptor =
  | { type: 'primary'; fields: VolumeFields }
  | { type: 'supplementary'; jolietLevel: 0 | 1 | 2 | 3; fields: VolumeFields }
  | { type: 'boot'; bootSystemId: string; elTorito: boolean; catalogLba?: number }
  | { type: 'terminator' }
  | { type: 'other'; code: number };

/** True when `block` starts with a volume descriptor header (`type "CD001" 1`). */
export function hasDescriptorId(block: Buffer): boolean {
  return block.length >= 7 && block.toString('latin1', 1, 6) === 'CD001';
}

const EL_TORITO_ID = 'EL TORITO SPECIFICATION';

// ECMA-119 8.1: volume descriptor (type at BP 1, "CD001" at BP 2-6).
export function decodeVolumeDescriptor(block: Buffer): VolumeDescriptor {
  if (block.length < SECTOR_SIZE || !hasDescriptorId(block)) {
    throw new SuppackError('expected a volume descriptor starting with "CD001"', { field: 'volume descriptor' });
  }
  const code = block[0];
  switch (code) {
    case 0: {
      // El Torito 2.0: boot record; catalog LBA (u32 LE) at byte 71 (0x47).
      const bootSystemId = block.toString('latin1', 7, 39).replace(/\0+$/, '');
      const elTorito = bootSystemId === EL_TORITO_ID;
      return { type: 'boot', bootSystemId, elTorito, catalogLba: elTorito ? block.readUInt32LE(71) : undefined };
    }
    case 1:
      return { type: 'primary', fields: decodeVolumeFields(block, false) };
    case 2: {
      const jolietLevel = jolietEscapeLevel(block.subarray(...span(VD.escapeSequences)));
      return { type: 'supplementary', jolietLevel, fields: decodeVolumeFields(block, jolietLevel > 0) };
    }
    case 255:
      return { type: 'terminator' };
    default:
      return { type: 'other', code };
  }
}

// Joliet 5.3: escape sequences %/@, %/C, %/E at BP 89 (0-based 88) select UCS-2 level 1, 2, 3.
function jolietEscapeLevel(esc: Buffer): 0 | 1 | 2 | 3 {
  if (esc[0] !== 0x25 || esc[1] !== 0x2f) return 0;
  return esc[2] === 0x40 ? 1 : esc[2] === 0x43 ? 2 : esc[2] === 0x45 ? 3 : 0;
}

// ECMA-119 8.4: primary volume descriptor fields (SVD 8.5 uses the same ones); offsets from volume-fields.ts.
function decodeVolumeFields(block: Buffer, ucs2: boolean): VolumeFields {
  const text = (field: Field) =>
    ucs2 ? decodeUcs2Be(block.subarray(...span(field))).replace(/[\s\0]+$/, '') : decodeAChars(block.subarray(...span(field)));
  const root = decodeDirRecord(block.subarray(...span(VD.rootDirectoryRecord)), 0, 'root directory record');
  if (!root) throw new SuppackError('expected a 34-byte root directory record', { field: 'root directory record' });
  return {
    systemId: text(VD.systemId),
    volumeId: text(VD.volumeId),
    volumeSpaceBlocks: u733(block, VD.volumeSpaceSize.offset),
    blockSize: u723(block, VD.logicalBlockSize.offset),
    root,
    volumeSetId: text(VD.volumeSetId),
    publisherId: text(VD.publisherId),
    dataPreparerId: text(VD.dataPreparerId),
    applicationId: text(VD.applicationId),
    creationDate: decodeVolumeDate(block.subarray(...span(VD.creationDate))),
    modificationDate: decodeVolumeDate(block.subarray(...span(VD.modificationDate))),
  };
}

export const DIR_FLAG = { HIDDEN: 0x01, DIRECTORY: 0x02, ASSOCIATED: 0x04, RECORD: 0x08, PROTECTION: 0x10, MULTI_EXTENT: 0x80 };

export interface DirRecord {
  /** LEN_DR: bytes taken by this record. */
  length: number;
  extAttrLength: number;
  lba: number;
  dataLength: number;
  recorded?: string;
  flags: number;
  fileUnitSize: number;
  interleaveGap: number;
  /** Raw file identifier; [0x00] is ".", [0x01] is "..". */
  id: Buffer;
  /** System Use area (SUSP entries), after the identifier and its pad byte. */
  systemUse: Buffer;
}

/**
 * ECMA-119 9.1: directory record at `off` in `buf`, which must end where the record's sector (or
 * directory) ends. Returns undefined for a 0 LEN_DR (the rest of the sector is padding).
 */
export function decodeDirRecord(buf: Buffer, off: number, field = 'directory record'): DirRecord | undefined {
  const length = buf[off];
  if (length === 0 || length === undefined) return undefined;
  if (length < 34) throw new SuppackError(`LEN_DR is ${length}, expected at least 34`, { field });
  if (off + length > buf.length) {
    throw new SuppackError(`LEN_DR ${length} crosses the end of the sector or directory`, { field });
  }
  const idLength = buf[off + DR.fileIdLength.offset]!;
  const idStart = DR.fileId.offset;
  if (idStart + idLength > length) {
    throw new SuppackError(`LEN_FI ${idLength} runs past the record end (LEN_DR ${length})`, { field });
  }
  // 9.1.12: a padding byte follows an identifier of even length.
  const suStart = idStart + idLength + (idLength % 2 === 0 ? 1 : 0);
  const [dateStart, dateEnd] = span(DR.recordingDate);
  return {
    length,
    extAttrLength: buf[off + DR.extendedAttributeLength.offset]!,
    lba: u733(buf, off + DR.extent.offset),
    dataLength: u733(buf, off + DR.dataLength.offset),
    recorded: decodeRecordDate(buf.subarray(off + dateStart, off + dateEnd)),
    flags: buf[off + DR.fileFlags.offset]!,
    fileUnitSize: buf[off + DR.fileUnitSize.offset]!,
    interleaveGap: buf[off + DR.interleaveGap.offset]!,
    id: buf.subarray(off + idStart, off + idStart + idLength),
    systemUse: buf.subarray(off + Math.min(suStart, length), off + length),
  };
}

/** "." and ".." records (ECMA-119 6.8.2.2). */
export function isSelfOrParent(id: Buffer): boolean {
  return id.length === 1 && (id[0] === 0 || id[0] === 1);
}

/** ECMA-119 7.5: `NAME.EXT;1` -> `NAME.EXT`, and `NAME.` -> `NAME`. */
export function cleanIsoName(raw: string): string {
  return raw.replace(/;\d*$/, '').replace(/\.$/, '');
}

export interface SuspEntry {
  sig: string;
  version: number;
  /** Entry bytes after the 4-byte header. */
  body: Buffer;
}

/**
 * SUSP 4: entries `sig[2] len ver` in a System Use area or continuation area. Stops at padding,
 * at an ST terminator, or at an entry whose length does not fit (garbage is ignored, as Linux does).
 */
export function decodeSuspEntries(area: Buffer): SuspEntry[] {
  const out: SuspEntry[] = [];
  let off = 0;
  while (off + 4 <= area.length) {
    const len = area[off + 2];
    if (len < 4 || off + len > area.length) break;
    const sig = area.toString('latin1', off, off + 2);
    if (sig === 'ST') break;
    out.push({ sig, version: area[off + 3], body: area.subarray(off + 4, off + len) });
    off += len;
  }
  return out;
}

// SUSP 5.3: SP `BE EF LEN_SKP`.
export function decodeSP(body: Buffer): { skip: number } | undefined {
  if (body.length < 3 || body[0] !== 0xbe || body[1] !== 0xef) return undefined;
  return { skip: body[2] };
}

// SUSP 5.1: CE block(733) offset(733) length(733).
export function decodeCE(body: Buffer): { lba: number; offset: number; length: number } {
  if (body.length < 24) throw new SuppackError(`CE entry is ${body.length + 4} bytes, expected 28`, { field: 'SUSP CE' });
  return { lba: u733(body, 0), offset: u733(body, 8), length: u733(body, 16) };
}

// SUSP 5.5: ER LEN_ID LEN_DES LEN_SRC EXT_VER id des src.
export function decodeER(body: Buffer): { id: string; descriptor: string; source: string; version: number } | undefined {
  if (body.length < 4) return undefined;
  const [li, ld, ls] = [body[0], body[1], body[2]];
  if (4 + li + ld + ls > body.length) return undefined;
  const s = (a: number, n: number) => body.toString('latin1', a, a + n);
  return { id: s(4, li), descriptor: s(4 + li, ld), source: s(4 + li + ld, ls), version: body[3] };
}

// RRIP 4.1.1: PX mode nlink uid gid [ino] (each 733).
export function decodePX(body: Buffer): { mode: number; nlink: number; uid: number; gid: number; ino?: number } | undefined {
  if (body.length < 32) return undefined;
  return {
    mode: u733(body, 0),
    nlink: u733(body, 8),
    uid: u733(body, 16),
    gid: u733(body, 24),
    ino: body.length >= 40 ? u733(body, 32) : undefined,
  };
}

export const NM_FLAG = { CONTINUE: 0x01, CURRENT: 0x02, PARENT: 0x04 };

// RRIP 4.1.4: NM flags name-bytes.
export function decodeNM(body: Buffer): { flags: number; name: Buffer } | undefined {
  if (body.length < 1) return undefined;
  return { flags: body[0], name: body.subarray(1) };
}

export const SL_FLAG = { CONTINUE: 0x01, CURRENT: 0x02, PARENT: 0x04, ROOT: 0x08, VOLROOT: 0x10, HOST: 0x20 };

export interface SlComponent {
  flags: number;
  bytes: Buffer;
}

// RRIP 4.1.3: SL flags, then components `flags len bytes`.
export function decodeSL(body: Buffer): { flags: number; components: SlComponent[] } {
  if (body.length < 1) throw new SuppackError('empty SL entry', { field: 'Rock Ridge SL' });
  const components: SlComponent[] = [];
  let off = 1;
  while (off < body.length) {
    if (off + 2 > body.length || off + 2 + body[off + 1] > body.length) {
      throw new SuppackError('symlink component runs past the SL entry', { field: 'Rock Ridge SL' });
    }
    components.push({ flags: body[off], bytes: body.subarray(off + 2, off + 2 + body[off + 1]) });
    off += 2 + body[off + 1];
  }
  return { flags: body[0], components };
}

/**
 * RRIP 4.1.3: join SL components (from one or more SL entries, in order) into a POSIX target.
 * A component with CONTINUE is glued to the next one without a '/'.
 */
export function joinSymlinkComponents(components: SlComponent[]): string {
  let out = '';
  let glue = false;
  for (const c of components) {
    if (c.flags & (SL_FLAG.ROOT | SL_FLAG.VOLROOT | SL_FLAG.HOST)) {
      out = '/';
      glue = false;
      continue;
    }
    const piece =
      c.flags & SL_FLAG.CURRENT ? '.' : c.flags & SL_FLAG.PARENT ? '..' : c.bytes.toString('utf8');
    if (out !== '' && !glue && !out.endsWith('/')) out += '/';
    out += piece;
    glue = (c.flags & SL_FLAG.CONTINUE) !== 0;
  }
  return out;
}

// RRIP 4.1.6: TF flags then stamps (7-byte, or 17-byte with bit 7) in bit order.
export function decodeTF(body: Buffer): { modify?: string; access?: string; attributes?: string; create?: string } {
  const out: { modify?: string; access?: string; attributes?: string; create?: string } = {};
  if (body.length < 1) return out;
  const flags = body[0];
  const long = (flags & 0x80) !== 0;
  const size = long ? 17 : 7;
  const names = ['create', 'modify', 'access', 'attributes'] as const;
  let off = 1;
  for (let bit = 0; bit < 7; bit++) {
    if (!(flags & (1 << bit))) continue;
    if (off + size > body.length) break;
    const stamp = body.subarray(off, off + size);
    if (bit < 4) out[names[bit]] = long ? decodeVolumeDate(stamp) : decodeRecordDate(stamp);
    off += size;
  }
  return out;
}

/** RRIP 4.1: entries that only a Rock Ridge writer emits (Linux treats any of them as RR). */
export const RR_SIGNATURES = new Set(['RR', 'PX', 'PN', 'SL', 'NM', 'CL', 'PL', 'RE', 'TF', 'SF']);

export interface BootCatalogEntry {
  bootable: boolean;
  /** 0 x86, 1 PowerPC, 2 Mac, 0xEF EFI (from the validation entry or section header). */
  platform: number;
  /** 0 no emulation, 1-3 floppy, 4 hard disk. */
  mediaType: number;
  loadSegment: number;
  systemType: number;
  /** Virtual 512-byte sectors to load. */
  sectorCount: number;
  /** Image LBA (2048-byte blocks). */
  loadLba: number;
}

export interface BootCatalog {
  platform: number;
  idString: string;
  entries: BootCatalogEntry[];
}

// El Torito 2.x: boot catalog, 32-byte little-endian entries.
export function decodeBootCatalog(block: Buffer): BootCatalog {
  const field = 'El Torito boot catalog';
  if (block.length < 64) throw new SuppackError('catalog shorter than 64 bytes', { field });
  // El Torito 2.1: validation entry `01 platform 0000 id[24] checksum 55 AA`, words sum to 0.
  if (block[0] !== 1 || block[30] !== 0x55 || block[31] !== 0xaa) {
    throw new SuppackError('expected a validation entry (01 ... 55 AA)', { field });
  }
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + block.readUInt16LE(i)) & 0xffff;
  if (sum !== 0) throw new SuppackError('validation entry checksum does not sum to 0', { field });
  const platform = block[1];
  const entries: BootCatalogEntry[] = [entryAt(block, 32, platform)];
  let off = 64;
  let more = true;
  // El Torito 2.3-2.4: section headers (0x90 more follow, 0x91 last) and their entries.
  while (more && off + 32 <= block.length && (block[off] === 0x90 || block[off] === 0x91)) {
    more = block[off] === 0x90;
    const sectionPlatform = block[off + 1];
    const count = block.readUInt16LE(off + 2);
    off += 32;
    for (let i = 0; i < count && off + 32 <= block.length; i++, off += 32) {
      if (block[off] === 0x44) continue; // El Torito 2.5: section entry extension
      entries.push(entryAt(block, off, sectionPlatform));
    }
  }
  return { platform, idString: block.toString('latin1', 4, 28).replace(/[\s\0]+$/, ''), entries };
}

// El Torito 2.2: initial/default entry (also the section entry layout).
function entryAt(block: Buffer, off: number, platform: number): BootCatalogEntry {
  return {
    bootable: block[off] === 0x88,
    platform,
    mediaType: block[off + 1] & 0x0f,
    loadSegment: block.readUInt16LE(off + 2),
    systemType: block[off + 4],
    sectorCount: block.readUInt16LE(off + 6),
    loadLba: block.readUInt32LE(off + 8),
  };
}
