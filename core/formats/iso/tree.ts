/**
 * Pure: validated entries and options → the directory tree of an image, with the ISO, Joliet and
 * Rock Ridge name of every node and its normalised POSIX attributes (like `mkisofs -r`).
 */
import { getHashes } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { MAX_EPOCH, SYSTEM_AREA_BLOCKS, BLOCK } from './encode';
import {
  type IsoName,
  assignIsoNames,
  compareCodeUnits,
  compareIsoNames,
  isoIdentifier,
  jolietIdentifier,
  rockRidgeName,
} from './names';
import { S_IFDIR, S_IFLNK, S_IFREG } from './rockridge';

export type IsoEntry =
  | { path: string; kind: 'dir'; mode?: number }
  | {
      path: string;
      kind: 'file';
      size: number;
      source: FileSource;
      mode?: number;
      /** Digests of parts of this file, computed as its bytes go into the image (no second read). */
      digests?: readonly FileDigestRequest[];
    }
  | { path: string; kind: 'symlink'; target: string };

/** A file's bytes: a file on disk, a stream, or bytes made once the other files are written. */
export type FileSource = string | FilePart | (() => NodeJS.ReadableStream) | DeferredSource;

/**
 * `prefix`, then the bytes of the file at `path` from byte `from` to its end: a signed RPM is its
 * new lead and signature, then the original's headers and payload (core/formats/rpm/sign.ts).
 * The writer reads the file straight into its buffers, as it does a path.
 */
export interface FilePart {
  path: string;
  from: number;
  prefix: Buffer;
}

export function isFilePart(source: FileSource): source is FilePart {
  return typeof source === 'object' && source !== null && typeof (source as FilePart).path === 'string';
}

/**
 * Bytes made after every other file's data has been written and hashed: a manifest of them, such
 * as XS-PACKAGES with each RPM's md5. Such files' data goes after every other file's, so that
 * the image's own digests can be computed in one pass; `make` gets the other files' digests
 * (their `digests` requests, by image path) and must return exactly the entry's `size` bytes.
 */
export interface DeferredSource {
  make: (digests: FileDigests) => Buffer | Promise<Buffer>;
}

/** The digest of the bytes [from, to) of a file (default: all of it). */
export interface FileDigestRequest {
  algorithm: string;
  from?: number;
  to?: number;
}

/** Hex digests per image path, one per request, in the order of the entry's `digests`. */
export type FileDigests = ReadonlyMap<string, readonly string[]>;

export function isDeferred(source: FileSource): source is DeferredSource {
  return typeof source === 'object' && source !== null && typeof (source as DeferredSource).make === 'function';
}

/**
 * A file whose data already lies in the image being extended (an appended session): its record
 * points at `extent` and no data is written for it.
 */
export type PlacedEntry = { path: string; kind: 'file'; size: number; extent: number; mode?: number };

export interface IsoOptions {
  /** ≤ 32 printable ASCII characters. */
  volumeId: string;
  /** ≤ 128 printable ASCII characters. */
  applicationId?: string;
  /** ≤ 128 printable ASCII characters. */
  publisherId?: string;
  /** ≤ 32 printable ASCII characters; default 'LINUX'. */
  systemId?: string;
  /** Seconds since 1970: every timestamp of the image. */
  epoch: number;
  /** Called at least every 16 MiB written and once at the end. */
  onProgress?: (p: { written: number; total: number }) => void;
  /** Up to 32 KiB written at the start of the image (ECMA-119 System Area: MBR, GPT…); zeros otherwise. */
  systemArea?: Buffer;
  /** Digests of the image computed while it is written (no re-read); default md5 and sha256. */
  digests?: readonly IsoDigest[];
}

export type IsoDigest = 'md5' | 'sha256';

/** Files of this size or more would need several extents (ECMA-119 level 3), which this writer does not do. */
export const MAX_FILE_SIZE = 0xffffffff;
/** Longest symlink target accepted, as libisofs (isoinfo crashes on much longer SL chains). */
const MAX_LINK_TARGET = 1024;
/** Longest component of a symlink target (NAME_MAX). */
const MAX_LINK_COMPONENT = 255;

interface NodeBase {
  /** Real (Rock Ridge) name; '' for the root. */
  name: string;
  /** Path inside the image, '' for the root. */
  path: string;
  isoName: IsoName;
  isoId: Buffer;
  /** UCS-2BE Joliet identifier; symlinks are not in the Joliet tree (like mkisofs and xorriso). */
  jolietId: Buffer;
  rrName: Buffer;
  /** POSIX mode including the file type bits. */
  mode: number;
}

export interface DirNode extends NodeBase {
  kind: 'dir';
  parent: DirNode | null;
  /** Children in ECMA-119 9.3 order of their ISO names. */
  children: TreeNode[];
  /** Children in the Joliet tree (no symlinks), in UCS-2 order. */
  jolietChildren: TreeNode[];
  depth: number;
  explicit: boolean;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  size: number;
  source: FileSource;
  digests?: readonly FileDigestRequest[];
  /** Set for a PlacedEntry: the data is already at this LBA. */
  extent?: number;
}

