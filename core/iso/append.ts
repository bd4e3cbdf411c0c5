/**
 * Rebuild a bootable ISO by appending a session (growisofs on a regular file): the old image is
 * copied as is, the new tree (old files keep their extents, no data is copied twice) and the new
 * files' data are appended after the old data, then the volume descriptors at LBA 16 and the
 * isohybrid MBR/GPT are rewritten for the new size. The El Torito catalog and boot images stay
 * where they are, so the isolinux boot info table stays valid.
 *
 * New image (2048-byte blocks):
 *   0–15      System Area of the input, partitions grown (hybrid.ts)
 *   16…       PVD, El Torito boot record, Joliet SVD, terminator (patched copies of the input's)
 *   …keepEnd  the input's bytes, unchanged
 *   keepEnd   new El Torito catalog, only when a boot image was replaced
 *   …         path tables, ISO (+ Rock Ridge) directories, Joliet directories, new file data,
 *             150 blocks of zeros (like mkisofs -pad)
 *   …end      zeros up to the input's alignment (isohybrid: whole 1 MiB cylinders), backup GPT last
 */
import { promises as fsp } from 'node:fs';
import { copyLargeFile } from '../copy-file';
import { Readable } from 'node:stream';
import { SuppackError } from '../errors';
import { writeAtomically } from '../output';
import { type SessionEntry, keptEntries, mergeSession } from './append-tree';
import { type OldImage, readOldImage } from './append-input';
import { BLOCK, SYSTEM_AREA_BLOCKS, encodeTerminator, writeBoth32 } from './encode';
import { hasBootInfoTable, patchBootInfoTable, setBootRecordCatalogLba, setCatalogEntryLoad, wholeImageSectorCount } from './eltorito';
import { type Growth, SECTOR, decodeGptHeader, decodeMbr, geometryOf, growSystemArea } from './hybrid';
import { type IsoPlan, encodeRootRecord, encodeTables, planLayout } from './layout';
import { ImageSink } from './sink';
import { type IsoDigest, type IsoEntry, validateOptions } from './tree';
import { type IsoWritten, writeFileData } from './writer';

export interface AppendChanges {
  /** Added or replacing files, directories and symlinks, by image path. */
  files: IsoEntry[];
  /** Image paths removed (with everything under them) before `files` are added. */
  remove?: string[];
}

export interface AppendOptions {
  /** New volume id (≤ 32 printable ASCII); default: the input's, byte for byte. */
  volumeId?: string;
  /** Seconds since 1970: the date of every directory record of the new tree. */
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
  /** Digests of the output computed while it is written; default md5 and sha256. */
  digests?: readonly IsoDigest[];
}

/** Reads from the input are at most this big. */
const COPY_CHUNK = 1 << 20;

/** A boot image replaced by a change: the catalog entry and partitions must follow it. */
interface MovedBoot {
  path: string;
  oldLba: number;
  oldSize: number;
  /** Set once the layout is planned. */
  newLba: number;
  newSize: number;
  bootInfoTable: boolean;
}

