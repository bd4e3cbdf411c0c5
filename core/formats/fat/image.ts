/**
 * A small FAT12/16/32 image held in memory (an ISO's boot/efiboot.img): look files up, list them, and
 * rewrite one existing file's content in place, deterministically and without mtools.
 */
import { SuppackError } from '../../base/errors';
import { type Bpb, clusterOffset, decodeBpb, fatOffset } from './bpb';
import { decodeDirectory, type DirEntry, DIR_ENTRY_SIZE, patchShortEntry } from './directory';
import { decodeFsInfo, FREE_COUNT_UNKNOWN, patchFsInfoFreeCount } from './fsinfo';
import { countFreeClusters, findFreeClusters, followChain, writeFatEntry } from './table';

export interface FatImage {
  readonly source: string;
  readonly bpb: Bpb;
  /**
   * The content of the file at `path` ("EFI/xenserver/grub.cfg"; `/` or `\` separated, a leading
   * separator is ignored), matched per component case-insensitively against the long name or the
   * 8.3 name, as FAT does. Undefined when there is no such file; a SuppackError when `path` names a
   * directory or the file's cluster chain is broken.
   */
  readFile(path: string): Buffer | undefined;
  /** Every file (not directory) as a `/`-joined path of long names, depth first in on-disk order. */
  list(): string[];
  /**
   * A NEW image in which the existing file at `path` holds `data`. The file keeps its cluster chain:
   * the chain is cut (the excess clusters freed) or extended with the lowest-numbered free clusters, in
   * every FAT copy. The slack after the data in its last cluster is zeroed; the directory entry gets the
   * new first cluster and size and keeps its names, attributes, dates and times; a known FAT32 FSInfo
   * free count is set to the true count. Every other byte is the input's. The input is not modified.
   * SuppackError when the file does not exist, is a directory, or does not fit in the free space.
   */
  replaceFile(path: string, data: Buffer): Buffer;
}

/** A directory's entries and where each 32-byte slot lives in the image. */
interface Directory {
  entries: DirEntry[];
  offsetOf(index: number): number;
}

interface Found {
  entry: DirEntry;
  /** Byte offset of the entry's short (8.3) directory slot in the image. */
  offset: number;
  path: string;
}

