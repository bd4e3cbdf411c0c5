/**
 * Reads what an appended session needs from the existing image: its tree, raw volume
 * descriptors, System Area, El Torito catalog, and where its data ends.
 */
import { promises as fsp } from 'node:fs';
import { SuppackError, withFileAsync } from '../../../base/errors';
import { FIRST_DESCRIPTOR_LBA, SECTOR_SIZE, hasDescriptorId } from '../decode';
import { type CatalogEntryRef, bootRecordCatalogLba, catalogEntries } from '../eltorito';
import { SECTOR, decodeGptEntries, decodeGptHeader, decodeMbr } from '../hybrid';
import { type IsoDirent, type IsoVolume, openIso } from '../reader';
import { openInput } from '../../../base/open-input';

const SYSTEM_AREA_BYTES = 16 * SECTOR_SIZE;
const MAX_DESCRIPTORS = 64;
const MAX_CATALOG = 32 * 1024;

export interface OldImage {
  path: string;
  /** File size in bytes. */
  size: number;
  volume: IsoVolume;
  /** The tree as openIso gives it (Rock Ridge names when present). */
  entries: IsoDirent[];
  systemArea: Buffer;
  pvd: Buffer;
  bootRecord?: Buffer;
  joliet?: Buffer;
  /** Volume descriptor blocks from LBA 16 up to and including the terminator. */
  descriptorBlocks: number;
  catalog?: { lba: number; bytes: Buffer; entries: CatalogEntryRef[] };
  /** First block after the ISO 9660 data (descriptors, path tables, directories, files, boot images). */
  isoEnd: number;
  /** First block after everything that must be kept: isoEnd, or the end of a partition appended after it. */
  keepEnd: number;
  /**
   * Blocks of partitions that start after the volume descriptors (an EFI partition over
   * efiboot.img, appended partitions): their data must stay where it is. Partitions over the
   * whole image (isohybrid's) start before and are not listed.
   */
  partitionBlocks: Array<{ lba: number; blocks: number }>;
}

const blocks = (bytes: number) => Math.ceil(bytes / SECTOR_SIZE);

async function readAt(fh: fsp.FileHandle, pos: number, length: number, path: string, field: string): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, pos);
  if (bytesRead !== length) throw new SuppackError(`unexpected end of file at byte ${pos + bytesRead}: truncated image`, { file: path, field });
  return buf;
}

/** The Joliet escape sequence (%/@, %/C, %/E at byte 88) marks an SVD as Joliet. */
function isJoliet(block: Buffer): boolean {
  return block[0] === 2 && block[88] === 0x25 && block[89] === 0x2f && [0x40, 0x43, 0x45].includes(block[90]);
}

/** End block of the L and M path tables a PVD or SVD points at. */
function pathTablesEnd(vd: Buffer): number {
  const size = vd.readUInt32LE(132);
  const lbas = [vd.readUInt32LE(140), vd.readUInt32LE(144), vd.readUInt32BE(148), vd.readUInt32BE(152)].filter((l) => l > 0);
  return Math.max(0, ...lbas.map((l) => l + blocks(size)));
}

function extentsEnd(entries: readonly IsoDirent[]): number {
  let end = 0;
  for (const d of entries) for (const e of d.extents) if (e.length > 0) end = Math.max(end, e.lba + blocks(e.length));
  return end;
}

/** Directory extents of the other trees (ISO 9660 names, Joliet), which the main walk does not visit. */
async function otherTreesEnd(path: string, volume: IsoVolume): Promise<number> {
  const trees: Array<'iso9660' | 'joliet'> = ['iso9660', ...(volume.joliet ? (['joliet'] as const) : [])];
  let end = 0;
  for (const names of trees) {
    const img = await openIso(path, { names });
    try {
      const root = img.lookup('');
      end = Math.max(end, extentsEnd([...(root ? [root] : []), ...img.entries().filter((d) => d.kind === 'dir')]));
    } finally {
      await img.close();
    }
  }
  return end;
}

/** MBR and GPT partitions, in 512-byte sectors (end exclusive). */
function partitions(systemArea: Buffer): Array<{ start: number; end: number }> {
  const starts: Array<{ start: number; end: number }> = [];
  for (const p of decodeMbr(systemArea) ?? []) if (p.sectors > 0) starts.push({ start: p.start, end: p.start + p.sectors });
  const h = decodeGptHeader(systemArea.subarray(SECTOR, 2 * SECTOR));
  if (h && (h.entriesLba + Math.ceil((h.entryCount * h.entrySize) / SECTOR)) * SECTOR <= systemArea.length) {
    const array = systemArea.subarray(h.entriesLba * SECTOR, h.entriesLba * SECTOR + h.entryCount * h.entrySize);
    for (const e of decodeGptEntries(array, h)) starts.push({ start: e.firstLba, end: e.lastLba + 1 });
  }
  return starts;
}

