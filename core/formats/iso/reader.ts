/**
 * ISO 9660 reader: volume descriptors, the directory tree (Rock Ridge, Joliet or plain ISO names)
 * and streamed file contents. Directories are read sector-wise through a FileHandle; the image is
 * never read whole. Every structure read from the image is bounded (see IsoLimits), so a hostile
 * image fails with a one-line SuppackError naming the image instead of hanging or exhausting memory.
 */
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { SuppackError, describeNodeError, isNodeError, withFileAsync } from '../../base/errors';
import {
  DIR_FLAG,
  FIRST_DESCRIPTOR_LBA,
  NM_FLAG,
  RR_SIGNATURES,
  SECTOR_SIZE,
  SL_FLAG,
  type DirRecord,
  type SlComponent,
  type VolumeFields,
  cleanIsoName,
  decodeCE,
  decodeDirRecord,
  decodeER,
  decodeNM,
  decodePX,
  decodeSL,
  decodeSP,
  decodeSuspEntries,
  decodeUcs2Be,
  decodeVolumeDescriptor,
  hasDescriptorId,
  isSelfOrParent,
  joinSymlinkComponents,
  u733,
} from './decode';
import { openInput } from '../../base/open-input';

export interface IsoDirent {
  /** POSIX path from the root, no leading slash, e.g. 'packages/foo.rpm' ('' for the root). */
  path: string;
  /** Rock Ridge name if present, else Joliet, else ISO name with ';1' and a trailing '.' stripped. */
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  /** Bytes (sum of all extents for multi-extent files). */
  size: number;
  /** st_mode from Rock Ridge PX, when present. */
  mode?: number;
  /** Symlink target from Rock Ridge SL. */
  target?: string;
  extents: Array<{ lba: number; length: number }>;
}

export interface IsoVolume {
  path: string;
  volumeId: string;
  systemId: string;
  publisherId: string;
  applicationId: string;
  dataPreparerId: string;
  volumeSpaceBlocks: number;
  blockSize: number;
  rockRidge: boolean;
  joliet: boolean;
  /** From an El Torito boot record, when present. */
  bootCatalogLba?: number;
  /** PVD creation date as ISO 8601 in UTC (`2023-11-14T22:13:20.000Z`); absent when unset. */
  creationDate?: string;
}

export interface IsoImage {
  volume: IsoVolume;
  /** Every entry except the root, depth-first, siblings sorted by name. */
  entries(): IsoDirent[];
  /** '' or '/' gives the root directory. */
  lookup(path: string): IsoDirent | undefined;
  readdir(path: string): IsoDirent[];
  /** Streams the extents in 64 KiB reads; never buffers the whole file. */
  createReadStream(path: string | IsoDirent): NodeJS.ReadableStream;
  /** Whole file in memory, for small metadata files; fails when it is larger than maxBytes (16 MiB). */
  readFile(path: string, maxBytes?: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Bounds applied while reading an untrusted image. */
export interface IsoLimits {
  maxDescriptors: number;
  maxDirectoryBytes: number;
  maxTotalDirectoryBytes: number;
  maxDepth: number;
  maxEntries: number;
  /** CE continuation areas followed for one directory record. */
  maxContinuations: number;
  maxNameBytes: number;
  maxSymlinkBytes: number;
}

export const DEFAULT_ISO_LIMITS: IsoLimits = {
  maxDescriptors: 64,
  maxDirectoryBytes: 64 * 1024 * 1024,
  maxTotalDirectoryBytes: 1024 * 1024 * 1024,
  maxDepth: 256,
  maxEntries: 1_000_000,
  maxContinuations: 32,
  maxNameBytes: 1024,
  maxSymlinkBytes: 4096,
};

export interface OpenIsoOptions {
  /** Which names and tree to use; 'auto' = Rock Ridge, else Joliet, else ISO 9660 names. */
  names?: 'auto' | 'rockridge' | 'joliet' | 'iso9660';
  /** Tighter or looser bounds for untrusted images (mainly for tests). */
  limits?: Partial<IsoLimits>;
}

const DEFAULT_READ_FILE_MAX = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const RR_ER_IDS = new Set(['RRIP_1991A', 'IEEE_P1282', 'IEEE_1282']);

export async function openIso(path: string, options: OpenIsoOptions = {}): Promise<IsoImage> {
  const limits = { ...DEFAULT_ISO_LIMITS, ...options.limits };
  return withFileAsync(path, async () => {
    const fh = await openInput(path);
    try {
      const size = (await fh.stat()).size;
      const src = new Source(fh, size, path);
      return await load(src, options.names ?? 'auto', limits);
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  });
}

/** Bounded positional reads from the image; every error names the image. */
class Source {
  closed = false;
  private ceCache = new Map<number, Buffer>();
  /** CE continuation areas followed so far, and their bytes: bounded by the image's size. */
  private ceHops = 0;
  private ceBytes = 0;

  constructor(
    readonly fh: fsp.FileHandle,
    readonly size: number,
    readonly path: string,
  ) {}

  fail(what: string, field?: string): SuppackError {
    return new SuppackError(what, { file: this.path, field });
  }

  async read(pos: number, length: number, what: string): Promise<Buffer> {
    if (this.closed) throw this.fail('the image is closed', what);
    if (pos + length > this.size) {
      throw this.fail(`bytes ${pos}-${pos + length} lie beyond the end of the image (${this.size} bytes): truncated image`, what);
    }
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.fh.read(buf, done, length - done, pos + done));
      } catch (e) {
        throw isNodeError(e) ? this.fail(`cannot read: ${describeNodeError(e)}`, what) : e;
      }
      if (n === 0) throw this.fail(`unexpected end of file at byte ${pos + done}: truncated image`, what);
      done += n;
    }
    return buf;
  }

