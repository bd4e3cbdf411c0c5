/**
 * Pure byte-layout encoders for the ISO 9660 writer: ECMA-119 numbers, dates, directory
 * records, path table records and volume descriptors. No I/O, no allocation policy.
 * Rock Ridge / SUSP entries live in `rockridge.ts`.
 */
import { DR, type Field, span, VD } from './volume-fields';

export const BLOCK = 2048;
/** ECMA-119 6.2.1: the first 16 blocks (32 KiB) are the System Area. */
export const SYSTEM_AREA_BLOCKS = 16;
/** ECMA-119 7.5.1 and 9.1.10: a directory record is at most 255 bytes long. */
export const MAX_RECORD = 255;

// ECMA-119 7.2.3: 16-bit both-byte orders (LE then BE).
export function writeBoth16(buf: Buffer, off: number, n: number): void {
  buf.writeUInt16LE(n, off);
  buf.writeUInt16BE(n, off + 2);
}

// ECMA-119 7.3.3: 32-bit both-byte orders (LE then BE).
export function writeBoth32(buf: Buffer, off: number, n: number): void {
  buf.writeUInt32LE(n, off);
  buf.writeUInt32BE(n, off + 4);
}

export function both16(n: number): Buffer {
  const b = Buffer.alloc(4);
  writeBoth16(b, 0, n);
  return b;
}

export function both32(n: number): Buffer {
  const b = Buffer.alloc(8);
  writeBoth32(b, 0, n);
  return b;
}

/** Latest time the 7-byte date can hold (year 1900 + 255 = 2155). */
export const MAX_EPOCH = Date.UTC(2155, 11, 31, 23, 59, 59) / 1000;

// ECMA-119 9.1.5: 7-byte recording date (years since 1900, month, day, h, m, s, GMT offset 0).
export function encodeDate7(epoch: number): Buffer {
  const d = new Date(epoch * 1000);
  return Buffer.from([
    d.getUTCFullYear() - 1900,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    0,
  ]);
}

// ECMA-119 8.4.26.1: 17-byte volume date "YYYYMMDDhhmmsscc" + GMT offset; null = not specified.
export function encodeDate17(epoch: number | null): Buffer {
  const b = Buffer.alloc(17);
  if (epoch === null) {
    b.write('0'.repeat(16), 0, 'latin1');
    return b;
  }
  const d = new Date(epoch * 1000);
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  const text =
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1, 2) +
    p(d.getUTCDate(), 2) +
    p(d.getUTCHours(), 2) +
    p(d.getUTCMinutes(), 2) +
    p(d.getUTCSeconds(), 2) +
    '00';
  b.write(text, 0, 'latin1');
  return b;
}

export const FLAG_DIRECTORY = 0x02;

export interface DirRecordFields {
  extent: number;
  size: number;
  /** 7-byte date, see encodeDate7. */
  date: Buffer;
  flags: number;
  /** File identifier bytes: 0x00 for ".", 0x01 for "..", d-chars or UCS-2BE otherwise. */
  id: Buffer;
  /** System Use area (already padded by the caller, or not; the record is padded to even length). */
  systemUse?: Buffer;
}

/** Length of a directory record with identifier length `idLen` before the System Use area. */
export function recordBaseLength(idLen: number): number {
  return 33 + idLen + (idLen % 2 === 0 ? 1 : 0);
}

/** Total length of a record: base plus System Use, rounded up to even (ECMA-119 9.1.1). */
export function recordLength(idLen: number, suLen: number): number {
  const n = recordBaseLength(idLen) + suLen;
  return n + (n % 2);
}

// ECMA-119 9.1: directory record; offsets from volume-fields.ts.
export function encodeDirRecord(r: DirRecordFields): Buffer {
  const su = r.systemUse ?? Buffer.alloc(0);
  const len = recordLength(r.id.length, su.length);
  if (len > MAX_RECORD) throw new RangeError(`directory record of ${len} bytes exceeds ${MAX_RECORD}`);
  const b = Buffer.alloc(len);
  b[DR.length.offset] = len;
  b[DR.extendedAttributeLength.offset] = 0;
  writeBoth32(b, DR.extent.offset, r.extent);
  writeBoth32(b, DR.dataLength.offset, r.size);
  r.date.copy(b, DR.recordingDate.offset, 0, DR.recordingDate.size);
  b[DR.fileFlags.offset] = r.flags;
  b[DR.fileUnitSize.offset] = 0;
  b[DR.interleaveGap.offset] = 0;
  writeBoth16(b, DR.volumeSequenceNumber.offset, 1);
  b[DR.fileIdLength.offset] = r.id.length;
  r.id.copy(b, DR.fileId.offset);
  su.copy(b, recordBaseLength(r.id.length));
  return b;
}