/** Ends (in blocks) of MBR and GPT partitions that start at or after `isoEnd`: data appended after the ISO. */
function appendedPartitionsEnd(systemArea: Buffer, isoEnd: number): number {
  let end = 0;
  for (const s of partitions(systemArea)) if (s.start * SECTOR >= isoEnd * SECTOR_SIZE) end = Math.max(end, Math.ceil((s.end * SECTOR) / SECTOR_SIZE));
  return end;
}

export async function readOldImage(path: string): Promise<OldImage> {
  const img = await openIso(path);
  try {
    const entries = img.entries();
    const volume = img.volume;
    return await withFileAsync(path, async () => {
      const fh = await openInput(path);
      try {
        const size = (await fh.stat()).size;
        if (size % SECTOR_SIZE !== 0) {
          throw new SuppackError(`the file is ${size} bytes, not a whole number of 2048-byte blocks: truncated image`, { field: 'size' });
        }
        const systemArea = await readAt(fh, 0, SYSTEM_AREA_BYTES, path, 'System Area');
        let pvd: Buffer | undefined;
        let bootRecord: Buffer | undefined;
        let joliet: Buffer | undefined;
        let descriptorBlocks = 0;
        for (let i = 0; i < MAX_DESCRIPTORS && descriptorBlocks === 0; i++) {
          const lba = FIRST_DESCRIPTOR_LBA + i;
          const block = await readAt(fh, lba * SECTOR_SIZE, SECTOR_SIZE, path, `volume descriptor at LBA ${lba}`);
          if (!hasDescriptorId(block)) throw new SuppackError('expected "CD001"', { field: `volume descriptor at LBA ${lba}` });
          if (block[0] === 255) descriptorBlocks = i + 1;
          else if (block[0] === 1) pvd ??= block;
          else if (block[0] === 0 && block.toString('latin1', 7, 30) === 'EL TORITO SPECIFICATION') bootRecord ??= block;
          else if (isJoliet(block)) joliet ??= block;
        }
        if (!pvd || descriptorBlocks === 0) throw new SuppackError('expected a primary volume descriptor and a terminator', { field: 'volume descriptors' });
        let catalog: OldImage['catalog'];
        let isoEnd = Math.max(
          FIRST_DESCRIPTOR_LBA + descriptorBlocks,
          pathTablesEnd(pvd),
          joliet ? pathTablesEnd(joliet) : 0,
          extentsEnd(entries),
          extentsEnd([img.lookup('') as IsoDirent]),
          await otherTreesEnd(path, volume),
        );
        if (bootRecord) {
          const lba = bootRecordCatalogLba(bootRecord);
          const inTree = entries.find((d) => d.kind === 'file' && d.extents[0]?.lba === lba);
          const length = Math.min(MAX_CATALOG, Math.max(SECTOR_SIZE, blocks(inTree?.size ?? 0) * SECTOR_SIZE));
          if ((lba + blocks(length)) * SECTOR_SIZE > size) {
            throw new SuppackError(`boot catalog at LBA ${lba} lies beyond the end of the image: truncated image`, { field: 'El Torito boot record' });
          }
          const bytes = await readAt(fh, lba * SECTOR_SIZE, length, path, 'El Torito boot catalog');
          const refs = catalogEntries(bytes);
          catalog = { lba, bytes, entries: refs };
          isoEnd = Math.max(isoEnd, lba + blocks(length));
          for (const r of refs) isoEnd = Math.max(isoEnd, r.loadLba + blocks(r.sectorCount * 512));
        }
        if (isoEnd * SECTOR_SIZE > size) {
          throw new SuppackError(`data reaches block ${isoEnd} but the file has ${size / SECTOR_SIZE}: truncated image`, { field: 'size' });
        }
        const keepEnd = Math.min(size / SECTOR_SIZE, Math.max(isoEnd, appendedPartitionsEnd(systemArea, isoEnd)));
        const partitionBlocks = partitions(systemArea)
          .filter((p) => p.start * SECTOR > FIRST_DESCRIPTOR_LBA * SECTOR_SIZE && p.end > p.start)
          .map((p) => {
            const lba = Math.floor((p.start * SECTOR) / SECTOR_SIZE);
            return { lba, blocks: Math.ceil((p.end * SECTOR) / SECTOR_SIZE) - lba };
          });
        return { path, size, volume, entries, systemArea, pvd, bootRecord, joliet, descriptorBlocks, catalog, isoEnd, keepEnd, partitionBlocks };
      } finally {
        await fh.close();
      }
    });
  } finally {
    await img.close();
  }
}