  /** SUSP 5.1: a continuation area must lie inside one sector (as Linux requires). */
  async continuation(ce: { lba: number; offset: number; length: number }, what: string): Promise<Buffer> {
    if (ce.offset + ce.length > SECTOR_SIZE) {
      throw this.fail(`CE continuation area (offset ${ce.offset}, length ${ce.length}) crosses its sector`, what);
    }
    // A real image's continuation areas are distinct bytes of it: all of them together fit in the
    // image. Chains that revisit the same sectors from record after record would make the work
    // grow far beyond the input (issue 19 item 7), so the total is bounded by the image's size.
    this.ceHops++;
    this.ceBytes += ce.length;
    const hopBudget = Math.max(4096, Math.floor(this.size / 64));
    const byteBudget = this.size + (1 << 20);
    if (this.ceHops > hopBudget || this.ceBytes > byteBudget) {
      throw this.fail(
        `CE continuation areas followed add up to more than an image of ${this.size} bytes can hold (${this.ceHops} areas, ${this.ceBytes} bytes): not a sound Rock Ridge image`,
        what,
      );
    }
    let block = this.ceCache.get(ce.lba);
    if (!block) {
      block = await this.read(ce.lba * SECTOR_SIZE, SECTOR_SIZE, `${what}: CE continuation area at LBA ${ce.lba}`);
      if (this.ceCache.size >= 16) this.ceCache.clear();
      this.ceCache.set(ce.lba, block);
    }
    return block.subarray(ce.offset, ce.offset + ce.length);
  }
}

