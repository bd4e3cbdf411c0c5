/**
 * The boot sector and BIOS Parameter Block of a FAT volume, after Microsoft's
 * "FAT: General Overview of On-Disk Format" 1.03 (section numbers in comments).
 */
import { SuppackError } from '../../base/errors';

export type FatType = 'FAT12' | 'FAT16' | 'FAT32';

/** The fields of the BPB this package needs, plus the geometry derived from them. */
export interface Bpb {
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numFats: number;
  /** BPB_RootEntCnt: entries of the fixed FAT12/16 root directory (0 on FAT32). */
  rootEntryCount: number;
  totalSectors: number;
  /** Sectors per FAT copy (BPB_FATSz16 or BPB_FATSz32). */
  fatSectors: number;
  media: number;
  fatType: FatType;
  /** CountofClusters (3.5); valid data clusters are 2 .. clusterCount + 1. */
  clusterCount: number;
  /** RootDirSectors (3.5): sectors of the fixed root directory, 0 on FAT32. */
  rootDirSectors: number;
  /** First sector of the data region, where cluster 2 starts. */
  firstDataSector: number;
  bytesPerCluster: number;
  /** FAT32 only: BPB_RootClus, the first cluster of the root directory (0 otherwise). */
  rootCluster: number;
  /** FAT32 only: BPB_FSInfo sector number (0 when absent or not FAT32). */
  fsInfoSector: number;
  /** FAT32 only: BPB_ExtFlags bit 7 set means only FAT number `activeFat` is in use. */
  mirroringDisabled: boolean;
  activeFat: number;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * Decode and check the boot sector (3.1 common BPB, 3.2 FAT12/16 tail, 3.3 FAT32 tail) and work out
 * the FAT type from the cluster count (3.5). `sector` is at least the first 512 bytes of the volume.
 */
export function decodeBpb(sector: Buffer, source: string): Bpb {
  const fail = (field: string, what: string): never => {
    throw new SuppackError(what, { file: source, field: `FAT boot sector ${field}` });
  };
  if (sector.length < 512) fail('size', `expected at least 512 bytes, got ${sector.length}`);

  // 3.1: BS_jmpBoot is EB ?? 90 or E9 ?? ??
  const jmp = sector[0];
  if (!((jmp === 0xeb && sector[2] === 0x90) || jmp === 0xe9)) {
    fail('BS_jmpBoot', `expected a jump instruction (EB xx 90 or E9 xx xx), got ${hex(sector.subarray(0, 3))}; not a FAT image`);
  }
  // 3.1 (note at the end of section 3): sector[510..511] is 55 AA.
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    fail('signature (offset 510)', `expected 55 AA, got ${hex(sector.subarray(510, 512))}; not a FAT image`);
  }

  // 3.1: BPB common to FAT12/16/32
  const bytesPerSector = sector.readUInt16LE(11);
  const sectorsPerCluster = sector[13];
  const reservedSectors = sector.readUInt16LE(14);
  const numFats = sector[16];
  const rootEntryCount = sector.readUInt16LE(17);
  const totSec16 = sector.readUInt16LE(19);
  const media = sector[21];
  const fatSz16 = sector.readUInt16LE(22);
  const totSec32 = sector.readUInt32LE(32);

  if (bytesPerSector < 512 || bytesPerSector > 4096 || !isPowerOfTwo(bytesPerSector)) {
    fail('BPB_BytsPerSec', `expected 512, 1024, 2048 or 4096, got ${bytesPerSector}`);
  }
  if (!isPowerOfTwo(sectorsPerCluster) || sectorsPerCluster > 128) {
    fail('BPB_SecPerClus', `expected a power of two from 1 to 128, got ${sectorsPerCluster}`);
  }
  if (reservedSectors === 0) fail('BPB_RsvdSecCnt', 'expected at least 1 reserved sector, got 0');
  if (numFats === 0) fail('BPB_NumFATs', 'expected at least 1 FAT, got 0');
  if (media !== 0xf0 && media < 0xf8) fail('BPB_Media', `expected F0 or F8..FF, got ${media.toString(16).toUpperCase().padStart(2, '0')}`);
  if ((rootEntryCount * 32) % bytesPerSector !== 0) {
    fail('BPB_RootEntCnt', `expected a multiple of ${bytesPerSector / 32} entries (whole sectors), got ${rootEntryCount}`);
  }

  const totalSectors = totSec16 !== 0 ? totSec16 : totSec32;
  if (totalSectors === 0) fail('BPB_TotSec16/BPB_TotSec32', 'expected a non-zero sector count, both are 0');
  if (totSec16 !== 0 && totSec32 !== 0 && totSec32 !== totSec16) {
    fail('BPB_TotSec32', `expected 0 or ${totSec16} when BPB_TotSec16 is set, got ${totSec32}`);
  }

