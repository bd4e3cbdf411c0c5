/** FAT directory entries (spec section 6) and long file name entries (section 7). */

/** 6: DIR_Attr bits. */
export const ATTR = {
  READ_ONLY: 0x01,
  HIDDEN: 0x02,
  SYSTEM: 0x04,
  VOLUME_ID: 0x08,
  DIRECTORY: 0x10,
  ARCHIVE: 0x20,
  /** 7: READ_ONLY | HIDDEN | SYSTEM | VOLUME_ID marks a long name entry (tested under mask 0x3F). */
  LONG_NAME: 0x0f,
} as const;

export const DIR_ENTRY_SIZE = 32;

/** 6: a short (8.3) directory entry. Dates and times are not decoded: they are never rewritten. */
export interface ShortEntry {
  /** DIR_Name, 11 bytes, with a leading 05 already turned back into E5. */
  name: Buffer;
  attr: number;
  /** DIR_NTRes: bit 3 = base name in lower case, bit 4 = extension in lower case (Windows NT and mtools). */
  ntRes: number;
  firstCluster: number;
  size: number;
}

/** 6: decode the 32-byte short entry at `b[at]`. DIR_FstClusHI only counts on FAT32. */
export function decodeShortEntry(b: Buffer, at: number, fat32: boolean): ShortEntry {
  const name = Buffer.from(b.subarray(at, at + 11));
  if (name[0] === 0x05) name[0] = 0xe5;
  const hi = fat32 ? b.readUInt16LE(at + 20) : 0;
  return {
    name,
    attr: b[at + 11],
    ntRes: b[at + 12],
    firstCluster: hi * 0x10000 + b.readUInt16LE(at + 26),
    size: b.readUInt32LE(at + 28),
  };
}

/** 6: write the first cluster and size of the short entry at `b[at]`, leaving every other byte (names, dates) alone. */
export function patchShortEntry(b: Buffer, at: number, fat32: boolean, firstCluster: number, size: number): void {
  if (fat32) b.writeUInt16LE(Math.floor(firstCluster / 0x10000), at + 20);
  b.writeUInt16LE(firstCluster & 0xffff, at + 26);
  b.writeUInt32LE(size, at + 28);
}

/** 7: a long name entry: LDIR_Ord, LDIR_Chksum and its 13 UTF-16 code units. */
export interface LongEntry {
  ord: number;
  last: boolean;
  checksum: number;
  units: number[];
}

export function decodeLongEntry(b: Buffer, at: number): LongEntry {
  const units: number[] = [];
  // 7: LDIR_Name1 (offset 1, 5 units), LDIR_Name2 (offset 14, 6 units), LDIR_Name3 (offset 28, 2 units)
  for (const [off, n] of [[1, 5], [14, 6], [28, 2]] as const) {
    for (let i = 0; i < n; i++) units.push(b.readUInt16LE(at + off + 2 * i));
  }
  return { ord: b[at] & 0x3f, last: (b[at] & 0x40) !== 0, checksum: b[at + 13], units };
}

/** 7.2: the checksum of an 11-byte short name that each of its long name entries carries. */
export function shortNameChecksum(name: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + name[i]) & 0xff;
  return sum;
}

/**
 * 6.1: the short name as text ("GRUB.CFG"), lower-cased per DIR_NTRes bits 3/4 as Windows NT and mtools
 * do ("grub.cfg"). Bytes above 7F are read as Latin-1 (the real OEM code page is not known).
 */
export function shortNameText(name: Buffer, ntRes = 0): string {
  let base = name.subarray(0, 8).toString('latin1').replace(/ +$/, '');
  let ext = name.subarray(8, 11).toString('latin1').replace(/ +$/, '');
  if (ntRes & 0x08) base = base.toLowerCase();
  if (ntRes & 0x10) ext = ext.toLowerCase();
  return ext === '' ? base : `${base}.${ext}`;
}

/** One live entry of a directory: its long name when it has a valid one, else its short name. */
export interface DirEntry {
  name: string;
  shortName: string;
  attr: number;
  firstCluster: number;
  size: number;
  isDirectory: boolean;
  /** Index of the short entry within the directory (its byte offset / 32). */
  index: number;
}

/**
 * 6, 7: the live entries of a directory's bytes, in on-disk order. Skips free entries (E5), the volume
 * label, "." and "..", and stops at the first entry whose name starts with 00. A long name is used only
 * when its entries are complete, in order, and carry the checksum of the short entry after them (7);
 * otherwise the short name stands alone, as the spec tells a reader to do.
 */
export function decodeDirectory(bytes: Buffer, fat32: boolean): DirEntry[] {
  const out: DirEntry[] = [];
  let pending: LongEntry[] = [];
  const count = Math.floor(bytes.length / DIR_ENTRY_SIZE);
  for (let i = 0; i < count; i++) {
    const at = i * DIR_ENTRY_SIZE;
    const first = bytes[at];
    if (first === 0x00) break;
    if (first === 0xe5) {
      pending = [];
      continue;
    }
    const attr = bytes[at + 11];
    if ((attr & 0x3f) === ATTR.LONG_NAME) {
      const long = decodeLongEntry(bytes, at);
      if (long.last) pending = [long];
      else if (pending.length > 0 && long.ord === pending[pending.length - 1].ord - 1) pending.push(long);
      else pending = [];
      continue;
    }
    const short = decodeShortEntry(bytes, at, fat32);
    const longName = assembleLongName(pending, short.name);
    pending = [];
    if (attr & ATTR.VOLUME_ID) continue;
    if (isDotEntry(short.name)) continue;
    const shortName = shortNameText(short.name, short.ntRes);
    out.push({
      name: longName ?? shortName,
      shortName,
      attr,
      firstCluster: short.firstCluster,
      size: short.size,
      isDirectory: (attr & ATTR.DIRECTORY) !== 0,
      index: i,
    });
  }
  return out;
}

/** 7: join long entries N..1 (in the order found) into a name, or undefined if they do not belong to `shortName`. */
function assembleLongName(entries: LongEntry[], shortName: Buffer): string | undefined {
  if (entries.length === 0 || entries[entries.length - 1].ord !== 1 || entries[0].ord !== entries.length) return undefined;
  const sum = shortNameChecksum(shortName);
  if (entries.some((e) => e.checksum !== sum)) return undefined;
  const units: number[] = [];
  for (let i = entries.length - 1; i >= 0; i--) units.push(...entries[i].units);
  const end = units.indexOf(0x0000);
  const kept = end >= 0 ? units.slice(0, end) : units;
  const raw = Buffer.alloc(kept.length * 2);
  kept.forEach((u, i) => raw.writeUInt16LE(u, i * 2));
  const name = raw.toString('utf16le');
  return name === '' ? undefined : name;
}

function isDotEntry(name: Buffer): boolean {
  const s = name.toString('latin1');
  return s === '.          ' || s === '..         ';
}