async function load(src: Source, names: NonNullable<OpenIsoOptions['names']>, limits: IsoLimits): Promise<IsoImage> {
  if (src.size === 0) throw src.fail('the file is empty, expected an ISO 9660 image');
  const pvdEnd = (FIRST_DESCRIPTOR_LBA + 1) * SECTOR_SIZE;
  if (src.size < pvdEnd) {
    throw src.fail(`the file is ${src.size} bytes, too small for an ISO 9660 image (no volume descriptor at LBA 16)`);
  }
  let primary: VolumeFields | undefined;
  let joliet: VolumeFields | undefined;
  let bootCatalogLba: number | undefined;
  let terminated = false;
  for (let i = 0; i < limits.maxDescriptors && !terminated; i++) {
    const lba = FIRST_DESCRIPTOR_LBA + i;
    const field = `volume descriptor at LBA ${lba}`;
    if ((lba + 1) * SECTOR_SIZE > src.size) throw src.fail('no volume descriptor set terminator before the end of the file', field);
    const block = await src.read(lba * SECTOR_SIZE, SECTOR_SIZE, field);
    if (!hasDescriptorId(block)) {
      throw src.fail(
        i === 0 ? 'not an ISO 9660 image: expected "CD001" at LBA 16' : 'expected "CD001" (or a set terminator before it)',
        field,
      );
    }
    const vd = decodeVolumeDescriptor(block);
    if (vd.type === 'terminator') terminated = true;
    else if (vd.type === 'primary') primary ??= vd.fields;
    else if (vd.type === 'supplementary' && vd.jolietLevel > 0) joliet ??= vd.fields;
    else if (vd.type === 'boot' && vd.elTorito) bootCatalogLba ??= vd.catalogLba;
  }
  if (!terminated) {
    throw src.fail(`no volume descriptor set terminator within ${limits.maxDescriptors} descriptors from LBA 16`);
  }
  if (!primary) throw src.fail('no primary volume descriptor (type 1)', 'volume descriptors');
  for (const [label, vd] of [['primary', primary], ['Joliet', joliet]] as const) {
    if (vd && vd.blockSize !== SECTOR_SIZE) {
      throw src.fail(`logical block size is ${vd.blockSize}, only ${SECTOR_SIZE} is supported`, `${label} volume descriptor`);
    }
  }
  const volumeBytes = primary.volumeSpaceBlocks * SECTOR_SIZE;
  if (volumeBytes > src.size) {
    throw src.fail(
      `volume space size is ${primary.volumeSpaceBlocks} blocks (${volumeBytes} bytes) but the file has only ${src.size} bytes: truncated image`,
      'primary volume descriptor',
    );
  }
  const rr = await detectRockRidge(src, primary.root, limits);
  let tree: 'rockridge' | 'joliet' | 'iso9660';
  if (names === 'auto') tree = rr.rockRidge ? 'rockridge' : joliet ? 'joliet' : 'iso9660';
  else tree = names;
  if (tree === 'rockridge' && !rr.rockRidge) throw src.fail('names "rockridge" requested but the image has no Rock Ridge entries');
  if (tree === 'joliet' && !joliet) throw src.fail('names "joliet" requested but the image has no Joliet volume descriptor');

  const root = tree === 'joliet' && joliet ? joliet.root : primary.root;
  const walker = new Walker(src, limits, tree, rr.skip);
  await walker.walk(root);
  const volume: IsoVolume = {
    path: src.path,
    volumeId: primary.volumeId,
    systemId: primary.systemId,
    publisherId: primary.publisherId,
    applicationId: primary.applicationId,
    dataPreparerId: primary.dataPreparerId,
    volumeSpaceBlocks: primary.volumeSpaceBlocks,
    blockSize: primary.blockSize,
    rockRidge: rr.rockRidge,
    joliet: joliet !== undefined,
    bootCatalogLba,
    creationDate: primary.creationDate,
  };
  if (volume.bootCatalogLba === undefined) delete volume.bootCatalogLba;
  if (volume.creationDate === undefined) delete volume.creationDate;
  return new Image(src, volume, walker);
}

interface SuspInfo {
  signatures: Set<string>;
  erIds: string[];
  name?: string;
  mode?: number;
  symlink?: SlComponent[];
  relocated: boolean;
  childLink?: number;
}

/** SUSP/RRIP entries of one record, following CE continuation areas (bounded, loop-checked). */
async function readSusp(src: Source, area: Buffer, limits: IsoLimits, where: string): Promise<SuspInfo> {
  const info: SuspInfo = { signatures: new Set(), erIds: [], relocated: false };
  const nameParts: Buffer[] = [];
  let nameBytes = 0;
  let nameDone = false;
  const sl: SlComponent[] = [];
  let slBytes = 0;
  let slDone = false;
  const seen = new Set<string>();
  for (let hops = 0; ; hops++) {
    let next: { lba: number; offset: number; length: number } | undefined;
    for (const e of decodeSuspEntries(area)) {
      info.signatures.add(e.sig);
      switch (e.sig) {
        case 'CE':
          next = decodeCE(e.body);
          break;
        case 'ER': {
          const er = decodeER(e.body);
          if (er) info.erIds.push(er.id);
          break;
        }
        case 'PX':
          info.mode ??= decodePX(e.body)?.mode;
          break;
        case 'NM': {
          const nm = decodeNM(e.body);
          if (!nm || nameDone) break;
          if (nm.flags & NM_FLAG.CURRENT) nameParts.push(Buffer.from('.'));
          else if (nm.flags & NM_FLAG.PARENT) nameParts.push(Buffer.from('..'));
          else nameParts.push(nm.name);
          nameBytes += nm.name.length;
          if (nameBytes > limits.maxNameBytes) {
            throw src.fail(`Rock Ridge name longer than ${limits.maxNameBytes} bytes`, where);
          }
          nameDone = (nm.flags & NM_FLAG.CONTINUE) === 0;
          break;
        }
        case 'SL': {
          if (slDone) break;
          const entry = decodeSL(e.body);
          for (const c of entry.components) {
            slBytes += c.bytes.length + 1;
            sl.push(c);
          }
          if (slBytes > limits.maxSymlinkBytes) {
            throw src.fail(`Rock Ridge symlink target longer than ${limits.maxSymlinkBytes} bytes`, where);
          }
          slDone = (entry.flags & SL_FLAG.CONTINUE) === 0;
          break;
        }
        case 'RE':
          info.relocated = true;
          break;
        case 'CL':
          if (e.body.length >= 8) info.childLink = u733(e.body, 0);
          break;
      }
    }
    if (!next || next.length === 0) break;
    const key = `${next.lba}:${next.offset}`;
    if (seen.has(key)) throw src.fail(`CE continuation loop (LBA ${next.lba} offset ${next.offset} visited twice)`, where);
    if (hops + 1 > limits.maxContinuations) throw src.fail(`more than ${limits.maxContinuations} CE continuation areas`, where);
    seen.add(key);
    area = await src.continuation(next, where);
  }
  if (nameParts.length > 0) info.name = Buffer.concat(nameParts).toString('utf8');
  if (sl.length > 0) info.symlink = sl;
  return info;
}