/** Open a FAT image. `source` names it in errors (e.g. "boot/efiboot.img in xcp-ng.iso"). */
export function openFat(image: Buffer, source: string): FatImage {
  if (image.length < 512) {
    throw new SuppackError(`expected a FAT image of at least 512 bytes, got ${image.length}`, { file: source, field: 'FAT image size' });
  }
  const bpb = decodeBpb(image.subarray(0, 512), source);
  const size = bpb.totalSectors * bpb.bytesPerSector;
  if (image.length < size) {
    throw new SuppackError(`expected ${size} bytes (${bpb.totalSectors} sectors of ${bpb.bytesPerSector}), got ${image.length}; the image is truncated`, {
      file: source,
      field: 'FAT image size',
    });
  }
  const fat32 = bpb.fatType === 'FAT32';
  const fatBytes = bpb.fatSectors * bpb.bytesPerSector;
  const fatAt = fatOffset(bpb, bpb.activeFat);
  const fat = image.subarray(fatAt, fatAt + fatBytes);

  const clusterBytes = (n: number): Buffer => {
    const at = clusterOffset(bpb, n);
    return image.subarray(at, at + bpb.bytesPerCluster);
  };

  const readDirectory = (firstCluster: number | 'root', what: string): Directory => {
    if (firstCluster === 'root' && !fat32) {
      // 3.5: the FAT12/16 root directory sits right after the FATs, RootDirSectors long.
      const at = (bpb.reservedSectors + bpb.numFats * bpb.fatSectors) * bpb.bytesPerSector;
      const bytes = image.subarray(at, at + bpb.rootDirSectors * bpb.bytesPerSector);
      return { entries: decodeDirectory(bytes, fat32), offsetOf: (i) => at + i * DIR_ENTRY_SIZE };
    }
    const first = firstCluster === 'root' ? bpb.rootCluster : firstCluster;
    if (first === 0) throw new SuppackError('expected a directory with a first cluster, got 0', { file: source, field: `${what}: DIR_FstClus` });
    const { clusters } = followChain(fat, bpb, first, source, what);
    const bytes = Buffer.concat(clusters.map(clusterBytes));
    const perCluster = bpb.bytesPerCluster / DIR_ENTRY_SIZE;
    return {
      entries: decodeDirectory(bytes, fat32),
      offsetOf: (i) => clusterOffset(bpb, clusters[Math.floor(i / perCluster)]) + (i % perCluster) * DIR_ENTRY_SIZE,
    };
  };

  const find = (path: string): Found | undefined => {
    const parts = path.split(/[\\/]+/).filter((p) => p !== '');
    if (parts.length === 0) return undefined;
    let dir = readDirectory('root', '/');
    const seen: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const want = foldName(parts[i]);
      const entry = dir.entries.find((e) => foldName(e.name) === want || foldName(e.shortName) === want);
      if (entry === undefined) return undefined;
      seen.push(entry.name);
      if (i === parts.length - 1) return { entry, offset: dir.offsetOf(entry.index), path: seen.join('/') };
      if (!entry.isDirectory) return undefined;
      dir = readDirectory(entry.firstCluster, seen.join('/'));
    }
    return undefined;
  };

  const assertFile = (found: Found): void => {
    if (found.entry.isDirectory) {
      throw new SuppackError('expected a file, found a directory', { file: source, field: found.path });
    }
  };

  const readFile = (path: string): Buffer | undefined => {
    const found = find(path);
    if (found === undefined) return undefined;
    assertFile(found);
    const { entry } = found;
    const { clusters } = followChain(fat, bpb, entry.firstCluster, source, found.path);
    const need = Math.ceil(entry.size / bpb.bytesPerCluster);
    if (clusters.length < need) {
      throw new SuppackError(`expected at least ${need} clusters for ${entry.size} bytes (DIR_FileSize), the chain has ${clusters.length}`, {
        file: source,
        field: `${found.path}: cluster chain`,
      });
    }
    return Buffer.concat(clusters.slice(0, need).map(clusterBytes)).subarray(0, entry.size);
  };

  const list = (): string[] => {
    const out: string[] = [];
    const visited = new Set<number>();
    const walk = (dir: Directory, prefix: string): void => {
      for (const e of dir.entries) {
        const path = prefix === '' ? e.name : `${prefix}/${e.name}`;
        if (!e.isDirectory) {
          out.push(path);
          continue;
        }
        if (visited.has(e.firstCluster)) {
          throw new SuppackError(`expected a tree, directory cluster ${e.firstCluster} is reached twice`, { file: source, field: path });
        }
        visited.add(e.firstCluster);
        walk(readDirectory(e.firstCluster, path), path);
      }
    };
    if (fat32) visited.add(bpb.rootCluster);
    walk(readDirectory('root', '/'), '');
    return out;
  };

  const replaceFile = (path: string, data: Buffer): Buffer => {
    const found = find(path);
    if (found === undefined) throw new SuppackError('expected an existing file to replace, there is none', { file: source, field: path });
    assertFile(found);
    if (data.length > 0xffffffff) {
      throw new SuppackError(`expected at most 4294967295 bytes (DIR_FileSize), got ${data.length}`, { file: source, field: found.path });
    }
    const old = followChain(fat, bpb, found.entry.firstCluster, source, found.path);
    const need = Math.ceil(data.length / bpb.bytesPerCluster);
    let chain: number[];
    let freed: number[] = [];
    if (need <= old.clusters.length) {
      chain = old.clusters.slice(0, need);
      freed = old.clusters.slice(need);
    } else {
      const more = need - old.clusters.length;
      const extra = findFreeClusters(fat, bpb, more);
      if (extra.length < more) {
        throw new SuppackError(
          `expected room for ${data.length} bytes, the image is full: ${more} more clusters of ${bpb.bytesPerCluster} bytes needed, ${extra.length} free`,
          { file: source, field: found.path },
        );
      }
      chain = old.clusters.concat(extra);
    }

    const out = Buffer.from(image);
    // 4: the new links, written into every FAT copy (entry by entry, so nothing else in a copy moves).
    const links = new Map<number, number>();
    chain.forEach((n, i) => links.set(n, i + 1 < chain.length ? chain[i + 1] : old.end));
    for (const n of freed) links.set(n, 0);
    for (let copy = 0; copy < bpb.numFats; copy++) {
      const at = fatOffset(bpb, copy);
      const table = out.subarray(at, at + fatBytes);
      for (const [n, value] of links) writeFatEntry(table, bpb.fatType, n, value);
    }
    // The data, cluster by cluster, the slack of the last cluster zeroed.
    chain.forEach((n, i) => {
      const at = clusterOffset(bpb, n);
      out.fill(0, at, at + bpb.bytesPerCluster);
      data.copy(out, at, i * bpb.bytesPerCluster, Math.min(data.length, (i + 1) * bpb.bytesPerCluster));
    });
    // 6: first cluster (0 for an empty file) and DIR_FileSize; names, attributes, dates stay.
    patchShortEntry(out, found.offset, bpb.fatType === 'FAT32', chain.length > 0 ? chain[0] : 0, data.length);
    // 5: keep a known FSI_Free_Count true.
    if (bpb.fsInfoSector !== 0) {
      const at = bpb.fsInfoSector * bpb.bytesPerSector;
      const info = decodeFsInfo(out, at);
      if (info !== undefined && info.freeCount !== FREE_COUNT_UNKNOWN) {
        const activeAt = fatOffset(bpb, bpb.activeFat);
        patchFsInfoFreeCount(out, at, countFreeClusters(out.subarray(activeAt, activeAt + fatBytes), bpb));
      }
    }
    return out;
  };

  return { source, bpb, readFile, list, replaceFile };
}

/** FAT compares names without regard to case (6.1); upper-case both sides. */
function foldName(name: string): string {
  return name.toUpperCase();
}
