import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBpb } from './bpb';
import { ATTR, decodeDirectory, decodeShortEntry, patchShortEntry, shortNameChecksum, shortNameText } from './directory';
import { grubText, makeImage, mcopyIn } from './testing';

/** 6: a short entry built by hand. */
function short(name11: string, opts: { attr?: number; ntRes?: number; cluster?: number; size?: number } = {}): Buffer {
  const b = Buffer.alloc(32);
  b.write(name11, 0, 'latin1');
  b[11] = opts.attr ?? ATTR.ARCHIVE;
  b[12] = opts.ntRes ?? 0;
  b.writeUInt16LE((opts.cluster ?? 0) >>> 16, 20);
  b.writeUInt16LE((opts.cluster ?? 0) & 0xffff, 26);
  b.writeUInt32LE(opts.size ?? 0, 28);
  return b;
}

/** 7: the long name entries (last first) for `name`, belonging to short name `name11`. */
function long(name: string, name11: string, checksum = shortNameChecksum(Buffer.from(name11, 'latin1'))): Buffer[] {
  const units = [...Buffer.from(name, 'utf16le')].length / 2;
  const all: number[] = [];
  const raw = Buffer.from(name, 'utf16le');
  for (let i = 0; i < units; i++) all.push(raw.readUInt16LE(i * 2));
  all.push(0);
  while (all.length % 13 !== 0) all.push(0xffff);
  const entries: Buffer[] = [];
  for (let k = 0; k < all.length / 13; k++) {
    const e = Buffer.alloc(32);
    const part = all.slice(k * 13, k * 13 + 13);
    e[0] = (k + 1) | (k === all.length / 13 - 1 ? 0x40 : 0);
    e[11] = ATTR.LONG_NAME;
    e[13] = checksum;
    part.slice(0, 5).forEach((u, i) => e.writeUInt16LE(u, 1 + 2 * i));
    part.slice(5, 11).forEach((u, i) => e.writeUInt16LE(u, 14 + 2 * i));
    part.slice(11, 13).forEach((u, i) => e.writeUInt16LE(u, 28 + 2 * i));
    entries.push(e);
  }
  return entries.reverse();
}

let tmp: string | undefined;
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('short names (6)', () => {
  it('formats 8.3 names and honours the DIR_NTRes case bits', () => {
    expect(shortNameText(Buffer.from('GRUB    CFG'))).toBe('GRUB.CFG');
    expect(shortNameText(Buffer.from('GRUB    CFG'), 0x18)).toBe('grub.cfg');
    expect(shortNameText(Buffer.from('GRUB    CFG'), 0x08)).toBe('grub.CFG');
    expect(shortNameText(Buffer.from('README     '))).toBe('README');
  });

  it('reads a leading 05 as E5 and the high cluster word only on FAT32', () => {
    const e = short('\x05BC     TXT', { cluster: 0x12345, size: 77 });
    expect(decodeShortEntry(e, 0, false)).toMatchObject({ firstCluster: 0x2345, size: 77 });
    expect(decodeShortEntry(e, 0, true).firstCluster).toBe(0x12345);
    expect(decodeShortEntry(e, 0, true).name[0]).toBe(0xe5);
  });

  it('patches only the cluster and size fields', () => {
    const e = short('GRUB    CFG', { cluster: 9, size: 5 });
    e.fill(0x5a, 13, 20);
    e.fill(0x5a, 22, 26);
    const before = Buffer.from(e);
    patchShortEntry(e, 0, false, 0x1234, 4096);
    expect(decodeShortEntry(e, 0, false)).toMatchObject({ firstCluster: 0x1234, size: 4096 });
    const changed = [...e.keys()].filter((i) => e[i] !== before[i]);
    expect(changed.every((i) => [26, 27, 28, 29, 30, 31].includes(i))).toBe(true);
  });
});

describe('directories and long names (6, 7)', () => {
  it('joins long name entries whose checksum matches and skips ., .., labels and free slots', () => {
    const dir = Buffer.concat([
      short('.          ', { attr: ATTR.DIRECTORY }),
      short('..         ', { attr: ATTR.DIRECTORY }),
      short('BOOTVOL    ', { attr: ATTR.VOLUME_ID }),
      ...long('grub-long-name.cfg', 'GRUB-L~1CFG'),
      short('GRUB-L~1CFG', { cluster: 5, size: 10 }),
      Buffer.concat([Buffer.from([0xe5]), short('DELETED TXT').subarray(1)]),
      ...long('Wrong Sum.cfg', 'WRONGS~1CFG', 0x42),
      short('WRONGS~1CFG', { cluster: 6 }),
      ...long('日本語のファイル名はとても長い.txt', 'FILE~1  TXT'),
      short('FILE~1  TXT', { cluster: 7 }),
      short('SUB        ', { attr: ATTR.DIRECTORY, cluster: 8 }),
      Buffer.alloc(32),
      short('AFTER   TXT'),
    ]);
    const entries = decodeDirectory(dir, false);
    expect(entries.map((e) => [e.name, e.shortName, e.firstCluster, e.isDirectory])).toEqual([
      ['grub-long-name.cfg', 'GRUB-L~1.CFG', 5, false],
      ['WRONGS~1.CFG', 'WRONGS~1.CFG', 6, false],
      ['日本語のファイル名はとても長い.txt', 'FILE~1.TXT', 7, false],
      ['SUB', 'SUB', 8, true],
    ]);
    expect(entries[0].index).toBe(5);
    expect(entries[0].size).toBe(10);
  });

  it('drops a long name whose entries are out of order', () => {
    const parts = long('a-rather-long-name-indeed.txt', 'A-RATH~1TXT');
    expect(parts.length).toBe(3);
    const dir = Buffer.concat([parts[0], parts[2], parts[1], short('A-RATH~1TXT')]);
    expect(decodeDirectory(dir, false).map((e) => e.name)).toEqual(['A-RATH~1.TXT']);
  });

  it('computes the same checksum (7.2) as mtools writes', () => {
    tmp = mkdtempSync(join(tmpdir(), 'suppack-fatdir-'));
    const path = join(tmp, 'lfn.img');
    makeImage('mformat-2880k', path);
    mcopyIn(path, tmp, grubText(10, 'x'), 'grub-long-name.cfg');
    const image = readFileSync(path);
    const bpb = decodeBpb(image, path);
    const rootAt = (bpb.reservedSectors + bpb.numFats * bpb.fatSectors) * bpb.bytesPerSector;
    const root = image.subarray(rootAt, rootAt + bpb.rootDirSectors * bpb.bytesPerSector);
    const shortAt = root.indexOf(Buffer.from('GRUB-L~1CFG'));
    expect(shortAt).toBeGreaterThan(0);
    expect(root[shortAt - 32 + 11]).toBe(ATTR.LONG_NAME);
    expect(root[shortAt - 32 + 13]).toBe(shortNameChecksum(Buffer.from('GRUB-L~1CFG')));
    expect(decodeDirectory(root, false)[0].name).toBe('grub-long-name.cfg');
  });
});
