/**
 * Pure encoders/decoders for the isohybrid System Area (MBR and GPT in the first 32 KiB of an
 * ISO image), and the update it needs when an image grows (an appended session): the partition
 * that holds the ISO grows with it, an EFI partition follows its boot image when that moved,
 * the GPT headers get new CRCs and a backup GPT for the new end. Everything else is kept byte for byte.
 */
import { SuppackError } from '../../base/errors';

export const SECTOR = 512;
const GPT_SIGNATURE = 'EFI PART';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, reflected 0xEDB88320, as zlib's crc32 and UEFI 2.x Appendix A). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export interface MbrPartition {
  status: number;
  /** CHS of the first sector, 3 raw bytes. */
  chsStart: Buffer;
  type: number;
  /** CHS of the last sector, 3 raw bytes. */
  chsEnd: Buffer;
  /** First 512-byte sector. */
  start: number;
  sectors: number;
}

/** CHS geometry: heads per cylinder and sectors per head (isohybrid uses 64 × 32 = 1 MiB cylinders). */
export interface Geometry {
  heads: number;
  sectors: number;
}

// MBR: partition table of 4 × 16 bytes at 446, signature 55 AA at 510.
export function decodeMbr(sector0: Buffer): MbrPartition[] | undefined {
  if (sector0.length < SECTOR || sector0[510] !== 0x55 || sector0[511] !== 0xaa) return undefined;
  const out: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const o = 446 + 16 * i;
    out.push({
      status: sector0[o],
      chsStart: Buffer.from(sector0.subarray(o + 1, o + 4)),
      type: sector0[o + 4],
      chsEnd: Buffer.from(sector0.subarray(o + 5, o + 8)),
      start: sector0.readUInt32LE(o + 8),
      sectors: sector0.readUInt32LE(o + 12),
    });
  }
  return out;
}

// MBR partition entry: status, CHS start, type, CHS end, LBA start (u32 LE), sectors (u32 LE).
export function encodeMbrPartition(p: MbrPartition): Buffer {
  const b = Buffer.alloc(16);
  b[0] = p.status;
  p.chsStart.copy(b, 1, 0, 3);
  b[4] = p.type;
  p.chsEnd.copy(b, 5, 0, 3);
  b.writeUInt32LE(p.start, 8);
  b.writeUInt32LE(p.sectors, 12);
  return b;
}

/** Geometry implied by the CHS end of the first used partition (head = heads−1, sector = sectors). */
export function geometryOf(parts: readonly MbrPartition[]): Geometry | undefined {
  for (const p of parts) {
    if (p.type === 0 && p.sectors === 0) continue;
    const heads = p.chsEnd[0] + 1;
    const sectors = p.chsEnd[1] & 0x3f;
    if (sectors > 0 && heads > 1) return { heads, sectors };
  }
  return undefined;
}

// MBR CHS triple: head, sector | (cylinder bits 8-9) << 6, cylinder bits 0-7; capped at cylinder 1023.
export function encodeChs(lba: number, g: Geometry): Buffer {
  let cyl = Math.floor(lba / (g.heads * g.sectors));
  let head = Math.floor(lba / g.sectors) % g.heads;
  let sector = (lba % g.sectors) + 1;
  if (cyl > 1023) [cyl, head, sector] = [1023, g.heads - 1, g.sectors];
  return Buffer.from([head, sector | ((cyl >> 2) & 0xc0), cyl & 0xff]);
}

export interface GptHeader {
  revision: number;
  headerSize: number;
  currentLba: number;
  backupLba: number;
  firstUsable: number;
  lastUsable: number;
  diskGuid: Buffer;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  entriesCrc: number;
  /** The header sector as read, so that reserved bytes are kept. */
  raw: Buffer;
}

function u64(b: Buffer, off: number): number {
  return Number(b.readBigUInt64LE(off));
}