/** SUSP 5.3 / RRIP 5: SP in the root "." record, then an RRIP ER or any RR entry (as Linux does). */
async function detectRockRidge(src: Source, root: DirRecord, limits: IsoLimits): Promise<{ rockRidge: boolean; skip: number }> {
  const where = 'root directory "." record';
  if (root.dataLength === 0) return { rockRidge: false, skip: 0 };
  const block = await src.read(root.lba * SECTOR_SIZE, SECTOR_SIZE, where);
  const self = decodeDirRecord(block, 0, where);
  if (!self || !isSelfOrParent(self.id)) return { rockRidge: false, skip: 0 };
  const first = decodeSuspEntries(self.systemUse)[0];
  const sp = first?.sig === 'SP' ? decodeSP(first.body) : undefined;
  const info = await readSusp(src, self.systemUse, limits, where);
  const rrEntry = [...info.signatures].some((s) => RR_SIGNATURES.has(s));
  const rrEr = info.erIds.some((id) => RR_ER_IDS.has(id));
  return { rockRidge: (sp !== undefined && rrEr) || rrEntry, skip: sp?.skip ?? 0 };
}

interface PendingDir {
  path: string;
  lba: number;
  length: number;
  depth: number;
}

/** Walks one directory tree into a path map, bounded by IsoLimits. */
class Walker {
  readonly byPath = new Map<string, IsoDirent>();
  readonly children = new Map<string, IsoDirent[]>();
  private visited = new Map<number, string>();
  private dirBytes = 0;
  rootExtent = { lba: 0, length: 0 };

  constructor(
    private src: Source,
    private limits: IsoLimits,
    private tree: 'rockridge' | 'joliet' | 'iso9660',
    private skip: number,
  ) {}

  async walk(root: DirRecord): Promise<void> {
    const lba = root.lba + root.extAttrLength;
    this.visited.set(lba, '/');
    this.rootExtent = { lba, length: root.dataLength };
    const stack: PendingDir[] = [{ path: '', lba, length: root.dataLength, depth: 0 }];
    this.children.set('', []);
    for (let dir = stack.pop(); dir; dir = stack.pop()) {
      let group: { rec: DirRecord; extents: IsoDirent['extents'] } | undefined;
      for await (const { rec, where } of this.records(dir)) {
        if (isSelfOrParent(rec.id) || rec.flags & DIR_FLAG.ASSOCIATED) continue;
        const extent = this.extentOf(rec, where);
        if (group) {
          if (!rec.id.equals(group.rec.id)) {
            throw this.src.fail('a multi-extent file is not followed by a record with the same name', where);
          }
          group.extents.push(extent);
        } else {
          group = { rec, extents: [extent] };
        }
        if (rec.flags & DIR_FLAG.MULTI_EXTENT) continue;
        await this.add(dir, group.rec, group.extents, where, stack);
        group = undefined;
      }
      if (group) throw this.src.fail('the last extent of a multi-extent file is missing', `directory '/${dir.path}'`);
    }
  }

