/**
 * Writing an appended session (index.ts): plan where the changes go, wait for the copy of the
 * input, write over and after it. Loaded once the copy runs.
 */
import { VD } from '../volume-fields';
import { createReadStream, promises as fsp } from 'node:fs';
import type { RunningCopy } from '../../../base/copy-file';
import { Readable } from 'node:stream';
import { SuppackError } from '../../../base/errors';
import { type BlockRange, type Placement, blocksOf, planPlacement } from './placement';
import { type SessionEntry, keptEntries, mergeSession } from './tree';
import { type OldImage, readOldImage } from './input';
import { BLOCK, SYSTEM_AREA_BLOCKS, encodeTerminator, writeBoth32 } from '../encode';
import { hasBootInfoTable, patchBootInfoTable, setBootRecordCatalogLba, setCatalogEntryLoad, wholeImageSectorCount } from '../eltorito';
import { type Growth, SECTOR, decodeGptHeader, decodeMbr, geometryOf, growSystemArea } from '../hybrid';
import { type IsoPlan, type PlannedFile, encodeRootRecord, encodeTables, planLayout } from '../layout';
import { ImageSink } from '../sink';
import { type IsoEntry, type PlacedEntry, isDeferred, isFilePart, validateOptions } from '../tree';
import { type IsoWritten, writeFileData } from '../writer';
import type { AppendChanges, AppendOptions, FileExtension } from './types';
import { readInputFile } from '../../../base/open-input';
import { plainNameAsMounted } from '../names';

/** How often the progress of the kernel copy is looked at. */
const COPY_POLL_MS = 250;

/** A boot image replaced by a change: the catalog entry and partitions must follow it. */
interface MovedBoot {
  path: string;
  oldLba: number;
  oldSize: number;
  /** Set once the layout is planned (the old LBA for a boot image written in place). */
  newLba: number;
  newSize: number;
  bootInfoTable: boolean;
}

/** Bytes written over the copied input before the new session: in-place files and growth. */
type InPlaceWrite = { offset: number; bytes: Buffer; padTo: number } | { offset: number; file: PlannedFile };

const norm = (path: string) => path.split('/').filter((s) => s !== '' && s !== '.').join('/');

/** Blocks whose bytes must stay: system area and descriptors, catalog, boot images, partitions. */
function fixedBlocks(old: OldImage): BlockRange[] {
  const fixed: BlockRange[] = [{ lba: 0, blocks: SYSTEM_AREA_BLOCKS + old.descriptorBlocks }, ...old.partitionBlocks];
  if (old.keepEnd > old.isoEnd) fixed.push({ lba: old.isoEnd, blocks: old.keepEnd - old.isoEnd });
  if (old.catalog) {
    fixed.push({ lba: old.catalog.lba, blocks: blocksOf(old.catalog.bytes.length) });
    for (const ref of old.catalog.entries) {
      const file = old.entries.find((d) => d.kind === 'file' && d.size > 0 && d.extents[0]?.lba === ref.loadLba);
      fixed.push({ lba: ref.loadLba, blocks: Math.max(1, blocksOf(ref.sectorCount * 512), blocksOf(file?.size ?? 0)) });
    }
  }
  return fixed;
}

/** The old file's bytes, read from the input. */
function oldData(input: string, lba: number, size: number): () => NodeJS.ReadableStream {
  return () => (size === 0 ? Readable.from([]) : createReadStream(input, { start: lba * BLOCK, end: lba * BLOCK + size - 1, highWaterMark: 1 << 20 }));
}

function checkExtensions(old: OldImage, changes: AppendChanges): Map<string, FileExtension> {
  const out = new Map<string, FileExtension>();
  const changed = new Set((changes.files ?? []).map((c) => norm(c.path)));
  const removed = (changes.remove ?? []).map(norm);
  (changes.extend ?? []).forEach((x, i) => {
    const p = norm(x.path);
    const file = old.entries.find((d) => d.path === p);
    const field = `extend[${i}].path`;
    if (!file || file.kind !== 'file') throw new SuppackError(`expected a file of the image ${old.path}, got '${p}'`, { field });
    if (out.has(p) || changed.has(p) || removed.some((r) => p === r || p.startsWith(`${r}/`))) {
      throw new SuppackError(`'${p}' is also replaced, removed or extended twice: expected each path once`, { field });
    }
    const ok = (b: unknown) => b === undefined || Buffer.isBuffer(b);
    if (!ok(x.tail) || !ok(x.head) || (x.tail === undefined && x.head === undefined)) {
      throw new SuppackError('expected tail or head bytes (or both)', { field: `extend[${i}]` });
    }
    out.set(p, x);
  });
  return out;
}