  // 3.3: FAT32 volumes have BPB_FATSz16 == 0 and keep the FAT size at offset 36.
  const fat32Layout = fatSz16 === 0;
  const fatSectors = fat32Layout ? sector.readUInt32LE(36) : fatSz16;
  if (fatSectors === 0) fail('BPB_FATSz32', 'expected a non-zero FAT size, both BPB_FATSz16 and BPB_FATSz32 are 0');

  // 3.5: FAT type determination
  const rootDirSectors = Math.ceil((rootEntryCount * 32) / bytesPerSector);
  const firstDataSector = reservedSectors + numFats * fatSectors + rootDirSectors;
  if (firstDataSector >= totalSectors) {
    fail('BPB_TotSec', `expected more than ${firstDataSector} sectors (reserved + FATs + root directory), got ${totalSectors}`);
  }
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  if (clusterCount === 0) fail('BPB_TotSec', 'expected room for at least one data cluster, got none');
  const fatType: FatType = clusterCount < 4085 ? 'FAT12' : clusterCount < 65525 ? 'FAT16' : 'FAT32';

  if (fatType === 'FAT32' && !fat32Layout) {
    fail('BPB_FATSz16', `expected 0 on a FAT32 volume (${clusterCount} clusters), got ${fatSz16}`);
  }
  if (fatType !== 'FAT32' && fat32Layout) {
    fail('BPB_FATSz16', `expected a non-zero FAT size on a ${fatType} volume (${clusterCount} clusters), got 0`);
  }

  // 4: each FAT copy must hold entries 0 .. clusterCount + 1.
  const entryBits = fatType === 'FAT12' ? 12 : fatType === 'FAT16' ? 16 : 32;
  const needBytes = Math.ceil(((clusterCount + 2) * entryBits) / 8);
  if (fatSectors * bytesPerSector < needBytes) {
    fail(fat32Layout ? 'BPB_FATSz32' : 'BPB_FATSz16', `expected at least ${Math.ceil(needBytes / bytesPerSector)} sectors for ${clusterCount} clusters, got ${fatSectors}`);
  }

  let rootCluster = 0;
  let fsInfoSector = 0;
  let mirroringDisabled = false;
  let activeFat = 0;
  if (fatType === 'FAT32') {
    // 3.3: extended BPB for FAT32
    const extFlags = sector.readUInt16LE(40);
    const fsVer = sector.readUInt16LE(42);
    rootCluster = sector.readUInt32LE(44);
    fsInfoSector = sector.readUInt16LE(48);
    if (rootEntryCount !== 0) fail('BPB_RootEntCnt', `expected 0 on FAT32, got ${rootEntryCount}`);
    if (fsVer !== 0) fail('BPB_FSVer', `expected version 0:0, got ${fsVer >> 8}:${fsVer & 0xff}`);
    if (rootCluster < 2 || rootCluster > clusterCount + 1) {
      fail('BPB_RootClus', `expected a cluster from 2 to ${clusterCount + 1}, got ${rootCluster}`);
    }
    mirroringDisabled = (extFlags & 0x80) !== 0;
    activeFat = mirroringDisabled ? extFlags & 0x0f : 0;
    if (activeFat >= numFats) fail('BPB_ExtFlags', `expected an active FAT below ${numFats}, got ${activeFat}`);
    if (fsInfoSector === 0xffff || fsInfoSector >= reservedSectors) fsInfoSector = 0;
  }

  return {
    bytesPerSector,
    sectorsPerCluster,
    reservedSectors,
    numFats,
    rootEntryCount,
    totalSectors,
    fatSectors,
    media,
    fatType,
    clusterCount,
    rootDirSectors,
    firstDataSector,
    bytesPerCluster: bytesPerSector * sectorsPerCluster,
    rootCluster,
    fsInfoSector,
    mirroringDisabled,
    activeFat,
  };
}

/** Byte offset of data cluster `n` (n >= 2) in the image (3.5: FirstSectorofCluster). */
export function clusterOffset(bpb: Bpb, n: number): number {
  return (bpb.firstDataSector + (n - 2) * bpb.sectorsPerCluster) * bpb.bytesPerSector;
}

/** Byte offset of FAT copy `copy` (0-based). */
export function fatOffset(bpb: Bpb, copy: number): number {
  return (bpb.reservedSectors + copy * bpb.fatSectors) * bpb.bytesPerSector;
}

function hex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