  private extentOf(rec: DirRecord, where: string): { lba: number; length: number } {
    if (rec.fileUnitSize !== 0 || rec.interleaveGap !== 0) throw this.src.fail('interleaved files are not supported', where);
    const lba = rec.lba + rec.extAttrLength;
    if (rec.flags & DIR_FLAG.DIRECTORY && rec.dataLength > this.limits.maxDirectoryBytes) {
      throw this.src.fail(`directory size ${rec.dataLength} bytes exceeds the ${this.limits.maxDirectoryBytes}-byte limit`, where);
    }
    if (rec.dataLength > 0 && lba * SECTOR_SIZE + rec.dataLength > this.src.size) {
      throw this.src.fail(
        `extent at LBA ${lba} (${rec.dataLength} bytes) lies beyond the end of the image (${this.src.size} bytes): truncated or corrupt image`,
        where,
      );
    }
    return { lba, length: rec.dataLength };
  }

  private async add(dir: PendingDir, rec: DirRecord, extents: IsoDirent['extents'], where: string, stack: PendingDir[]) {
    let name: string;
    let susp: SuspInfo | undefined;
    if (this.tree === 'rockridge') {
      susp = await readSusp(this.src, rec.systemUse.subarray(this.skip), this.limits, where);
      if (susp.relocated) return; // RRIP 4.1.5.3: shown at its CL placeholder instead
      name = susp.name ?? cleanIsoName(rec.id.toString('latin1'));
    } else if (this.tree === 'joliet') {
      name = decodeUcs2Be(rec.id).replace(/;\d*$/, '');
    } else {
      name = cleanIsoName(rec.id.toString('latin1'));
    }
    if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
      throw this.src.fail(`invalid name ${JSON.stringify(name)}: names must not be empty, "." or ".." nor contain "/" or NUL`, where);
    }
    const path = dir.path === '' ? name : `${dir.path}/${name}`;
    if (this.byPath.has(path)) throw this.src.fail(`two directory records give the same path '${path}'`, where);
    if (this.byPath.size >= this.limits.maxEntries) {
      throw this.src.fail(`more than ${this.limits.maxEntries} entries in the image`, where);
    }
    let isDir = (rec.flags & DIR_FLAG.DIRECTORY) !== 0;
    if (susp?.childLink !== undefined) {
      // RRIP 4.1.5.1: CL placeholder file for a relocated directory; its "." record has the size.
      const block = await this.src.read(susp.childLink * SECTOR_SIZE, SECTOR_SIZE, `${where}: CL directory`);
      const self = decodeDirRecord(block, 0, `${where}: CL directory "." record`);
      if (!self) throw this.src.fail(`CL points at LBA ${susp.childLink}, which holds no directory`, where);
      extents = [{ lba: susp.childLink, length: self.dataLength }];
      isDir = true;
    }
    const isLink = !isDir && (susp?.symlink !== undefined || (susp?.mode !== undefined && (susp.mode & S_IFMT) === S_IFLNK));
    const dirent: IsoDirent = {
      path,
      name,
      kind: isDir ? 'dir' : isLink ? 'symlink' : 'file',
      size: extents.reduce((n, e) => n + e.length, 0),
      extents,
    };
    if (susp?.mode !== undefined) dirent.mode = susp.mode;
    if (isLink) dirent.target = susp?.symlink ? joinSymlinkComponents(susp.symlink) : '';
    this.byPath.set(path, dirent);
    this.children.get(dir.path)?.push(dirent);
    if (!isDir) return;
    if (extents.length > 1) throw this.src.fail('a directory cannot have several extents', where);
    const depth = dir.depth + 1;
    if (depth > this.limits.maxDepth) throw this.src.fail(`directory tree deeper than ${this.limits.maxDepth} levels`, where);
    const { lba, length } = extents[0];
    const earlier = this.visited.get(lba);
    if (earlier !== undefined) {
      throw this.src.fail(`directory loop: '${path}' points at LBA ${lba}, already read as directory '${earlier}'`, where);
    }
    this.visited.set(lba, path);
    this.children.set(path, []);
    stack.push({ path, lba, length, depth });
  }

  /** ECMA-119 6.8.1: directory records never cross a sector; LEN_DR 0 pads to the next sector. */
  private async *records(dir: PendingDir): AsyncGenerator<{ rec: DirRecord; where: string }> {
    const label = `directory '/${dir.path}' at LBA ${dir.lba}`;
    if (dir.length > this.limits.maxDirectoryBytes) {
      throw this.src.fail(`directory size ${dir.length} bytes exceeds the ${this.limits.maxDirectoryBytes}-byte limit`, label);
    }
    this.dirBytes += dir.length;
    if (this.dirBytes > this.limits.maxTotalDirectoryBytes) {
      throw this.src.fail(`directories total more than ${this.limits.maxTotalDirectoryBytes} bytes`, label);
    }
    const start = dir.lba * SECTOR_SIZE;
    if (start + dir.length > this.src.size) {
      throw this.src.fail(`directory extent (${dir.length} bytes) lies beyond the end of the image (${this.src.size} bytes)`, label);
    }
    for (let pos = 0; pos < dir.length; pos += CHUNK) {
      const n = Math.min(CHUNK, dir.length - pos);
      const buf = await this.src.read(start + pos, n, label);
      for (let b = 0; b < n; b += SECTOR_SIZE) {
        const sector = buf.subarray(b, Math.min(b + SECTOR_SIZE, n));
        for (let off = 0; off < sector.length; ) {
          const where = `${label}, record at sector ${(pos + b) / SECTOR_SIZE} offset ${off}`;
          const rec = decodeDirRecord(sector, off, where);
          if (!rec) break;
          off += rec.length;
          yield { rec, where };
        }
      }
    }
  }
}