/** The session's tree with the placement applied, and the writes over the copied input. */
function placeEntries(old: OldImage, merged: SessionEntry[], extensions: Map<string, FileExtension>, placement: Placement, moved: MovedBoot[]) {
  const oldFiles = new Map(old.entries.filter((d) => d.kind === 'file').map((d) => [d.path, d]));
  const relocated = new Set(placement.relocated);
  const writes: InPlaceWrite[] = [];
  const entries = merged.map((e): SessionEntry => {
    if (e.kind !== 'file') return e;
    const prev = oldFiles.get(e.path);
    const mode = e.mode === undefined ? {} : { mode: e.mode };
    if ('extent' in e && e.extent !== undefined) {
      const x = extensions.get(e.path);
      const growth = placement.grown.get(e.path);
      if (x?.tail && growth?.at === 'end') {
        writes.push({ offset: e.extent * BLOCK + e.size, bytes: x.tail, padTo: blocksOf(e.size + x.tail.length) * BLOCK - e.size });
        return { ...e, size: e.size + x.tail.length };
      }
      if (x?.head && growth?.at === 'start') {
        writes.push({ offset: growth.lba * BLOCK, bytes: x.head, padTo: growth.headBlocks * BLOCK });
        return { ...e, extent: growth.lba, size: growth.headBlocks * BLOCK + e.size };
      }
      if (x) {
        // The new session: the old data with the tail after it, or the zero-padded head before it.
        const body = oldData(old.path, e.extent, e.size);
        const before = x.tail ? [] : [x.head as Buffer, Buffer.alloc(blocksOf(x.head!.length) * BLOCK - x.head!.length)];
        const after = x.tail ? [x.tail] : [];
        const size = before.reduce((n, b) => n + b.length, 0) + e.size + after.reduce((n, b) => n + b.length, 0);
        const source = () =>
          Readable.from(
            (async function* () {
              yield* before;
              for await (const c of body() as AsyncIterable<Buffer>) yield c;
              yield* after;
            })(),
          );
        return { path: e.path, kind: 'file', size, source, ...mode };
      }
      if (relocated.has(e.path)) return { path: e.path, kind: 'file', size: e.size, source: oldData(old.path, e.extent, e.size), ...mode };
      return e;
    }
    const lba = placement.inPlace.get(e.path);
    if (lba === undefined || !prev) return e;
    const boot = moved.find((m) => m.path === e.path);
    const withTable = boot ? withBootInfoTable(e, [boot]) : e;
    if (withTable.kind !== 'file' || 'extent' in withTable) return e;
    writes.push({ offset: lba * BLOCK, file: { path: e.path, size: e.size, source: withTable.source, extent: lba } });
    const placed: PlacedEntry = { path: e.path, kind: 'file', size: e.size, extent: lba, ...mode };
    return placed;
  });
  writes.sort((a, b) => a.offset - b.offset);
  return { entries, writes };
}