// UEFI 2.x 5.3.2: GPT header ("EFI PART", revision, size, CRC32 of the header with the CRC field 0, …).
export function decodeGptHeader(sector: Buffer): GptHeader | undefined {
  if (sector.length < SECTOR || sector.toString('latin1', 0, 8) !== GPT_SIGNATURE) return undefined;
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < 92 || headerSize > SECTOR) {
    throw new SuppackError(`header size is ${headerSize}, expected 92 to 512`, { field: 'GPT header' });
  }
  const copy = Buffer.from(sector.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== sector.readUInt32LE(16)) throw new SuppackError('header CRC32 does not match', { field: 'GPT header' });
  const h: GptHeader = {
    revision: sector.readUInt32LE(8),
    headerSize,
    currentLba: u64(sector, 24),
    backupLba: u64(sector, 32),
    firstUsable: u64(sector, 40),
    lastUsable: u64(sector, 48),
    diskGuid: Buffer.from(sector.subarray(56, 72)),
    entriesLba: u64(sector, 72),
    entryCount: sector.readUInt32LE(80),
    entrySize: sector.readUInt32LE(84),
    entriesCrc: sector.readUInt32LE(88),
    raw: Buffer.from(sector.subarray(0, SECTOR)),
  };
  if (h.entrySize < 128 || h.entrySize % 8 !== 0 || h.entryCount * h.entrySize > 1 << 20) {
    throw new SuppackError(`${h.entryCount} entries of ${h.entrySize} bytes is not a valid entry array`, { field: 'GPT header' });
  }
  return h;
}

// UEFI 2.x 5.3.2: GPT header sector with both CRC32s filled in (entriesCrc as given).
export function encodeGptHeader(h: GptHeader): Buffer {
  const b = Buffer.from(h.raw);
  b.write(GPT_SIGNATURE, 0, 'latin1');
  b.writeUInt32LE(h.revision, 8);
  b.writeUInt32LE(h.headerSize, 12);
  b.writeUInt32LE(0, 16);
  b.writeBigUInt64LE(BigInt(h.currentLba), 24);
  b.writeBigUInt64LE(BigInt(h.backupLba), 32);
  b.writeBigUInt64LE(BigInt(h.firstUsable), 40);
  b.writeBigUInt64LE(BigInt(h.lastUsable), 48);
  h.diskGuid.copy(b, 56, 0, 16);
  b.writeBigUInt64LE(BigInt(h.entriesLba), 72);
  b.writeUInt32LE(h.entryCount, 80);
  b.writeUInt32LE(h.entrySize, 84);
  b.writeUInt32LE(h.entriesCrc, 88);
  b.writeUInt32LE(crc32(b.subarray(0, h.headerSize)), 16);
  return b;
}

export interface GptEntry {
  /** Index in the entry array. */
  index: number;
  typeGuid: Buffer;
  firstLba: number;
  /** Inclusive. */
  lastLba: number;
}

// UEFI 2.x 5.3.3: partition entry (type GUID, unique GUID, first LBA, last LBA, attributes, name).
export function decodeGptEntries(array: Buffer, h: GptHeader): GptEntry[] {
  const out: GptEntry[] = [];
  for (let i = 0; i < h.entryCount; i++) {
    const o = i * h.entrySize;
    const typeGuid = array.subarray(o, o + 16);
    if (typeGuid.every((x) => x === 0)) continue;
    out.push({ index: i, typeGuid: Buffer.from(typeGuid), firstLba: u64(array, o + 32), lastLba: u64(array, o + 40) });
  }
  return out;
}

/** Write an entry's first and last LBA back into the entry array. */
export function encodeGptEntryRange(array: Buffer, h: GptHeader, e: GptEntry): void {
  const o = e.index * h.entrySize;
  array.writeBigUInt64LE(BigInt(e.firstLba), o + 32);
  array.writeBigUInt64LE(BigInt(e.lastLba), o + 40);
}

/** What changed between the old and the new image, for growSystemArea. */
export interface Growth {
  /** Size of the old and of the new image file in bytes (multiples of 512). */
  oldBytes: number;
  newBytes: number;
  /** End of the old image's ISO 9660 data in bytes: a partition reaching it holds the ISO and grows. */
  isoEnd: number;
  /**
   * Old and new end of the volume space (PVD) in bytes. A partition that ended there ends at the
   * new one (isohybrid's GPT partition 1 covers the volume, not the cylinder padding after it).
   */
  volumeEnd?: { old: number; new: number };
  /** Boot images now at another place: old/new LBA (2048-byte blocks) and the new size in bytes. */
  moved: ReadonlyArray<{ oldLba: number; newLba: number; newBytes: number }>;
}

export interface GrownSystemArea {
  systemArea: Buffer;
  /** Backup GPT (entry array then header) and the byte offset where it goes, when the image has a GPT. */
  backupGpt?: { offset: number; bytes: Buffer };
}

const sectorsOf = (bytes: number) => Math.ceil(bytes / SECTOR);

/** True when `chs` is what the geometry gives for `lba`: only such CHS fields are recomputed. */
function chsMatches(chs: Buffer, lba: number, g: Geometry | undefined): g is Geometry {
  return g !== undefined && chs.equals(encodeChs(lba, g));
}

/**
 * New end in bytes of a partition that holds the ISO: one that ended at the volume's end ends at
 * the new one (isohybrid); any other keeps its distance to the file's end (xorriso's GPT
 * partition stops before the backup GPT).
 */
