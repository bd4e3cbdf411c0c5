/**
 * Pure: file tree → block allocation and the bytes of every metadata block (volume descriptors,
 * path tables, ISO and Joliet directories, SUSP continuation areas). File data is streamed by
 * the writer; this module only says where each file goes.
 *
 * Image layout (2048-byte blocks):
 *   0–15   System Area (zeros, or options.systemArea)
 *   16     PVD, then the other volume descriptors (see `descriptorKinds`)
 *   …      path tables: ISO L, ISO M, Joliet L, Joliet M
 *   …      ISO directories in path table order, each followed by its Rock Ridge continuation
 *          (CE) blocks, if any (libarchive only reads a CE area met right after its directory)
 *   …      Joliet directories
 *   …      file data, sorted by image path
 *   end    150 blocks (300 KiB) of zeros, like `mkisofs -pad`; empty files and symlinks point here
 */
import {
  BLOCK,
  FLAG_DIRECTORY,
  MAX_RECORD,
  SYSTEM_AREA_BLOCKS,
  encodeDate7,
  encodeDirRecord,
  encodePathTableRecord,
  encodeTerminator,
  encodeVolumeDescriptor,
  pathTableRecordLength,
  recordBaseLength,
  recordLength,
} from './encode';
import { CE_LENGTH, encodeCE, encodeER, encodeNM, encodePX, encodeSL, encodeSP, encodeTF } from './rockridge';
import {
  type DirNode,
  type FileDigestRequest,
  type FileNode,
  type FileSource,
  type IsoEntry,
  isDeferred,
  type IsoOptions,
  type PlacedEntry,
  type TreeNode,
  buildTree,
  validateOptions,
} from './tree';
import { compareCodeUnits } from './names';

/** Zero blocks appended at the end, like `mkisofs -pad` (300 KiB) for old drives' read-ahead. */
export const PAD_BLOCKS = 150;

/** One file's place in the image, in data order. */
export interface PlannedFile {
  path: string;
  size: number;
  source: FileSource;
  digests?: readonly FileDigestRequest[];
  /** First block of the data; files are contiguous and zero-padded to a whole block. */
  extent: number;
}

/** A piece of a Rock Ridge continuation area; `block` is relative to its directory's CE blocks. */
interface CePiece {
  entries: Buffer[];
  length: number;
  block: number;
  offset: number;
  next: CePiece | null;
}

interface RecordPlan {
  /** Node whose extent and size the record describes. */
  node: TreeNode;
  id: Buffer;
  systemUse: Buffer[];
  ce: CePiece | null;
  length: number;
}

interface DirPlan {
  records: RecordPlan[];
  size: number;
  extent: number;
  /** Continuation areas of this directory's records (ISO tree only), placed after its extent. */
  ce: CeAllocator | null;
}

export interface IsoPlan {
  readonly volumeId: string;
  readonly applicationId: string;
  readonly publisherId: string;
  readonly systemId: string;
  readonly epoch: number;
  readonly systemArea: Buffer | undefined;
  readonly totalBlocks: number;
  readonly totalBytes: number;
  /** First block after the metadata: where file data starts. */
  readonly dataStart: number;
  /** Files with data, in the order their data is written. */
  readonly files: readonly PlannedFile[];
  readonly root: DirNode;
  /** @internal layout details consumed by encodeMetadata. */
  readonly detail: {
    isoDirs: DirNode[];
    jolietDirs: DirNode[];
    iso: Map<DirNode, DirPlan>;
    joliet: Map<DirNode, DirPlan>;
    isoPathTable: { size: number; l: number; m: number };
    jolietPathTable: { size: number; l: number; m: number };
    fileExtent: Map<FileNode, number>;
    emptyExtent: number;
  };
}

/**
 * Volume descriptors in order from LBA 16. The only place that fixes their positions: an
 * El Torito boot record must go right after the PVD, at LBA 17 (El Torito 1.0 §2.0).
 */
export function descriptorKinds(): Array<'primary' | 'joliet' | 'terminator'> {
  return ['primary', 'joliet', 'terminator'];
}

/** Directories in path table order (ECMA-119 6.9.1: level, parent number, identifier). */
function pathTableOrder(root: DirNode, joliet: boolean): DirNode[] {
  const out: DirNode[] = [root];
  for (let i = 0; i < out.length; i++) {
    for (const c of joliet ? out[i].jolietChildren : out[i].children) if (c.kind === 'dir') out.push(c);
  }
  return out;
}