export interface PathTableFields {
  id: Buffer;
  extent: number;
  parent: number;
}

/** Length of a path table record with identifier length `idLen` (ECMA-119 9.4). */
export function pathTableRecordLength(idLen: number): number {
  return 8 + idLen + (idLen % 2);
}

// ECMA-119 9.4: path table record; `little` selects the L (LE) or M (BE) table.
export function encodePathTableRecord(r: PathTableFields, little: boolean): Buffer {
  const b = Buffer.alloc(pathTableRecordLength(r.id.length));
  b[0] = r.id.length;
  b[1] = 0;
  if (little) {
    b.writeUInt32LE(r.extent, 2);
    b.writeUInt16LE(r.parent, 6);
  } else {
    b.writeUInt32BE(r.extent, 2);
    b.writeUInt16BE(r.parent, 6);
  }
  r.id.copy(b, 8);
  return b;
}

export interface VolumeDescriptorFields {
  /** 1 = primary, 2 = supplementary (Joliet). */
  type: 1 | 2;
  /** Text fields are written in ASCII for type 1 and UCS-2BE for type 2, space padded. */
  systemId: string;
  volumeId: string;
  volumeSetId: string;
  publisherId: string;
  preparerId: string;
  applicationId: string;
  /** BP 89–120: escape sequences, e.g. "%/E" for Joliet UCS-2 level 3; empty for the PVD. */
  escape: string;
  volumeBlocks: number;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  /** The 34-byte root directory record. */
  root: Buffer;
  epoch: number;
}

/** Write `text` into `len` bytes at `off`, space padded: ASCII, or UCS-2BE when `ucs2`. */
function writeText(b: Buffer, off: number, len: number, text: string, ucs2: boolean): void {
  if (!ucs2) {
    b.fill(0x20, off, off + len);
    b.write(text.slice(0, len), off, 'latin1');
    return;
  }
  const chars = Math.floor(len / 2);
  const s = text.slice(0, chars).padEnd(chars, ' ');
  for (let i = 0; i < chars; i++) b.writeUInt16BE(s.charCodeAt(i), off + 2 * i);
  if (len % 2 === 1) b[off + len - 1] = 0x20;
}

// ECMA-119 8.1: volume descriptor header (type, "CD001", version 1).
function writeHeader(b: Buffer, type: number): void {
  b[VD.type.offset] = type;
  b.write('CD001', VD.standardId.offset, 'latin1');
  b[VD.version.offset] = 1;
}

// ECMA-119 8.4 (PVD) and 8.5 (SVD, Joliet): primary / supplementary volume descriptor; offsets from volume-fields.ts.
export function encodeVolumeDescriptor(v: VolumeDescriptorFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  const ucs2 = v.type === 2;
  const text = (field: Field, value: string) => writeText(b, field.offset, field.size, value, ucs2);
  writeHeader(b, v.type);
  text(VD.systemId, v.systemId);
  text(VD.volumeId, v.volumeId);
  writeBoth32(b, VD.volumeSpaceSize.offset, v.volumeBlocks);
  b.write(v.escape, VD.escapeSequences.offset, 'latin1');
  writeBoth16(b, VD.volumeSetSize.offset, 1);
  writeBoth16(b, VD.volumeSequenceNumber.offset, 1);
  writeBoth16(b, VD.logicalBlockSize.offset, BLOCK);
  writeBoth32(b, VD.pathTableSize.offset, v.pathTableSize);
  b.writeUInt32LE(v.lPathTable, VD.typeLPathTable.offset);
  b.writeUInt32BE(v.mPathTable, VD.typeMPathTable.offset);
  v.root.copy(b, VD.rootDirectoryRecord.offset, 0, VD.rootDirectoryRecord.size);
  text(VD.volumeSetId, v.volumeSetId);
  text(VD.publisherId, v.publisherId);
  text(VD.dataPreparerId, v.preparerId);
  text(VD.applicationId, v.applicationId);
  text(VD.copyrightFileId, '');
  text(VD.abstractFileId, '');
  text(VD.bibliographicFileId, '');
  encodeDate17(v.epoch).copy(b, VD.creationDate.offset);
  encodeDate17(v.epoch).copy(b, VD.modificationDate.offset);
  encodeDate17(null).copy(b, VD.expirationDate.offset); // not specified
  encodeDate17(null).copy(b, VD.effectiveDate.offset); // not specified
  b[VD.fileStructureVersion.offset] = 1;
  b.fill(0x20, ...span(VD.applicationUse));
  return b;
}

// ECMA-119 8.3: volume descriptor set terminator.
export function encodeTerminator(): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeHeader(b, 255);
  return b;
}