export async function writeSession(input: string, output: string, tmp: string, copy: RunningCopy, changes: AppendChanges, options: AppendOptions): Promise<IsoWritten> {
  if (options.volumeId !== undefined) validateOptions({ volumeId: options.volumeId, epoch: options.epoch });
  const old = await readOldImage(input);
  const extensions = checkExtensions(old, changes);
  const files = changes.files ?? [];
  if (!old.volume.rockRidge && old.joliet === undefined) checkPlainNames(files, old, input);
  const merged = mergeSession(keptEntries(old.entries, input), files, changes.remove ?? [], input);
  const keptPaths = new Set(merged.filter((e) => e.kind === 'file' && 'extent' in e).map((e) => e.path));
  const oldFiles = old.entries.filter((d) => d.kind === 'file' && d.size > 0);
  const bootLbas = new Set((old.catalog?.entries ?? []).map((r) => r.loadLba));
  const placement = planPlacement({
    files: oldFiles.map((d) => ({ path: d.path, lba: d.extents[0].lba, size: d.size })),
    fixed: fixedBlocks(old),
    keepEnd: old.keepEnd,
    released: oldFiles.filter((d) => !keptPaths.has(d.path)).map((d) => d.path),
    replacements: files
      .filter((c) => c.kind === 'file')
      .map((c) => ({ path: norm(c.path), size: c.size }))
      .filter((c) => oldFiles.some((d) => d.path === c.path))
      .map((c) => ({ ...c, bootImage: bootLbas.has(oldFiles.find((d) => d.path === c.path)!.extents[0].lba) })),
    extensions: [...extensions].map(([path, x]) => ({ path, ...(x.tail ? { tail: x.tail.length } : {}), ...(x.head ? { head: x.head.length } : {}) })),
  });
  const boots = await replacedBootImages(old, files);
  for (const b of boots) {
    const lba = placement.inPlace.get(b.path);
    if (lba !== undefined) b.newLba = lba;
  }
  const moved = boots.filter((b) => !placement.inPlace.has(b.path));
  const placed = placeEntries(old, merged, extensions, placement, boots);
  const catalogBlocks = moved.length > 0 && old.catalog ? old.catalog.bytes.length / BLOCK : 0;
  const catalogLba = placement.sessionStart;
  const entries = catalogBlocks > 0 ? repointCatalogFile(placed.entries, old, catalogLba) : placed.entries;
  const withInfoTables = entries.map((e) => withBootInfoTable(e, moved));
  const plan = planLayout(withInfoTables, { volumeId: options.volumeId ?? 'APPENDED', epoch: options.epoch }, {
    start: placement.sessionStart + catalogBlocks,
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
  const progress = monotonic(options.onProgress);
  await waitForCopy(copy, input, tail.totalBytes, progress);
  const fh = await fsp.open(tmp, 'r+');
  const sink = new ImageSink(fh, output, tail.totalBytes, progress, []);
  try {
    await sink.put(tail.systemArea);
    await sink.put(head);
    for (const w of placed.writes) {
      await sink.skip(w.offset - sink.offset);
      if ('file' in w) await writeFileData(w.file, sink);
      else {
        await sink.put(w.bytes);
        await sink.zeros(w.padTo - w.bytes.length);
      }
    }
    await sink.skip(placement.sessionStart * BLOCK - sink.offset);
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
    await fh.truncate(tail.totalBytes);
    return { bytes: result.bytes };
  } finally {
    await sink.close();
    await fh.close();
  }
}

/**
 * An image with ISO 9660 names only keeps them in its new session (a Rock Ridge or Joliet tree
 * in the last session would change how Linux and the boot loaders match every old name: with
 * case, where they matched without). There a new name must be one the host shows as itself:
 * `packages.acme-fw/XS-REPOSITORY` would be seen as `packages_acme_fw/xs_repository`, and a
 * symbolic link cannot be recorded at all.
 * docs/security.md, "Known limits".
 */
function checkPlainNames(files: readonly IsoEntry[], old: OldImage, input: string): void {
  const oldPaths = new Set(old.entries.map((e) => e.path));
  const why = 'expected an image with Rock Ridge or Joliet names, as installers are mastered (xorriso -as mkisofs -R -J)';
  for (const f of files) {
    const parts = norm(f.path).split('/');
    if (f.kind === 'symlink' && !oldPaths.has(parts.join('/'))) {
      throw new SuppackError(`has ISO 9660 names only (no Rock Ridge or Joliet), which cannot record the symbolic link ${parts.join('/')}: ${why}`, { file: input });
    }
    const seen = parts.map((part, i) => {
      const path = parts.slice(0, i + 1).join('/');
      return oldPaths.has(path) ? part : plainNameAsMounted(part, i < parts.length - 1 || f.kind === 'dir');
    });
    if (seen.some((s, i) => s !== parts[i])) {
      throw new SuppackError(`has ISO 9660 names only (no Rock Ridge or Joliet), where a host would see ${parts.join('/')} as ${seen.join('/')}: ${why}`, { file: input });
    }
  }
}

/** Progress that never goes back: the copy's, then the writes' over and after it. */
function monotonic(report: AppendOptions['onProgress']): AppendOptions['onProgress'] {
  if (!report) return undefined;
  let high = -1;
  return (p) => {
    if (p.written < high) return;
    high = p.written;
    report(p);
  };
}

async function waitForCopy(copy: RunningCopy, input: string, total: number, progress: AppendOptions['onProgress']): Promise<void> {
  const timer = progress ? setInterval(() => void copy.copied().then((written) => progress({ written: Math.min(written, total), total })), COPY_POLL_MS) : undefined;
  try {
    await copy.done.catch((e: unknown) => {
      throw new SuppackError(`cannot copy: ${String((e as Error).message)}`, { file: input });
    });
  } finally {
    if (timer) clearInterval(timer);
  }
}

function expectOffset(sink: ImageSink, offset: number, what: string): void {
  if (sink.offset !== offset) throw new Error(`appendSession out of step at ${what}: at byte ${sink.offset}, planned ${offset}`);
}

/** Boot images (catalog entries) whose file a change replaces with a new file. */
async function replacedBootImages(old: OldImage, changes: readonly IsoEntry[]): Promise<MovedBoot[]> {
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
    if (typeof source === 'string') return readInputFile(source);
    if (isFilePart(source)) return Buffer.concat([source.prefix, (await readInputFile(source.path)).subarray(source.from)]);
    if (isDeferred(source)) throw new Error('an appended session has no deferred files');
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
  const coversTail = old.volume.volumeSpaceBlocks * BLOCK >= old.size;
  const volumeBlocks = coversTail ? totalBytes / BLOCK : plan.totalBlocks;
  const growth: Growth = {
    oldBytes: old.size,
    newBytes: totalBytes,
    isoEnd: old.isoEnd * BLOCK,
    volumeEnd: { old: old.volume.volumeSpaceBlocks * BLOCK, new: volumeBlocks * BLOCK },
    moved: moved.map((m) => ({ oldLba: m.oldLba, newLba: m.newLba, newBytes: m.newSize })),
  };
  const grown = growSystemArea(old.systemArea, growth);
  const bios = moved.find((m) => m.bootInfoTable);
  if (bios && grown.systemArea.readUInt32LE(432) === bios.oldLba * 4 && decodeMbr(grown.systemArea)) {
    // isohybrid MBR code: bytes 432-435 hold the isolinux.bin LBA in 512-byte sectors (docs/formats/containers.md §1.9).
    grown.systemArea.writeUInt32LE(bios.newLba * 4, 432);
  }
  const b = grown.backupGpt;
  if (b && (b.offset < plan.totalBytes || b.offset + b.bytes.length > totalBytes)) {
    throw new SuppackError(`the backup GPT of the input is not at its end (header at LBA ${gpt?.backupLba})`, { file: old.path, field: 'GPT header' });
  }
  return { totalBytes, volumeBlocks, systemArea: grown.systemArea, ...(b ? { backupGpt: b } : {}) };
}

function writeVolumeId(vd: Buffer, id: string, ucs2: boolean): void {
  const { offset, size } = VD.volumeId;
  vd.fill(0, offset, offset + size);
  if (!ucs2) {
    vd.fill(0x20, offset, offset + size);
    vd.write(id, offset, 'latin1');
    return;
  }
  const s = id.slice(0, size / 2).padEnd(size / 2, ' ');
  for (let i = 0; i < size / 2; i++) vd.writeUInt16BE(s.charCodeAt(i), offset + 2 * i);
}

// ECMA-119 8.4 / 8.5: the input's PVD or SVD with the new volume space size, path tables and root.
function patchDescriptor(vd: Buffer, plan: IsoPlan, joliet: boolean, volumeBlocks: number, volumeId: string | undefined): Buffer {
  const out = Buffer.from(vd);
  const table = joliet ? plan.detail.jolietPathTable : plan.detail.isoPathTable;
  writeBoth32(out, VD.volumeSpaceSize.offset, volumeBlocks);
  writeBoth32(out, VD.pathTableSize.offset, table.size);
  out.writeUInt32LE(table.l, VD.typeLPathTable.offset);
  out.writeUInt32LE(0, VD.optionalTypeLPathTable.offset);
  out.writeUInt32BE(table.m, VD.typeMPathTable.offset);
  out.writeUInt32BE(0, VD.optionalTypeMPathTable.offset);
  encodeRootRecord(plan, joliet).copy(out, VD.rootDirectoryRecord.offset, 0, VD.rootDirectoryRecord.size);
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