function nlink(node: TreeNode): number {
  return node.kind === 'dir' ? 2 + node.children.filter((c) => c.kind === 'dir').length : 1;
}

class CeAllocator {
  readonly pieces: CePiece[] = [];
  private block = 0;
  private offset = 0;

  /** Lay `entries` out as a chain of pieces, each within one block (Linux wants offset+length ≤ 2048). */
  allocate(entries: Buffer[]): CePiece {
    let rest = entries;
    let first: CePiece | null = null;
    let prev: CePiece | null = null;
    while (rest.length > 0) {
      const total = rest.reduce((n, e) => n + e.length, 0);
      let take = rest.length;
      let length = total;
      if (total > BLOCK) {
        // Fill the block, keeping room for the CE entry that points at the next piece.
        length = CE_LENGTH;
        take = 0;
        while (length + rest[take].length <= BLOCK) length += rest[take++].length;
      }
      if (this.offset + length > BLOCK) {
        this.block++;
        this.offset = 0;
      }
      const piece: CePiece = { entries: rest.slice(0, take), length, block: this.block, offset: this.offset, next: null };
      this.offset += length;
      this.pieces.push(piece);
      if (prev) prev.next = piece;
      else first = piece;
      prev = piece;
      rest = rest.slice(take);
    }
    return first as CePiece;
  }

  get blocks(): number {
    return this.offset === 0 ? this.block : this.block + 1;
  }
}

/** Split System Use entries between the record (≤ 255 bytes, even) and a continuation area. */
function planRecord(node: TreeNode, id: Buffer, entries: Buffer[], ce: CeAllocator): RecordPlan {
  const room = MAX_RECORD - 1 - recordBaseLength(id.length);
  let used = entries.reduce((n, e) => n + e.length, 0);
  if (used <= room) return { node, id, systemUse: entries, ce: null, length: recordLength(id.length, used) };
  let keep = 0;
  used = CE_LENGTH;
  while (keep < entries.length && used + entries[keep].length <= room) {
    used += entries[keep].length;
    keep++;
  }
  const piece = ce.allocate(entries.slice(keep));
  return { node, id, systemUse: entries.slice(0, keep), ce: piece, length: recordLength(id.length, used) };
}

function rockRidge(node: TreeNode, epoch: number): Buffer[] {
  return [encodePX(node.mode, nlink(node)), encodeTF(epoch)];
}

function isoDirPlan(dir: DirNode, epoch: number, rr: boolean): DirPlan {
  const ce = new CeAllocator();
  const dot = [...(dir.parent === null ? [encodeSP()] : []), ...rockRidge(dir, epoch), ...(dir.parent === null ? [encodeER()] : [])];
  const parent = dir.parent ?? dir;
  const records = [
    planRecord(dir, Buffer.from([0]), rr ? dot : [], ce),
    planRecord(parent, Buffer.from([1]), rr ? rockRidge(parent, epoch) : [], ce),
  ];
  for (const c of dir.children) {
    const su = rr ? [...rockRidge(c, epoch), ...encodeNM(c.rrName), ...(c.kind === 'symlink' ? encodeSL(c.target) : [])] : [];
    records.push(planRecord(c, c.isoId, su, ce));
  }
  return { records, size: packedSize(records), extent: 0, ce };
}

function jolietDirPlan(dir: DirNode): DirPlan {
  const rec = (node: TreeNode, id: Buffer): RecordPlan => ({ node, id, systemUse: [], ce: null, length: recordLength(id.length, 0) });
  const records = [rec(dir, Buffer.from([0])), rec(dir.parent ?? dir, Buffer.from([1]))];
  for (const c of dir.jolietChildren) records.push(rec(c, c.jolietId));
  return { records, size: packedSize(records), extent: 0, ce: null };
}

/** ECMA-119 6.8.1.1: records never cross a block boundary; the size is whole blocks. */
function packedSize(records: RecordPlan[]): number {
  let pos = 0;
  for (const r of records) {
    if ((pos % BLOCK) + r.length > BLOCK) pos += BLOCK - (pos % BLOCK);
    pos += r.length;
  }
  return blocksFor(pos) * BLOCK;
}

function blocksFor(bytes: number): number {
  return Math.ceil(bytes / BLOCK);
}

function pathTableSize(dirs: DirNode[], joliet: boolean): number {
  return dirs.reduce((n, d) => n + pathTableRecordLength(d.parent === null ? 1 : (joliet ? d.jolietId : d.isoId).length), 0);
}

