import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { clusterOffset, decodeBpb, fatOffset } from './bpb';

interface Fields {
  bps?: number;
  spc?: number;
  rsvd?: number;
  nfats?: number;
  root?: number;
  tot16?: number;
  tot32?: number;
  media?: number;
  fat16?: number;
  fat32?: number;
  fsVer?: number;
  rootClus?: number;
  fsInfo?: number;
  extFlags?: number;
}

/** 3.1-3.3: a boot sector built by hand. */
function bootSector(f: Fields): Buffer {
  const b = Buffer.alloc(512);
  b.set([0xeb, 0x3c, 0x90], 0);
  b.write('MSWIN4.1', 3, 'latin1');
  b.writeUInt16LE(f.bps ?? 512, 11);
  b[13] = f.spc ?? 1;
  b.writeUInt16LE(f.rsvd ?? 1, 14);
  b[16] = f.nfats ?? 2;
  b.writeUInt16LE(f.root ?? 0, 17);
  b.writeUInt16LE(f.tot16 ?? 0, 19);
  b[21] = f.media ?? 0xf8;
  b.writeUInt16LE(f.fat16 ?? 0, 22);
  b.writeUInt32LE(f.tot32 ?? 0, 32);
  if (f.fat32 !== undefined) {
    b.writeUInt32LE(f.fat32, 36);
    b.writeUInt16LE(f.extFlags ?? 0, 40);
    b.writeUInt16LE(f.fsVer ?? 0, 42);
    b.writeUInt32LE(f.rootClus ?? 2, 44);
    b.writeUInt16LE(f.fsInfo ?? 1, 48);
  }
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

const FLOPPY: Fields = { root: 224, tot16: 2880, media: 0xf0, fat16: 9 };
const FAT16: Fields = { spc: 4, rsvd: 4, root: 512, tot32: 100000, fat16: 100 };
const FAT32: Fields = { rsvd: 32, tot32: 80000, fat32: 616 };

describe('decodeBpb', () => {
  it('decodes a 1.44 MB floppy as FAT12 (3.5)', () => {
    const bpb = decodeBpb(bootSector(FLOPPY), 'f.img');
    expect(bpb).toMatchObject({ fatType: 'FAT12', rootDirSectors: 14, firstDataSector: 33, clusterCount: 2847, bytesPerCluster: 512, rootCluster: 0 });
    expect(fatOffset(bpb, 1)).toBe(10 * 512);
    expect(clusterOffset(bpb, 2)).toBe(33 * 512);
    expect(clusterOffset(bpb, 3)).toBe(34 * 512);
  });

  it('decodes FAT16 and FAT32 by cluster count', () => {
    expect(decodeBpb(bootSector(FAT16), 'x')).toMatchObject({ fatType: 'FAT16', clusterCount: 24941, firstDataSector: 236, bytesPerCluster: 2048 });
    expect(decodeBpb(bootSector(FAT32), 'x')).toMatchObject({ fatType: 'FAT32', clusterCount: 78736, rootCluster: 2, fsInfoSector: 1, mirroringDisabled: false });
    expect(decodeBpb(bootSector({ ...FAT32, extFlags: 0x81 }), 'x')).toMatchObject({ mirroringDisabled: true, activeFat: 1 });
  });

  it('puts the boundaries at 4085 and 65525 clusters', () => {
    // firstDataSector = 1 + 2*FATSz + 32 with 512 root entries
    const at = (clusters: number, fat16: number) => decodeBpb(bootSector({ root: 512, fat16, tot32: 1 + 2 * fat16 + 32 + clusters }), 'x').fatType;
    expect(at(4084, 12)).toBe('FAT12');
    expect(at(4085, 16)).toBe('FAT16');
    expect(at(65524, 256)).toBe('FAT16');
    expect(() => at(65525, 256)).toThrow(/BPB_FATSz16: expected 0 on a FAT32 volume \(65525 clusters\), got 256/);
  });

  const bad: [string, Buffer, RegExp][] = [
    ['bytes per sector 256', bootSector({ ...FLOPPY, bps: 256 }), /BPB_BytsPerSec: expected 512, 1024, 2048 or 4096, got 256/],
    ['bytes per sector 3000', bootSector({ ...FLOPPY, bps: 3000 }), /BPB_BytsPerSec: .* got 3000/],
    ['bytes per sector 8192', bootSector({ ...FLOPPY, bps: 8192 }), /BPB_BytsPerSec: .* got 8192/],
    ['sectors per cluster 3', bootSector({ ...FLOPPY, spc: 3 }), /BPB_SecPerClus: expected a power of two from 1 to 128, got 3/],
    ['sectors per cluster 0', bootSector({ ...FLOPPY, spc: 0 }), /BPB_SecPerClus: .* got 0/],
    ['no reserved sector', bootSector({ ...FLOPPY, rsvd: 0 }), /BPB_RsvdSecCnt/],
    ['no FAT', bootSector({ ...FLOPPY, nfats: 0 }), /BPB_NumFATs: expected at least 1 FAT, got 0/],
    ['bad media', bootSector({ ...FLOPPY, media: 0x12 }), /BPB_Media: expected F0 or F8..FF, got 12/],
    ['no sectors', bootSector({ ...FLOPPY, tot16: 0 }), /BPB_TotSec16\/BPB_TotSec32: expected a non-zero sector count/],
    ['all metadata', bootSector({ ...FLOPPY, tot16: 33 }), /BPB_TotSec: expected more than 33 sectors/],
    ['FAT too small', bootSector({ ...FLOPPY, fat16: 1 }), /BPB_FATSz16: expected at least 9 sectors for \d+ clusters, got 1/],
    ['root not whole sectors', bootSector({ ...FLOPPY, root: 10 }), /BPB_RootEntCnt: expected a multiple of 16 entries/],
    ['FAT32 layout, few clusters', bootSector({ tot32: 10000, fat32: 80 }), /BPB_FATSz16: expected a non-zero FAT size on a FAT16 volume \(9839 clusters\), got 0/],
    ['FAT32 version', bootSector({ ...FAT32, fsVer: 0x0100 }), /BPB_FSVer: expected version 0:0, got 1:0/],
    ['FAT32 root cluster', bootSector({ ...FAT32, rootClus: 0 }), /BPB_RootClus: expected a cluster from 2 to 78737, got 0/],
    ['FAT32 root entries', bootSector({ ...FAT32, root: 16 }), /BPB_RootEntCnt: expected 0 on FAT32, got 16/],
    ['FAT32 active FAT', bootSector({ ...FAT32, extFlags: 0x85 }), /BPB_ExtFlags: expected an active FAT below 2, got 5/],
  ];

  it.each(bad)('rejects %s', (_name, sector, pattern) => {
    expect(() => decodeBpb(sector, 'efiboot.img')).toThrow(SuppackError);
    expect(() => decodeBpb(sector, 'efiboot.img')).toThrow(pattern);
  });

  it('rejects a sector without a jump or signature', () => {
    const noJump = bootSector(FLOPPY);
    noJump[0] = 0;
    expect(() => decodeBpb(noJump, 'a.img')).toThrow(/^a\.img: FAT boot sector BS_jmpBoot: expected a jump instruction \(EB xx 90 or E9 xx xx\), got 00 3C 90; not a FAT image$/);
    const noSig = bootSector(FLOPPY);
    noSig[511] = 0;
    expect(() => decodeBpb(noSig, 'a.img')).toThrow(/signature \(offset 510\): expected 55 AA, got 55 00/);
    expect(() => decodeBpb(Buffer.alloc(100), 'a.img')).toThrow(/expected at least 512 bytes, got 100/);
  });
});