export interface LinkNode extends NodeBase {
  kind: 'symlink';
  target: string;
}

export type TreeNode = DirNode | FileNode | LinkNode;

const PRINTABLE = /^[\x20-\x7e]*$/;

function checkText(value: string | undefined, field: string, max: number, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || !PRINTABLE.test(value) || value.length > max || (required && value.length === 0)) {
    const got = typeof value === 'string' ? `${value.length} characters ${JSON.stringify(value)}` : String(value);
    throw new SuppackError(`expected ${required ? '1 to' : 'at most'} ${max} printable ASCII characters, got ${got}`, {
      field,
    });
  }
}

export function validateOptions(o: IsoOptions): void {
  checkText(o.volumeId, 'volumeId', 32, true);
  checkText(o.applicationId, 'applicationId', 128, false);
  checkText(o.publisherId, 'publisherId', 128, false);
  checkText(o.systemId, 'systemId', 32, false);
  if (!Number.isInteger(o.epoch) || o.epoch < 0 || o.epoch > MAX_EPOCH) {
    throw new SuppackError(`expected a whole number of seconds from 0 to ${MAX_EPOCH}, got ${o.epoch}`, {
      field: 'epoch',
    });
  }
  if (o.systemArea !== undefined && o.systemArea.length > SYSTEM_AREA_BLOCKS * BLOCK) {
    throw new SuppackError(`expected at most ${SYSTEM_AREA_BLOCKS * BLOCK} bytes, got ${o.systemArea.length}`, {
      field: 'systemArea',
    });
  }
}

function pathError(path: string, what: string): SuppackError {
  return new SuppackError(what, { file: path, field: 'ISO image path' });
}

function splitPath(path: unknown): string[] {
  if (typeof path !== 'string' || path === '') throw pathError(String(path), 'expected a non-empty relative path');
  if (path.startsWith('/')) throw pathError(path, 'expected a relative path inside the image, got an absolute one');
  if (path.includes('\0')) throw pathError(path, 'path contains a NUL byte');
  const parts = path.split('/');
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') {
      throw pathError(path, `expected path components without '', '.' or '..', got ${JSON.stringify(p)}`);
    }
  }
  return parts;
}

/** mkisofs -r: files 0444, or 0555 when any execute bit is set. */
function fileMode(mode: number | undefined, path: string): number {
  const m = mode ?? 0o644;
  if (!Number.isInteger(m) || m < 0 || m > 0o7777) {
    throw new SuppackError(`expected a permission mode from 0 to 0o7777, got ${m}`, { file: path, field: 'mode' });
  }
  return S_IFREG | (m & 0o111 ? 0o555 : 0o444);
}

function isPlaced(e: IsoEntry | PlacedEntry): e is PlacedEntry {
  return e.kind === 'file' && 'extent' in e && e.extent !== undefined;
}

function checkEntry(e: IsoEntry | PlacedEntry): void {
  if (isPlaced(e)) {
    if (!Number.isSafeInteger(e.size) || e.size < 0 || e.size >= MAX_FILE_SIZE || !Number.isInteger(e.extent) || e.extent < 0) {
      throw new SuppackError(`expected a single extent below 4 GiB, got ${e.size} bytes at LBA ${e.extent}`, { file: e.path, field: 'extent' });
    }
  } else if (e.kind === 'file') {
    if (!Number.isSafeInteger(e.size) || e.size < 0) {
      throw new SuppackError(`expected a non-negative whole number of bytes, got ${e.size}`, { file: e.path, field: 'size' });
    }
    if (e.size >= MAX_FILE_SIZE) {
      throw new SuppackError(`file too large for one extent: ${e.size} bytes, at most ${MAX_FILE_SIZE - 1} are supported`, {
        file: e.path,
        field: 'size',
      });
    }
    if (isFilePart(e.source)) {
      const { path, from, prefix } = e.source;
      if (path === '' || !Number.isSafeInteger(from) || from < 0 || !Buffer.isBuffer(prefix) || prefix.length > e.size) {
        throw new SuppackError('expected a file part: a path, a start offset and a prefix no longer than the file', { file: e.path, field: 'source' });
      }
    } else if (typeof e.source !== 'function' && !isDeferred(e.source) && (typeof e.source !== 'string' || e.source === '')) {
      throw new SuppackError('expected a file path, a file part, a stream factory or a deferred source', { file: e.path, field: 'source' });
    }
    for (const d of e.digests ?? []) checkDigestRequest(d, e.size, e.path);
  } else if (e.kind === 'symlink') {
    const len = typeof e.target === 'string' ? Buffer.byteLength(e.target) : 0;
    const longest = len === 0 ? 0 : Math.max(...e.target.split('/').map((c) => Buffer.byteLength(c)));
    if (len === 0 || len > MAX_LINK_TARGET || longest > MAX_LINK_COMPONENT || e.target.includes('\0')) {
      throw new SuppackError(
        `expected a symlink target of 1 to ${MAX_LINK_TARGET} bytes, components of at most ${MAX_LINK_COMPONENT}, without NUL`,
        { file: e.path, field: 'target' },
      );
    }
  } else if (e.kind === 'dir') {
    if (e.mode !== undefined) fileMode(e.mode, e.path);
  } else {
    const kind: unknown = (e as { kind: unknown }).kind;
    throw new SuppackError(`expected kind 'dir', 'file' or 'symlink', got ${JSON.stringify(kind)}`, {
      file: (e as { path?: string }).path,
      field: 'kind',
    });
  }
}