/** Validate entries and options and allocate every block; pure, throws SuppackError. */
export function planIso(entries: IsoEntry[], options: IsoOptions): IsoPlan {
  return planLayout(entries, options, { start: SYSTEM_AREA_BLOCKS + descriptorKinds().length, joliet: true, rockRidge: true });
}

/** Where the metadata goes and which trees it has: a fresh image, or a session appended to one. */
export interface LayoutShape {
  /** First block of the path tables; the directories, then the new file data follow. */
  start: number;
  joliet: boolean;
  rockRidge: boolean;
}

/**
 * planIso generalised for appended sessions: `entries` may hold PlacedEntry files, whose data is
 * already in the image (they get no block here), and the metadata starts at `shape.start`.
 */
export function planLayout(entries: ReadonlyArray<IsoEntry | PlacedEntry>, options: IsoOptions, shape: LayoutShape): IsoPlan {
  validateOptions(options);
  const root = buildTree(entries, { joliet: shape.joliet });
  const epoch = options.epoch;
  const isoDirs = pathTableOrder(root, false);
  const jolietDirs = shape.joliet ? pathTableOrder(root, true) : [];
  const iso = new Map(isoDirs.map((d) => [d, isoDirPlan(d, epoch, shape.rockRidge)] as const));
  const joliet = new Map(jolietDirs.map((d) => [d, jolietDirPlan(d)] as const));

  let lba = shape.start;
  const table = (size: number) => {
    const l = lba;
    lba += blocksFor(size);
    const m = lba;
    lba += blocksFor(size);
    return { size, l, m };
  };
  const isoPathTable = table(pathTableSize(isoDirs, false));
  const jolietPathTable = table(pathTableSize(jolietDirs, true));
  for (const plans of [iso, joliet]) {
    for (const p of plans.values()) {
      p.extent = lba;
      lba += p.size / BLOCK + (p.ce?.blocks ?? 0);
    }
  }
  const dataStart = lba;

  const all: FileNode[] = [];
  const collect = (d: DirNode): void => {
    for (const c of d.children) {
      if (c.kind === 'dir') collect(c);
      else if (c.kind === 'file' && c.size > 0) all.push(c);
    }
  };
  collect(root);
  // Data in path order, except deferred files' (tree.ts DeferredSource), which goes after the rest.
  all.sort((a, b) => Number(isDeferred(a.source)) - Number(isDeferred(b.source)) || compareCodeUnits(a.path, b.path));
  const fileExtent = new Map<FileNode, number>();
  for (const f of all) if (f.extent !== undefined) fileExtent.set(f, f.extent);
  const files: PlannedFile[] = [];
  for (const f of all) {
    if (f.extent !== undefined) continue;
    fileExtent.set(f, lba);
    files.push({ path: f.path, size: f.size, source: f.source, extent: lba, ...(f.digests ? { digests: f.digests } : {}) });
    lba += blocksFor(f.size);
  }
  const emptyExtent = lba;
  const totalBlocks = lba + PAD_BLOCKS;
  return {
    volumeId: options.volumeId,
    applicationId: options.applicationId ?? '',
    publisherId: options.publisherId ?? '',
    systemId: options.systemId ?? 'LINUX',
    epoch,
    systemArea: options.systemArea,
    totalBlocks,
    totalBytes: totalBlocks * BLOCK,
    dataStart,
    files,
    root,
    detail: {
      isoDirs,
      jolietDirs,
      iso,
      joliet,
      isoPathTable,
      jolietPathTable,
      fileExtent,
      emptyExtent,
    },
  };
}

/** Extent and size a record points at in one of the two trees. */
function target(plan: IsoPlan, tree: Map<DirNode, DirPlan>, node: TreeNode): { extent: number; size: number } {
  if (node.kind === 'dir') {
    const d = tree.get(node) as DirPlan;
    return { extent: d.extent, size: d.size };
  }
  if (node.kind === 'file' && node.size > 0) return { extent: plan.detail.fileExtent.get(node) as number, size: node.size };
  return { extent: plan.detail.emptyExtent, size: 0 };
}

/** CE entry pointing at piece `p` of the directory `dir`, whose CE blocks follow its extent. */
function cePointer(dir: DirPlan, p: CePiece): Buffer {
  return encodeCE(dir.extent + dir.size / BLOCK + p.block, p.offset, p.length);
}

