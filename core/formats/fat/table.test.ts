import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import type { Bpb } from './bpb';
import { countFreeClusters, findFreeClusters, followChain, isEndOfChain, readFatEntry, writeFatEntry } from './table';

const bpbOf = (fatType: Bpb['fatType'], clusterCount: number) => ({ fatType, clusterCount }) as Bpb;

describe('FAT entries (4.1)', () => {
  it('packs FAT12 entries 1.5 bytes each', () => {
    const fat = Buffer.alloc(12);
    writeFatEntry(fat, 'FAT12', 2, 0x123);
    writeFatEntry(fat, 'FAT12', 3, 0x456);
    expect([...fat.subarray(3, 6)]).toEqual([0x23, 0x61, 0x45]);
    expect(readFatEntry(fat, 'FAT12', 2)).toBe(0x123);
    expect(readFatEntry(fat, 'FAT12', 3)).toBe(0x456);
    writeFatEntry(fat, 'FAT12', 2, 0xfff);
    expect(readFatEntry(fat, 'FAT12', 3)).toBe(0x456);
    writeFatEntry(fat, 'FAT12', 3, 0);
    expect(readFatEntry(fat, 'FAT12', 2)).toBe(0xfff);
    expect([...fat.subarray(3, 6)]).toEqual([0xff, 0x0f, 0x00]);
  });

  it('writes FAT16 words and keeps the high 4 bits of FAT32 entries', () => {
    const fat = Buffer.alloc(16);
    writeFatEntry(fat, 'FAT16', 3, 0xfff8);
    expect(fat.readUInt16LE(6)).toBe(0xfff8);
    fat.writeUInt32LE(0xa0000000, 8);
    writeFatEntry(fat, 'FAT32', 2, 0x0fffffff);
    expect(fat.readUInt32LE(8)).toBe(0xafffffff);
    expect(readFatEntry(fat, 'FAT32', 2)).toBe(0x0fffffff);
    writeFatEntry(fat, 'FAT32', 2, 0);
    expect(fat.readUInt32LE(8)).toBe(0xa0000000);
    expect(readFatEntry(fat, 'FAT32', 2)).toBe(0);
  });

  it('knows the end-of-chain range of each type', () => {
    expect(isEndOfChain('FAT12', 0xff8)).toBe(true);
    expect(isEndOfChain('FAT12', 0xff7)).toBe(false);
    expect(isEndOfChain('FAT16', 0xfff8)).toBe(true);
    expect(isEndOfChain('FAT16', 0xff8)).toBe(false);
    expect(isEndOfChain('FAT32', 0x0ffffff8)).toBe(true);
    expect(isEndOfChain('FAT32', 0x0ffffff7)).toBe(false);
  });
});

describe('chains', () => {
  const bpb = bpbOf('FAT16', 20);
  const fat = () => {
    const f = Buffer.alloc(44);
    // 2 -> 3 -> 7 -> end(FFF8); 4 used (end); 5, 6 free; 8 -> 8 (loop); 9 -> 5 (free); 10 -> bad; 11 -> 40
    for (const [n, v] of [[2, 3], [3, 7], [7, 0xfff8], [4, 0xffff], [8, 8], [9, 5], [10, 0xfff7], [11, 40]]) writeFatEntry(f, 'FAT16', n, v);
    for (let n = 12; n <= 21; n++) writeFatEntry(f, 'FAT16', n, 0xffff);
    return f;
  };

  it('follows a chain and keeps its end mark', () => {
    expect(followChain(fat(), bpb, 2, 's', 'f')).toEqual({ clusters: [2, 3, 7], end: 0xfff8 });
    expect(followChain(fat(), bpb, 0, 's', 'f').clusters).toEqual([]);
  });

  it.each([
    [8, /s: f: cluster chain: expected a chain that ends, cluster 8 is visited twice/],
    [9, /expected cluster 5 to be in use, its FAT entry is free/],
    [10, /cluster 10 to link to a good cluster/],
    [11, /expected a cluster from 2 to 21, got 40/],
    [1, /expected a cluster from 2 to 21, got 1/],
  ])('rejects a broken chain from %i', (first, pattern) => {
    expect(() => followChain(fat(), bpb, first, 's', 'f')).toThrow(SuppackError);
    expect(() => followChain(fat(), bpb, first, 's', 'f')).toThrow(pattern);
  });

  it('finds free clusters lowest first', () => {
    expect(findFreeClusters(fat(), bpb, 1)).toEqual([5]);
    expect(findFreeClusters(fat(), bpb, 5)).toEqual([5, 6]);
    expect(findFreeClusters(fat(), bpb, 5, new Set([5]))).toEqual([6]);
    expect(countFreeClusters(fat(), bpb)).toBe(2);
  });
});