export async function appendSession(input: string, output: string, changes: AppendChanges, options: AppendOptions): Promise<IsoWritten> {
  if (options.volumeId !== undefined) validateOptions({ volumeId: options.volumeId, epoch: options.epoch });
  const old = await readOldImage(input);
  const merged = mergeSession(keptEntries(old.entries, input), changes.files ?? [], changes.remove ?? [], input);
  const moved = await movedBootImages(old, changes.files ?? []);
  const catalogBlocks = moved.length > 0 && old.catalog ? old.catalog.bytes.length / BLOCK : 0;
  const catalogLba = old.keepEnd;
  const entries = catalogBlocks > 0 ? repointCatalogFile(merged, old, catalogLba) : merged;
  const withInfoTables = entries.map((e) => withBootInfoTable(e, moved));
  const plan = planLayout(withInfoTables, { volumeId: options.volumeId ?? 'APPENDED', epoch: options.epoch }, {
    start: old.keepEnd + catalogBlocks,
    joliet: old.joliet !== undefined,
    rockRidge: old.volume.rockRidge,
  });
  for (const m of moved) {
    const f = plan.files.find((p) => p.path === m.path) as { extent: number };
    m.newLba = f.extent;
  }
  const tail = planTail(old, plan, moved);
  const head = encodeHead(old, plan, tail.volumeBlocks, options.volumeId, catalogBlocks > 0 ? catalogLba : undefined);
  const catalog = catalogBlocks > 0 ? encodeCatalog(old, moved) : undefined;
  const digests = options.digests ?? ['md5', 'sha256'];
  return writeAtomically(output, async (tmp) => {
    // Without digests the input is copied by the kernel (reflink or copy_file_range, like cp),
    // then the new system area, descriptors and session are written over and after it.
    const inPlace = digests.length === 0;
    if (inPlace) {
      await copyLargeFile(input, tmp).catch((e: unknown) => {
        throw new SuppackError(`cannot copy: ${String((e as Error).message)}`, { file: input });
      });
    }
    const fh = await fsp.open(tmp, inPlace ? 'r+' : 'w');
    const sink = new ImageSink(fh, output, tail.totalBytes, options.onProgress, digests);
    try {
      await sink.put(tail.systemArea);
      await sink.put(head);
      if (inPlace) await sink.skip((old.keepEnd - SYSTEM_AREA_BLOCKS - old.descriptorBlocks) * BLOCK);
      else await copyInput(old, sink);
      if (catalog) await sink.put(catalog);
      for (const block of encodeTables(plan)) await sink.put(block);
      expectOffset(sink, plan.dataStart * BLOCK, 'new directories');
      for (const f of plan.files) {
        expectOffset(sink, f.extent * BLOCK, f.path);
        await writeFileData(f, sink);
      }
      if (tail.backupGpt) {
        await sink.zeros(tail.backupGpt.offset - sink.offset);
        await sink.put(tail.backupGpt.bytes);
      }
      await sink.zeros(tail.totalBytes - sink.offset);
      const result = await sink.finish();
      if (result.bytes !== tail.totalBytes) throw new Error(`appendSession wrote ${result.bytes} bytes, planned ${tail.totalBytes}`);
      if (inPlace) await fh.truncate(tail.totalBytes);
      return result;
    } finally {
      await sink.close();
      await fh.close();
    }
  });
}

function expectOffset(sink: ImageSink, offset: number, what: string): void {
  if (sink.offset !== offset) throw new Error(`appendSession out of step at ${what}: at byte ${sink.offset}, planned ${offset}`);
}

/** Boot images (catalog entries) whose file a change replaces with a new file. */
async function movedBootImages(old: OldImage, changes: readonly IsoEntry[]): Promise<MovedBoot[]> {
  const out: MovedBoot[] = [];
  for (const ref of old.catalog?.entries ?? []) {
    const file = old.entries.find((d) => d.kind === 'file' && d.size > 0 && d.extents[0].lba === ref.loadLba);
    const change = file && changes.find((c) => c.kind === 'file' && c.path.split('/').filter((s) => s !== '' && s !== '.').join('/') === file.path);
    if (!file || !change || change.kind !== 'file' || out.some((m) => m.path === file.path)) continue;
    const fh = await fsp.open(old.path, 'r');
    let head: Buffer;
    try {
      head = Buffer.alloc(64);
      await fh.read(head, 0, 64, ref.loadLba * BLOCK);
    } finally {
      await fh.close();
    }
    out.push({ path: file.path, oldLba: ref.loadLba, oldSize: file.size, newLba: -1, newSize: change.size, bootInfoTable: hasBootInfoTable(head, ref.loadLba, file.size) });
  }
  return out;
}