function checkDigestRequest(d: FileDigestRequest, size: number, path: string): void {
  const from = d.from ?? 0;
  const to = d.to ?? size;
  if (!getHashes().includes(d.algorithm)) {
    throw new SuppackError(`unknown digest algorithm ${JSON.stringify(d.algorithm)}`, { file: path, field: 'digests' });
  }
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to || to > size) {
    throw new SuppackError(`expected a byte range within the file's ${size} bytes, got [${from}, ${to})`, { file: path, field: 'digests' });
  }
}

/** Names are filled in by nameChildren once all siblings are known. */
function base(name: string, path: string, mode: number): NodeBase {
  const empty = Buffer.alloc(0);
  return { name, path, isoName: { name: '', ext: '' }, isoId: empty, jolietId: empty, rrName: empty, mode };
}

function newDir(name: string, path: string, parent: DirNode | null, explicit: boolean): DirNode {
  return {
    ...base(name, path, S_IFDIR | 0o555),
    kind: 'dir',
    parent,
    children: [],
    jolietChildren: [],
    depth: parent ? parent.depth + 1 : 1,
    explicit,
  };
}

const noSource = (): NodeJS.ReadableStream => {
  throw new Error('a placed file has no source: its data is already in the image');
};

/**
 * Build and name the tree; throws SuppackError for invalid, duplicate or conflicting paths.
 * `joliet: false` skips Joliet names (and their checks) for images without a Joliet tree.
 */
export function buildTree(entries: readonly (IsoEntry | PlacedEntry)[], names: { joliet?: boolean } = {}): DirNode {
  const root = newDir('', '', null, true);
  const byPath = new Map<string, TreeNode>([['', root]]);
  for (const e of entries) {
    const parts = splitPath(e?.path);
    checkEntry(e);
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts.slice(0, i + 1).join('/');
      let next = byPath.get(p);
      if (next === undefined) {
        next = newDir(parts[i], p, dir, false);
        dir.children.push(next);
        byPath.set(p, next);
      } else if (next.kind !== 'dir') {
        throw pathError(e.path, `'${p}' is a ${next.kind} in the image, so it cannot contain other entries`);
      }
      dir = next;
    }
    const name = parts[parts.length - 1];
    const existing = byPath.get(e.path);
    if (existing !== undefined) {
      if (existing.kind === 'dir' && e.kind === 'dir' && !existing.explicit) {
        existing.explicit = true;
        continue;
      }
      const what = existing.kind === e.kind ? 'listed twice' : `listed as both a ${existing.kind} and a ${e.kind}`;
      throw pathError(e.path, `${what}, expected each path once`);
    }
    let node: TreeNode;
    if (e.kind === 'dir') node = newDir(name, e.path, dir, true);
    else if (isPlaced(e)) {
      node = { ...base(name, e.path, fileMode(e.mode, e.path)), kind: 'file', size: e.size, source: noSource, extent: e.extent };
    } else if (e.kind === 'file') {
      node = { ...base(name, e.path, fileMode(e.mode, e.path)), kind: 'file', size: e.size, source: e.source, ...(e.digests ? { digests: e.digests } : {}) };
    } else node = { ...base(name, e.path, S_IFLNK | 0o777), kind: 'symlink', target: e.target };
    dir.children.push(node);
    byPath.set(e.path, node);
  }
  nameChildren(root, names.joliet ?? true);
  return root;
}

function nameChildren(dir: DirNode, joliet: boolean): void {
  const isoNames = assignIsoNames(dir.children.map((c) => ({ name: c.name, isDir: c.kind === 'dir' })));
  dir.children.forEach((c, i) => {
    c.isoName = isoNames[i];
    c.isoId = isoIdentifier(isoNames[i], c.kind === 'dir');
    c.rrName = rockRidgeName(c.name, c.path);
    if (c.kind !== 'symlink' && joliet) c.jolietId = jolietIdentifier(c.name, c.path);
  });
  dir.children.sort((a, b) => compareIsoNames(a.isoName, b.isoName) || compareCodeUnits(a.name, b.name));
  dir.jolietChildren = dir.children.filter((c) => c.kind !== 'symlink').sort((a, b) => compareCodeUnits(a.name, b.name));
  for (const c of dir.children) if (c.kind === 'dir') nameChildren(c, joliet);
}
