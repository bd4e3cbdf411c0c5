/** The File Allocation Table itself: entry encoding, cluster chains, free-cluster search (spec section 4). */
import { SuppackError } from '../../base/errors';
import type { Bpb, FatType } from './bpb';

/** 4: the value written to end a chain (the all-ones end-of-chain mark of each type). */
export const END_OF_CHAIN: Record<FatType, number> = { FAT12: 0xfff, FAT16: 0xffff, FAT32: 0x0fffffff };
/** 4: the bad-cluster mark of each type. */
export const BAD_CLUSTER: Record<FatType, number> = { FAT12: 0xff7, FAT16: 0xfff7, FAT32: 0x0ffffff7 };

/** 4: entries at or above this value end a chain. */
export function isEndOfChain(type: FatType, value: number): boolean {
  return value >= END_OF_CHAIN[type] - 7;
}

/** 4.1: the value of FAT entry `n` in one FAT copy (FAT32: the low 28 bits). */
export function readFatEntry(fat: Buffer, type: FatType, n: number): number {
  switch (type) {
    case 'FAT12': {
      // 4.1: FAT12 packs two 12-bit entries into 3 bytes; entry n starts at byte n + n/2.
      const word = fat.readUInt16LE(n + (n >> 1));
      return n & 1 ? word >> 4 : word & 0x0fff;
    }
    case 'FAT16':
      return fat.readUInt16LE(n * 2);
    case 'FAT32':
      return fat.readUInt32LE(n * 4) & 0x0fffffff;
  }
}

/** 4.1: set FAT entry `n` in one FAT copy; FAT32 keeps the reserved high 4 bits as they were. */
export function writeFatEntry(fat: Buffer, type: FatType, n: number, value: number): void {
  switch (type) {
    case 'FAT12': {
      const at = n + (n >> 1);
      const word = fat.readUInt16LE(at);
      fat.writeUInt16LE(n & 1 ? (word & 0x000f) | ((value & 0x0fff) << 4) : (word & 0xf000) | (value & 0x0fff), at);
      return;
    }
    case 'FAT16':
      fat.writeUInt16LE(value & 0xffff, n * 2);
      return;
    case 'FAT32': {
      const old = fat.readUInt32LE(n * 4);
      fat.writeUInt32LE(((old & 0xf0000000) | (value & 0x0fffffff)) >>> 0, n * 4);
      return;
    }
  }
}

export interface Chain {
  clusters: number[];
  /** The end-of-chain value found in the last entry (reused when the chain is rewritten). */
  end: number;
}

/**
 * Follow the chain that starts at `first` (0 = no clusters). Throws a SuppackError naming
 * `source` and `what` (e.g. the file path) when the chain leaves the volume, hits a free or bad
 * cluster, or loops.
 */
export function followChain(fat: Buffer, bpb: Bpb, first: number, source: string, what: string): Chain {
  const type = bpb.fatType;
  if (first === 0) return { clusters: [], end: END_OF_CHAIN[type] };
  const max = bpb.clusterCount + 1;
  const fail = (msg: string): never => {
    throw new SuppackError(msg, { file: source, field: `${what}: cluster chain` });
  };
  const seen = new Set<number>();
  const clusters: number[] = [];
  let n = first;
  for (;;) {
    if (n < 2 || n > max) fail(`expected a cluster from 2 to ${max}, got ${n}`);
    if (seen.has(n)) fail(`expected a chain that ends, cluster ${n} is visited twice`);
    seen.add(n);
    clusters.push(n);
    const next = readFatEntry(fat, type, n);
    if (isEndOfChain(type, next)) return { clusters, end: next };
    if (next === 0) fail(`expected cluster ${n} to be in use, its FAT entry is free`);
    if (next === BAD_CLUSTER[type]) fail(`expected cluster ${n} to link to a good cluster, it links to a bad-cluster mark`);
    n = next;
  }
}

/** The `count` lowest free clusters, not counting those in `reserved`; fewer when the volume is full. */
export function findFreeClusters(fat: Buffer, bpb: Bpb, count: number, reserved: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  for (let n = 2; n <= bpb.clusterCount + 1 && out.length < count; n++) {
    if (!reserved.has(n) && readFatEntry(fat, bpb.fatType, n) === 0) out.push(n);
  }
  return out;
}

/** Number of free clusters on the volume (5: what FSI_Free_Count should say). */
export function countFreeClusters(fat: Buffer, bpb: Bpb): number {
  let free = 0;
  for (let n = 2; n <= bpb.clusterCount + 1; n++) if (readFatEntry(fat, bpb.fatType, n) === 0) free++;
  return free;
}