function grownEnd(end: number, g: Growth): number {
  if (g.volumeEnd && end === g.volumeEnd.old && end !== g.oldBytes) return g.volumeEnd.new;
  return end + g.newBytes - g.oldBytes;
}

function growMbr(area: Buffer, g: Growth): void {
  const parts = decodeMbr(area);
  if (!parts) return;
  const geometry = geometryOf(parts);
  parts.forEach((p, i) => {
    if (p.type === 0 && p.sectors === 0) return;
    const end = p.start + p.sectors;
    const next = { ...p };
    const moved = g.moved.find((m) => m.oldLba * 4 === p.start && p.start > 0);
    if (p.start * SECTOR < g.isoEnd && end * SECTOR >= g.isoEnd) {
      next.sectors = Math.min(0xffffffff, Math.max(1, grownEnd(end * SECTOR, g) / SECTOR - p.start));
    } else if (moved) {
      next.start = moved.newLba * 4;
      next.sectors = Math.min(0xffffffff, sectorsOf(moved.newBytes));
      if (chsMatches(p.chsStart, p.start, geometry)) next.chsStart = encodeChs(next.start, geometry);
    } else return;
    if (chsMatches(p.chsEnd, end - 1, geometry)) next.chsEnd = encodeChs(next.start + next.sectors - 1, geometry);
    encodeMbrPartition(next).copy(area, 446 + 16 * i);
  });
}

function growGpt(area: Buffer, g: Growth): GrownSystemArea['backupGpt'] {
  const h = decodeGptHeader(area.subarray(SECTOR, 2 * SECTOR));
  if (!h) return undefined;
  const arrayBytes = h.entryCount * h.entrySize;
  const arrayStart = h.entriesLba * SECTOR;
  if (h.currentLba !== 1 || arrayStart < 2 * SECTOR || arrayStart + arrayBytes > area.length) {
    throw new SuppackError(
      `primary header at LBA ${h.currentLba} with entries at LBA ${h.entriesLba}: expected both inside the ${area.length}-byte System Area`,
      { field: 'GPT header' },
    );
  }
  const array = area.subarray(arrayStart, arrayStart + arrayBytes);
  if (crc32(array) !== h.entriesCrc) throw new SuppackError('partition entry array CRC32 does not match', { field: 'GPT entries' });
  const delta = (g.newBytes - g.oldBytes) / SECTOR;
  for (const e of decodeGptEntries(array, h)) {
    const moved = g.moved.find((m) => m.oldLba * 4 === e.firstLba && e.firstLba > 0);
    if (e.firstLba * SECTOR < g.isoEnd && (e.lastLba + 1) * SECTOR >= g.isoEnd) e.lastLba = grownEnd((e.lastLba + 1) * SECTOR, g) / SECTOR - 1;
    else if (moved) {
      e.firstLba = moved.newLba * 4;
      e.lastLba = e.firstLba + sectorsOf(moved.newBytes) - 1;
    } else continue;
    encodeGptEntryRange(array, h, e);
  }
  const entriesCrc = crc32(array);
  const backupLba = h.backupLba + delta;
  const arraySectors = sectorsOf(arrayBytes);
  const primary = encodeGptHeader({ ...h, backupLba, lastUsable: h.lastUsable + delta, entriesCrc });
  primary.copy(area, SECTOR);
  const backupHeader = encodeGptHeader({
    ...h,
    raw: primary,
    currentLba: backupLba,
    backupLba: h.currentLba,
    lastUsable: h.lastUsable + delta,
    entriesLba: backupLba - arraySectors,
    entriesCrc,
  });
  const bytes = Buffer.alloc((arraySectors + 1) * SECTOR);
  array.copy(bytes, 0);
  backupHeader.copy(bytes, arraySectors * SECTOR);
  return { offset: (backupLba - arraySectors) * SECTOR, bytes };
}

/**
 * The System Area of the grown image. Throws SuppackError for a GPT whose CRCs do not match or
 * whose primary entry array does not lie in the System Area.
 */
export function growSystemArea(systemArea: Buffer, g: Growth): GrownSystemArea {
  if (g.oldBytes % SECTOR !== 0 || g.newBytes % SECTOR !== 0) {
    throw new RangeError(`image sizes must be whole 512-byte sectors: ${g.oldBytes}, ${g.newBytes}`);
  }
  const area = Buffer.from(systemArea);
  growMbr(area, g);
  const backupGpt = growGpt(area, g);
  return backupGpt ? { systemArea: area, backupGpt } : { systemArea: area };
}