/** The tree's boot catalog file (e.g. boot/isolinux/boot.cat) now points at the new catalog. */
function repointCatalogFile(entries: SessionEntry[], old: OldImage, lba: number): SessionEntry[] {
  const oldLba = old.catalog?.lba;
  return entries.map((e) => (e.kind === 'file' && 'extent' in e && e.extent === oldLba ? { ...e, extent: lba } : e));
}

/** A replaced boot image that had an isolinux boot info table gets one for its new place. */
function withBootInfoTable(e: SessionEntry, moved: readonly MovedBoot[]): SessionEntry {
  const m = moved.find((x) => x.path === e.path && x.bootInfoTable);
  if (!m || e.kind !== 'file' || 'extent' in e) return e;
  const source = e.source;
  const read = async (): Promise<Buffer> => {
    if (typeof source === 'string') return fsp.readFile(source);
    const parts: Buffer[] = [];
    for await (const c of source()) parts.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
    return Buffer.concat(parts);
  };
  const patched = async function* () {
    const data = await read();
    if (data.length !== e.size) throw new SuppackError(`file changed: expected ${e.size} bytes, found ${data.length}`, { file: e.path, field: 'size' });
    yield patchBootInfoTable(data, m.newLba);
  };
  return { ...e, source: () => Readable.from(patched()) };
}

interface Tail {
  totalBytes: number;
  volumeBlocks: number;
  systemArea: Buffer;
  backupGpt?: { offset: number; bytes: Buffer };
}

/**
 * Size of the new image, padded like the input: when the input's size was a whole number of its
 * MBR cylinders (isohybrid: 64 heads × 32 sectors = 1 MiB), so is the new one; the backup GPT
 * takes the last sectors. The volume space covers that padding when the input's did (xorriso).
 */
function planTail(old: OldImage, plan: IsoPlan, moved: readonly MovedBoot[]): Tail {
  const geometry = geometryOf(decodeMbr(old.systemArea) ?? []);
  const cylinder = geometry ? geometry.heads * geometry.sectors * SECTOR : 0;
  const align = cylinder > 0 && cylinder % BLOCK === 0 && old.size % cylinder === 0 ? cylinder : BLOCK;
  const gpt = decodeGptHeader(old.systemArea.subarray(SECTOR, 2 * SECTOR));
  const gptBytes = gpt ? (Math.ceil((gpt.entryCount * gpt.entrySize) / SECTOR) + 1) * SECTOR : 0;
  const totalBytes = Math.ceil((plan.totalBytes + gptBytes) / align) * align;
  const growth: Growth = {
    oldBytes: old.size,
    newBytes: totalBytes,
    isoEnd: old.isoEnd * BLOCK,
    moved: moved.map((m) => ({ oldLba: m.oldLba, newLba: m.newLba, newBytes: m.newSize })),
  };
  const grown = growSystemArea(old.systemArea, growth);
  const bios = moved.find((m) => m.bootInfoTable);
  if (bios && grown.systemArea.readUInt32LE(432) === bios.oldLba * 4 && decodeMbr(grown.systemArea)) {
    // isohybrid MBR code: bytes 432-435 hold the isolinux.bin LBA in 512-byte sectors (iso-rpm.md 1.9).
    grown.systemArea.writeUInt32LE(bios.newLba * 4, 432);
  }
  const b = grown.backupGpt;
  if (b && (b.offset < plan.totalBytes || b.offset + b.bytes.length > totalBytes)) {
    throw new SuppackError(`the backup GPT of the input is not at its end (header at LBA ${gpt?.backupLba})`, { file: old.path, field: 'GPT header' });
  }
  const coversTail = old.volume.volumeSpaceBlocks * BLOCK >= old.size;
  const volumeBlocks = coversTail ? totalBytes / BLOCK : plan.totalBlocks;
  return { totalBytes, volumeBlocks, systemArea: grown.systemArea, ...(b ? { backupGpt: b } : {}) };
}

