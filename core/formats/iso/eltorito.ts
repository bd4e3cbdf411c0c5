/**
 * Pure El Torito 1.0 helpers for editing an existing boot setup: where the boot entries of a
 * catalog are (to repoint them at moved boot images), the boot record's catalog pointer, and
 * the isolinux boot info table.
 */
import { SuppackError } from '../../base/errors';

/** One boot entry of a catalog (initial/default or section entry) and its byte offset in the catalog. */
export interface CatalogEntryRef {
  offset: number;
  /** Platform id from the validation entry or the section header (0 x86, 0xEF EFI). */
  platform: number;
  /** 0 = no emulation. */
  mediaType: number;
  /** 512-byte virtual sectors loaded. */
  sectorCount: number;
  loadLba: number;
}

// El Torito 2.1-2.5: validation entry, initial entry, then section headers (0x90 more, 0x91 last)
// each followed by its section entries (0x44 = entry extension, skipped).
export function catalogEntries(catalog: Buffer): CatalogEntryRef[] {
  const field = 'El Torito boot catalog';
  if (catalog.length < 64 || catalog[0] !== 1 || catalog[30] !== 0x55 || catalog[31] !== 0xaa) {
    throw new SuppackError('expected a validation entry (01 ... 55 AA)', { field });
  }
  const at = (offset: number, platform: number): CatalogEntryRef => ({
    offset,
    platform,
    mediaType: catalog[offset + 1] & 0x0f,
    sectorCount: catalog.readUInt16LE(offset + 6),
    loadLba: catalog.readUInt32LE(offset + 8),
  });
  const out = [at(32, catalog[1])];
  let off = 64;
  let more = true;
  while (more && off + 32 <= catalog.length && (catalog[off] === 0x90 || catalog[off] === 0x91)) {
    more = catalog[off] === 0x90;
    const platform = catalog[off + 1];
    const count = catalog.readUInt16LE(off + 2);
    off += 32;
    for (let i = 0; i < count && off + 32 <= catalog.length; off += 32) {
      if (catalog[off] === 0x44) continue;
      out.push(at(off, platform));
      i++;
    }
  }
  return out;
}

// El Torito 2.2/2.4: sector count (u16 LE at 6) and load RBA (u32 LE at 8) of a boot entry.
export function setCatalogEntryLoad(catalog: Buffer, offset: number, lba: number, sectorCount: number): void {
  catalog.writeUInt16LE(sectorCount, offset + 6);
  catalog.writeUInt32LE(lba, offset + 8);
}

/**
 * Sector count for a no-emulation image loaded whole, as libisofs writes it: its 512-byte
 * sectors, or when that exceeds 65535, 0 for EFI (firmware reads the FAT's own size) and 65535 otherwise.
 */
export function wholeImageSectorCount(bytes: number, platform: number): number {
  const n = Math.ceil(bytes / 512);
  return n <= 0xffff ? n : platform === 0xef ? 0 : 0xffff;
}

/** El Torito 2.0: boot catalog LBA (u32 LE at byte 71) of a boot record volume descriptor. */
export function bootRecordCatalogLba(record: Buffer): number {
  return record.readUInt32LE(71);
}

export function setBootRecordCatalogLba(record: Buffer, lba: number): void {
  record.writeUInt32LE(lba, 71);
}

/** isolinux boot info table: PVD LBA 16 at 8, the file's own LBA at 12, its length at 16. */
export function hasBootInfoTable(head: Buffer, lba: number, length: number): boolean {
  return head.length >= 64 && head.readUInt32LE(8) === 16 && head.readUInt32LE(12) === lba && head.readUInt32LE(16) === length;
}

// mkisofs -boot-info-table: bytes 8-23 = PVD LBA, file LBA, file length, checksum (u32 LE sum of
// the LE words from byte 64 on, a short last word zero-padded); bytes 24-63 zeroed.
export function patchBootInfoTable(image: Buffer, lba: number): Buffer {
  if (image.length < 64) throw new SuppackError(`boot image is ${image.length} bytes, a boot info table needs at least 64`, { field: 'boot info table' });
  const out = Buffer.from(image);
  let sum = 0;
  for (let i = 64; i < out.length; i += 4) {
    const word = i + 4 <= out.length ? out.readUInt32LE(i) : Buffer.concat([out.subarray(i), Buffer.alloc(4)]).readUInt32LE(0);
    sum = (sum + word) >>> 0;
  }
  out.writeUInt32LE(16, 8);
  out.writeUInt32LE(lba, 12);
  out.writeUInt32LE(out.length, 16);
  out.writeUInt32LE(sum, 20);
  out.fill(0, 24, 64);
  return out;
}