function normalize(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

const byName = (a: IsoDirent, b: IsoDirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

class Image implements IsoImage {
  private readonly all: IsoDirent[] = [];
  private readonly root: IsoDirent;

  constructor(
    private src: Source,
    readonly volume: IsoVolume,
    private walker: Walker,
  ) {
    for (const list of walker.children.values()) list.sort(byName);
    const visit = (dir: string) => {
      for (const d of walker.children.get(dir) ?? []) {
        this.all.push(d);
        if (d.kind === 'dir') visit(d.path);
      }
    };
    visit('');
    const { lba, length } = walker.rootExtent;
    this.root = { path: '', name: '', kind: 'dir', size: length, extents: [{ lba, length }] };
  }

  entries(): IsoDirent[] {
    return this.all.slice();
  }

  lookup(path: string): IsoDirent | undefined {
    const key = normalize(path);
    return key === '' ? this.root : this.walker.byPath.get(key);
  }

  readdir(path: string): IsoDirent[] {
    const d = this.need(path);
    if (d.kind !== 'dir') throw this.src.fail(`'${d.path}' is a ${d.kind}, expected a directory`, `entry '${path}'`);
    return (this.walker.children.get(d.path) ?? []).slice();
  }

  createReadStream(path: string | IsoDirent): NodeJS.ReadableStream {
    const d = this.file(typeof path === 'string' ? path : path.path);
    const src = this.src;
    const what = `entry '${d.path}'`;
    let i = 0;
    let done = 0;
    const stream: Readable = new Readable({
      highWaterMark: CHUNK,
      read() {
        while (i < d.extents.length && done >= d.extents[i].length) {
          i++;
          done = 0;
        }
        if (i >= d.extents.length) {
          stream.push(null);
          return;
        }
        const e = d.extents[i];
        const n = Math.min(CHUNK, e.length - done);
        src.read(e.lba * SECTOR_SIZE + done, n, what).then(
          (buf) => {
            done += n;
            stream.push(buf);
          },
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }

  async readFile(path: string, maxBytes = DEFAULT_READ_FILE_MAX): Promise<Buffer> {
    const d = this.file(path);
    if (d.size > maxBytes) {
      throw this.src.fail(`file is ${d.size} bytes, more than the ${maxBytes}-byte limit for readFile; stream it instead`, `entry '${d.path}'`);
    }
    const parts: Buffer[] = [];
    for (const e of d.extents) {
      if (e.length > 0) parts.push(await this.src.read(e.lba * SECTOR_SIZE, e.length, `entry '${d.path}'`));
    }
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    if (this.src.closed) return;
    this.src.closed = true;
    await this.src.fh.close();
  }

  private need(path: string): IsoDirent {
    const d = this.lookup(path);
    if (!d) throw this.src.fail('no such file or directory in the image', `entry '${path}'`);
    return d;
  }

  private file(path: string): IsoDirent {
    const d = this.need(path);
    if (d.kind === 'dir') throw this.src.fail('is a directory, expected a file', `entry '${d.path}'`);
    return d;
  }
}