function writeVolumeId(vd: Buffer, id: string, ucs2: boolean): void {
  vd.fill(0, 40, 72);
  if (!ucs2) {
    vd.fill(0x20, 40, 72);
    vd.write(id, 40, 'latin1');
    return;
  }
  const s = id.slice(0, 16).padEnd(16, ' ');
  for (let i = 0; i < 16; i++) vd.writeUInt16BE(s.charCodeAt(i), 40 + 2 * i);
}

// ECMA-119 8.4 / 8.5: the input's PVD or SVD with the new volume space size, path tables and root.
function patchDescriptor(vd: Buffer, plan: IsoPlan, joliet: boolean, volumeBlocks: number, volumeId: string | undefined): Buffer {
  const out = Buffer.from(vd);
  const table = joliet ? plan.detail.jolietPathTable : plan.detail.isoPathTable;
  writeBoth32(out, 80, volumeBlocks);
  writeBoth32(out, 132, table.size);
  out.writeUInt32LE(table.l, 140);
  out.writeUInt32LE(0, 144);
  out.writeUInt32BE(table.m, 148);
  out.writeUInt32BE(0, 152);
  encodeRootRecord(plan, joliet).copy(out, 156, 0, 34);
  if (volumeId !== undefined) writeVolumeId(out, volumeId, joliet);
  return out;
}

/** Blocks 16 … the input's terminator: PVD, boot record, Joliet SVD, terminator, zeros after it. */
function encodeHead(old: OldImage, plan: IsoPlan, volumeBlocks: number, volumeId: string | undefined, catalogLba: number | undefined): Buffer {
  const out: Buffer[] = [patchDescriptor(old.pvd, plan, false, volumeBlocks, volumeId)];
  if (old.bootRecord) {
    const record = Buffer.from(old.bootRecord);
    if (catalogLba !== undefined) setBootRecordCatalogLba(record, catalogLba);
    out.push(record);
  }
  if (old.joliet) out.push(patchDescriptor(old.joliet, plan, true, volumeBlocks, volumeId));
  out.push(encodeTerminator());
  const head = Buffer.alloc(old.descriptorBlocks * BLOCK);
  Buffer.concat(out).copy(head);
  return head;
}

/** The input's catalog with the replaced images' entries pointing at their new extents. */
function encodeCatalog(old: OldImage, moved: readonly MovedBoot[]): Buffer {
  const cat = old.catalog as NonNullable<OldImage['catalog']>;
  const bytes = Buffer.from(cat.bytes);
  for (const ref of cat.entries) {
    const m = moved.find((x) => x.oldLba === ref.loadLba);
    if (!m) continue;
    const whole = ref.platform === 0xef || ref.sectorCount === wholeImageSectorCount(m.oldSize, ref.platform);
    setCatalogEntryLoad(bytes, ref.offset, m.newLba, whole ? wholeImageSectorCount(m.newSize, ref.platform) : ref.sectorCount);
  }
  return bytes;
}

/** The input's bytes after its volume descriptors, up to where the new session starts. */
async function copyInput(old: OldImage, sink: ImageSink): Promise<void> {
  const start = (SYSTEM_AREA_BLOCKS + old.descriptorBlocks) * BLOCK;
  const end = old.keepEnd * BLOCK;
  const fh = await fsp.open(old.path, 'r').catch((e: unknown) => {
    throw new SuppackError(`cannot read: ${String((e as Error).message)}`, { file: old.path });
  });
  try {
    for (let pos = start; pos < end; ) {
      const { buf, off, len } = await sink.space();
      const n = Math.min(len, COPY_CHUNK, end - pos);
      const { bytesRead } = await fh.read(buf, off, n, pos);
      if (bytesRead === 0) throw new SuppackError(`the input ended at byte ${pos} while it was copied, expected ${end}`, { file: old.path, field: 'size' });
      sink.advance(bytesRead);
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