/** A directory's extent followed by its CE blocks. */
function encodeDir(plan: IsoPlan, tree: Map<DirNode, DirPlan>, dir: DirPlan): Buffer {
  const out = Buffer.alloc(dir.size + (dir.ce?.blocks ?? 0) * BLOCK);
  const date = encodeDate7(plan.epoch);
  let pos = 0;
  for (const r of dir.records) {
    if ((pos % BLOCK) + r.length > BLOCK) pos += BLOCK - (pos % BLOCK);
    const su = Buffer.concat(r.ce ? [...r.systemUse, cePointer(dir, r.ce)] : r.systemUse);
    const t = target(plan, tree, r.node);
    const flags = r.node.kind === 'dir' ? FLAG_DIRECTORY : 0;
    const bytes = encodeDirRecord({ extent: t.extent, size: t.size, date, flags, id: r.id, systemUse: su });
    bytes.copy(out, pos);
    pos += bytes.length;
  }
  for (const p of dir.ce?.pieces ?? []) {
    const bytes = Buffer.concat(p.next ? [...p.entries, cePointer(dir, p.next)] : p.entries);
    bytes.copy(out, dir.size + p.block * BLOCK + p.offset);
  }
  return out;
}

function encodePathTable(plan: IsoPlan, dirs: DirNode[], tree: Map<DirNode, DirPlan>, joliet: boolean, little: boolean): Buffer {
  const size = (joliet ? plan.detail.jolietPathTable : plan.detail.isoPathTable).size;
  const out = Buffer.alloc(blocksFor(size) * BLOCK);
  const number = new Map<DirNode, number>(dirs.map((d, i) => [d, i + 1]));
  let pos = 0;
  for (const d of dirs) {
    const id = d.parent === null ? Buffer.from([0]) : joliet ? d.jolietId : d.isoId;
    const parent = number.get(d.parent ?? d) as number;
    pos += encodePathTableRecord({ id, extent: (tree.get(d) as DirPlan).extent, parent }, little).copy(out, pos);
  }
  return out;
}

/** The 34-byte root directory record of the ISO or Joliet tree, for a volume descriptor. */
export function encodeRootRecord(plan: IsoPlan, joliet: boolean): Buffer {
  const rootPlan = (joliet ? plan.detail.joliet : plan.detail.iso).get(plan.root) as DirPlan;
  return encodeDirRecord({
    extent: rootPlan.extent,
    size: rootPlan.size,
    date: encodeDate7(plan.epoch),
    flags: FLAG_DIRECTORY,
    id: Buffer.from([0]),
  });
}

function encodeDescriptor(plan: IsoPlan, kind: 'primary' | 'joliet' | 'terminator'): Buffer {
  if (kind === 'terminator') return encodeTerminator();
  const joliet = kind === 'joliet';
  const table = joliet ? plan.detail.jolietPathTable : plan.detail.isoPathTable;
  const root = encodeRootRecord(plan, joliet);
  return encodeVolumeDescriptor({
    type: joliet ? 2 : 1,
    systemId: plan.systemId,
    volumeId: joliet ? plan.volumeId.slice(0, 16) : plan.volumeId,
    volumeSetId: '',
    publisherId: plan.publisherId,
    preparerId: '',
    applicationId: plan.applicationId,
    escape: joliet ? '%/E' : '',
    volumeBlocks: plan.totalBlocks,
    pathTableSize: table.size,
    lPathTable: table.l,
    mPathTable: table.m,
    root,
    epoch: plan.epoch,
  });
}

/**
 * The metadata blocks from LBA 16 up to `plan.dataStart`, in order, as a few buffers (one per
 * descriptor, path table and directory with its CE blocks). Memory grows with the number of entries
 * in one directory, never with file sizes.
 */
export function* encodeMetadata(plan: IsoPlan): Generator<Buffer> {
  for (const kind of descriptorKinds()) yield encodeDescriptor(plan, kind);
  yield* encodeTables(plan);
}

/** Path tables and directories (with their CE blocks), from the path tables' first block on. */
export function* encodeTables(plan: IsoPlan): Generator<Buffer> {
  const d = plan.detail;
  yield encodePathTable(plan, d.isoDirs, d.iso, false, true);
  yield encodePathTable(plan, d.isoDirs, d.iso, false, false);
  yield encodePathTable(plan, d.jolietDirs, d.joliet, true, true);
  yield encodePathTable(plan, d.jolietDirs, d.joliet, true, false);
  for (const dir of d.isoDirs) yield encodeDir(plan, d.iso, d.iso.get(dir) as DirPlan);
  for (const dir of d.jolietDirs) yield encodeDir(plan, d.joliet, d.joliet.get(dir) as DirPlan);
}
