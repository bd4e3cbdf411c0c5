import { randomBytes } from '../../../testing/random';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { clusterOffset, fatOffset } from './bpb';
import { decodeShortEntry } from './directory';
import { decodeFsInfo } from './fsinfo';
import { openFat } from './image';
import { followChain, readFatEntry } from './table';
import {changedOffsets, fsck, grubText, type ImageKind, makeImage, mcopyIn, mcopyOut, mmd, mtype } from './testing';

const GRUB = 'EFI/xenserver/grub.cfg';
const EFI = 'EFI/BOOT/BOOTX64.EFI';
const KINDS: [ImageKind, string][] = [
  ['mformat-2880k', 'FAT12'],
  ['vfat-8m', 'FAT12'],
  ['vfat16-8m', 'FAT16'],
  ['vfat32-40m', 'FAT32'],
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'suppack-fat-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** fsck.fat -n found nothing: exit 0 and no line besides its banner and the summary. */
function expectClean(image: string): number {
  const r = fsck(image);
  const extra = r.output.split('\n').filter((l) => l.trim() !== '' && !/^fsck\.fat \d/.test(l) && !/\d+ files, \d+\/\d+ clusters$/.test(l));
  expect(extra).toEqual([]);
  expect(r.status).toBe(0);
  expect(r.usedClusters).toBeDefined();
  return r.usedClusters ?? -1;
}

/** Offset of the short directory entry whose 11-byte name is `name11` (unique in these images). */
function shortEntryOffset(image: Buffer, name11: string): number {
  const at = image.indexOf(Buffer.from(name11, 'latin1'));
  expect(at).toBeGreaterThan(0);
  expect(image.indexOf(Buffer.from(name11, 'latin1'), at + 1)).toBe(-1);
  return at;
}

describe.each(KINDS)('%s image', (kind, fatType) => {
  let path: string;
  let original: Buffer;
  let efi: Buffer;
  let grub: Buffer;
  let bpc: number;
  let usedBefore: number;

  beforeAll(() => {
    path = join(tmp, `${kind}.img`);
    makeImage(kind, path);
    mmd(path, 'EFI', 'EFI/BOOT', 'EFI/xenserver');
    efi = randomBytes(200 * 1024, `efi-${kind}`);
    mcopyIn(path, tmp, efi, EFI);
    const probe = openFat(readFileSync(path), path);
    bpc = probe.bpb.bytesPerCluster;
    grub = grubText(bpc + 300, 'original');
    mcopyIn(path, tmp, grub, GRUB);
    original = readFileSync(path);
    usedBefore = expectClean(path);
  });

  it('decodes the BPB like fsck.fat does', () => {
    const img = openFat(original, path);
    expect(img.bpb.fatType).toBe(fatType);
    expect(img.bpb.clusterCount).toBe(fsck(path).totalClusters);
  });

  it('reads both files back and lists them with their long names', () => {
    const img = openFat(original, path);
    expect(img.readFile(EFI)?.equals(efi)).toBe(true);
    expect(img.readFile(GRUB)?.equals(grub)).toBe(true);
    expect(img.readFile('/efi/XenServer/GRUB.CFG')?.equals(grub)).toBe(true);
    expect(img.readFile('\\EFI\\boot\\bootx64.efi')?.equals(efi)).toBe(true);
    expect(img.list()).toEqual([EFI, GRUB]);
  });

  const cases: [string, (bpc: number) => number][] = [
    ['shorter (frees a cluster)', () => 200],
    ['slightly longer (crosses a cluster boundary)', (c) => 2 * c + 10],
    ['exactly two clusters', (c) => 2 * c],
    ['much longer', (c) => 20 * c + 7],
    ['empty', () => 0],
  ];

  it.each(cases)('replaces grub.cfg: %s', (_name, size) => {
    const data = grubText(size(bpc), 'patched');
    const before = Buffer.from(original);
    const img = openFat(original, path);
    const result = img.replaceFile(GRUB, data);
    expect(original.equals(before)).toBe(true); // the input is left alone

    const out = join(tmp, `${kind}-out.img`);
    writeFileSync(out, result);
    expect(mtype(out, GRUB).equals(data)).toBe(true);
    expect(mcopyOut(out, EFI).equals(efi)).toBe(true);
    const oldClusters = Math.ceil(grub.length / bpc);
    const newClusters = Math.ceil(data.length / bpc);
    expect(expectClean(out)).toBe(usedBefore - oldClusters + newClusters);

    const again = openFat(result, out);
    expect(again.readFile(GRUB)?.equals(data)).toBe(true);
    expect(again.list()).toEqual([EFI, GRUB]);

    // Deterministic: same input and data give the same bytes.
    expect(openFat(Buffer.from(original), 'copy').replaceFile(GRUB, Buffer.from(data)).equals(result)).toBe(true);

    // Only the FATs, the entry's cluster/size fields, FSInfo's free count and the file's clusters moved.
    const { bpb } = img;
    const entryAt = shortEntryOffset(original, 'GRUB    CFG');
    const entry = decodeShortEntry(result, entryAt, bpb.fatType === 'FAT32');
    expect(entry.size).toBe(data.length);
    const newFat = result.subarray(fatOffset(bpb, 0), fatOffset(bpb, 1));
    const chain = followChain(newFat, bpb, entry.firstCluster, out, GRUB).clusters;
    expect(chain.length).toBe(newClusters);
    if (chain.length > 0) {
      // The slack after the data in the last cluster is zeroed, not left with old content.
      const lastAt = clusterOffset(bpb, chain[chain.length - 1]);
      const used = data.length - (chain.length - 1) * bpc;
      expect(result.subarray(lastAt + used, lastAt + bpc).every((x) => x === 0)).toBe(true);
    }
    const fatsEnd = fatOffset(bpb, bpb.numFats);
    const entryFields = new Set([20, 21, 26, 27, 28, 29, 30, 31].map((i) => entryAt + i));
    const fsInfoFree = bpb.fsInfoSector * bpb.bytesPerSector + 488;
    const inChain = (o: number) => chain.some((c) => o >= clusterOffset(bpb, c) && o < clusterOffset(bpb, c) + bpc);
    const stray = changedOffsets(original, result).filter(
      (o) => !(o >= fatOffset(bpb, 0) && o < fatsEnd) && !entryFields.has(o) && !(bpb.fatType === 'FAT32' && o >= fsInfoFree && o < fsInfoFree + 4) && !inChain(o),
    );
    expect(stray).toEqual([]);

    // All FAT copies agree.
    for (let copy = 1; copy < bpb.numFats; copy++) {
      expect(result.subarray(fatOffset(bpb, copy), fatOffset(bpb, copy + 1)).equals(newFat)).toBe(true);
    }
    // The old chain is reused from its start; new clusters are the lowest free ones.
    const oldFat = original.subarray(fatOffset(bpb, 0), fatOffset(bpb, 1));
    const oldChain = followChain(oldFat, bpb, decodeShortEntry(original, entryAt, bpb.fatType === 'FAT32').firstCluster, path, GRUB).clusters;
    expect(chain.slice(0, Math.min(chain.length, oldChain.length))).toEqual(oldChain.slice(0, chain.length));
    const added = chain.slice(oldChain.length);
    for (const c of added) expect(readFatEntry(oldFat, bpb.fatType, c)).toBe(0);
    if (added.length > 0) {
      for (let c = 2; c < Math.max(...added); c++) {
        if (readFatEntry(oldFat, bpb.fatType, c) === 0) expect(added).toContain(c);
      }
    }
    if (data.length === 0) expect(entry.firstCluster).toBe(0);
    if (bpb.fatType === 'FAT32') {
      expect(decodeFsInfo(result, bpb.fsInfoSector * bpb.bytesPerSector)?.freeCount).toBe(bpb.clusterCount - (usedBefore - oldClusters + newClusters));
    }
  });

  it('grows then shrinks again, freeing the clusters it took', () => {
    const long = openFat(original, path).replaceFile(GRUB, grubText(30 * bpc, 'long'));
    const short = openFat(long, 'long').replaceFile(GRUB, grubText(10, 'short'));
    const out = join(tmp, `${kind}-shrunk.img`);
    writeFileSync(out, short);
    expect(mtype(out, GRUB).toString()).toBe(grubText(10, 'short').toString());
    expect(expectClean(out)).toBe(usedBefore - Math.ceil(grub.length / bpc) + 1);
    expect(mcopyOut(out, EFI).equals(efi)).toBe(true);
  });

  it('replaces BOOTX64.EFI too, keeping grub.cfg', () => {
    const bigger = randomBytes(300 * 1024, `efi2-${kind}`);
    const result = openFat(original, path).replaceFile(EFI, bigger);
    const out = join(tmp, `${kind}-efi.img`);
    writeFileSync(out, result);
    expect(mcopyOut(out, EFI).equals(bigger)).toBe(true);
    expect(mtype(out, GRUB).equals(grub)).toBe(true);
    expectClean(out);
  });

  it('rejects a file that does not exist, a directory, and a full image', () => {
    const img = openFat(original, path);
    expect(img.readFile('EFI/xenserver/missing.cfg')).toBeUndefined();
    expect(img.readFile('EFI/nope/grub.cfg')).toBeUndefined();
    expect(img.readFile(`${EFI}/inside`)).toBeUndefined();
    expect(img.readFile('')).toBeUndefined();
    expect(() => img.replaceFile('EFI/xenserver/missing.cfg', Buffer.from('x'))).toThrow(SuppackError);
    expect(() => img.replaceFile('EFI/xenserver/missing.cfg', Buffer.from('x'))).toThrow(`${path}: EFI/xenserver/missing.cfg: expected an existing file`);
    expect(() => img.readFile('EFI/BOOT')).toThrow(/EFI\/BOOT: expected a file, found a directory/);
    expect(() => img.replaceFile('efi/boot', Buffer.from('x'))).toThrow(SuppackError);
    const tooBig = Buffer.alloc(img.bpb.clusterCount * bpc);
    expect(() => img.replaceFile(GRUB, tooBig)).toThrow(/the image is full: \d+ more clusters of \d+ bytes needed, \d+ free/);
  });
});

describe('8.3-only names and long names', () => {
  let path: string;
  let upper: Buffer;
  let lower: Buffer;
  let long: Buffer;

  beforeAll(() => {
    path = join(tmp, 'names.img');
    makeImage('mformat-2880k', path);
    mmd(path, 'EFI', 'EFI/xenserver');
    upper = grubText(700, 'upper');
    lower = grubText(1500, 'lower');
    long = grubText(2500, 'long');
    mcopyIn(path, tmp, upper, 'GRUB.CFG');
    mcopyIn(path, tmp, lower, 'EFI/xenserver/grub.cfg');
    mcopyIn(path, tmp, long, 'EFI/xenserver/grub-long-name.cfg');
  });

  it('lists short names as written (upper case, or lower case per DIR_NTRes) and long names', () => {
    const original = readFileSync(path);
    // mcopy stores both as bare 8.3 entries, no long name entries.
    expect(original.indexOf(Buffer.from('GRUB    CFG', 'latin1'))).toBeGreaterThan(0);
    expect(openFat(original, path).list()).toEqual(['EFI/xenserver/grub.cfg', 'EFI/xenserver/grub-long-name.cfg', 'GRUB.CFG']);
  });

  it('finds a file by its 8.3 name in any case, and a long-named file by its 8.3 alias', () => {
    const img = openFat(readFileSync(path), path);
    expect(img.readFile('grub.cfg')?.equals(upper)).toBe(true);
    expect(img.readFile('GRUB.CFG')?.equals(upper)).toBe(true);
    expect(img.readFile('efi/xenserver/GRUB.cfg')?.equals(lower)).toBe(true);
    expect(img.readFile('EFI/XENSER~1/GRUB-L~1.CFG')?.equals(long)).toBe(true);
    expect(img.readFile('EFI/xenserver/GRUB-LONG-NAME.CFG')?.equals(long)).toBe(true);
  });

  it('replaces an 8.3-only file and a file named by its alias', () => {
    const first = openFat(readFileSync(path), path).replaceFile('grub.cfg', grubText(1100, 'new-upper'));
    const second = openFat(first, 'first').replaceFile('efi/xenser~1/grub-l~1.cfg', grubText(4000, 'new-long'));
    const out = join(tmp, 'names-out.img');
    writeFileSync(out, second);
    expect(mtype(out, 'GRUB.CFG').equals(grubText(1100, 'new-upper'))).toBe(true);
    expect(mtype(out, 'EFI/xenserver/grub-long-name.cfg').equals(grubText(4000, 'new-long'))).toBe(true);
    expect(mtype(out, 'EFI/xenserver/grub.cfg').equals(lower)).toBe(true);
    expectClean(out);
  });
});

describe('inputs that are not usable FAT images', () => {
  const expectError = (image: Buffer, pattern: RegExp) => {
    let caught: unknown;
    try {
      openFat(image, 'efiboot.img');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SuppackError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^efiboot\.img: /);
    expect(message).not.toContain('\n');
    expect(message).toMatch(pattern);
  };

  it('rejects zeros, short input and a truncated image', () => {
    expectError(Buffer.alloc(2949120), /BS_jmpBoot: expected a jump instruction.*not a FAT image/);
    expectError(Buffer.alloc(100), /expected a FAT image of at least 512 bytes, got 100/);
    const path = join(tmp, 'trunc.img');
    makeImage('mformat-2880k', path);
    const whole = readFileSync(path);
    expectError(whole.subarray(0, 700 * 1024), /expected 2949120 bytes \(5760 sectors of 512\), got 716800; the image is truncated/);
    expect(openFat(whole, 'ok').list()).toEqual([]);
  });

  it('rejects an ISO 9660 image and random bytes', () => {
    expectError(randomBytes(64 * 1024, 'noise'), /not a FAT image|expected/);
    const iso = Buffer.alloc(64 * 1024);
    iso.write('\x01CD001', 32768, 'latin1');
    expectError(iso, /not a FAT image/);
  });

  it('rejects a broken cluster chain when reading', () => {
    const path = join(tmp, 'loop.img');
    makeImage('mformat-2880k', path);
    mcopyIn(path, tmp, grubText(3000, 'x'), 'GRUB.CFG');
    const image = readFileSync(path);
    const img = openFat(image, 'loop.img');
    const entry = decodeShortEntry(image, shortEntryOffset(image, 'GRUB    CFG'), false);
    const broken = Buffer.from(image);
    // FAT12 entry of the first cluster links back to itself, in both copies.
    const { bpb } = img;
    for (let copy = 0; copy < bpb.numFats; copy++) {
      const fat = broken.subarray(fatOffset(bpb, copy), fatOffset(bpb, copy + 1));
      const at = entry.firstCluster + (entry.firstCluster >> 1);
      const word = fat.readUInt16LE(at);
      fat.writeUInt16LE(entry.firstCluster & 1 ? (word & 0xf) | (entry.firstCluster << 4) : (word & 0xf000) | entry.firstCluster, at);
    }
    expect(() => openFat(broken, 'loop.img').readFile('GRUB.CFG')).toThrow(/loop\.img: GRUB\.CFG: cluster chain: expected a chain that ends/);
    expect(() => openFat(broken, 'loop.img').replaceFile('GRUB.CFG', Buffer.from('x'))).toThrow(SuppackError);
  });
});
