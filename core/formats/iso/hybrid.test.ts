import { randomBytes } from '../../../testing/random';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { ISOLINUX_BIN, buildBootIso, makeBootTree } from './append/testing';
import { catalogEntries, hasBootInfoTable, patchBootInfoTable, wholeImageSectorCount } from './eltorito';
import { crc32, decodeGptEntries, decodeGptHeader, decodeMbr, encodeChs, encodeGptHeader, geometryOf, growSystemArea } from './hybrid';
import {runBinary } from './testing';

let work: string;
let image: Buffer;
let area: Buffer;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'suppack-iso-hybrid-'));
  mkdirSync(join(work, 'src'));
  makeBootTree(join(work, 'src'));
  image = readFileSync(buildBootIso(join(work, 'src'), join(work, 'in.iso')));
  area = image.subarray(0, 32768);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** LBA (2048-byte blocks) of `path` in the test image, from isoinfo. */
function lbaOf(name: string): number {
  const out = runBinary('isoinfo', ['-R', '-l', '-i', join(work, 'in.iso')]).toString();
  return Number(new RegExp(`\\[\\s*(\\d+) 00\\]  ${name.replace('.', '\\.')}`).exec(out)?.[1]);
}

describe('crc32 and CHS', () => {
  test('crc32 is the IEEE CRC-32 (check value, and equal to zlib on random data)', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = randomBytes(100_003, 8);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(data.subarray(5000), crc32(data.subarray(0, 5000)))).toBe(zlibCrc32(data));
  });

  test('encodeChs: the CHS end xorriso writes for a 3 MiB image, capped at cylinder 1023', () => {
    const g = { heads: 64, sectors: 32 };
    expect([...encodeChs(6143, g)]).toEqual([0x3f, 0x20, 0x02]);
    expect([...encodeChs(0, g)]).toEqual([0, 1, 0]);
    expect([...encodeChs(2048 * 2000, g)]).toEqual([63, 32 | 0xc0, 0xff]);
  });
});

describe('decode the xorriso isohybrid System Area', () => {
  test('MBR: p1 0x00 bootable over the whole image, p2 0xEF over efiboot.img; 64×32 geometry', () => {
    const parts = decodeMbr(area) as NonNullable<ReturnType<typeof decodeMbr>>;
    expect(parts[0]).toMatchObject({ status: 0x80, type: 0, start: 0, sectors: image.length / 512 });
    expect(parts[1]).toMatchObject({ type: 0xef, start: lbaOf('efiboot.img') * 4, sectors: 1024 * 2 });
    expect(geometryOf(parts)).toEqual({ heads: 64, sectors: 32 });
    expect(decodeMbr(Buffer.alloc(512))).toBeUndefined();
  });

  test('GPT: header fields and entries; encodeGptHeader reproduces the header bytes', () => {
    const h = decodeGptHeader(area.subarray(512, 1024));
    expect(h).toMatchObject({ currentLba: 1, backupLba: image.length / 512 - 1, firstUsable: 64, entriesLba: 2, entryCount: 248, entrySize: 128 });
    if (!h) return;
    expect(encodeGptHeader(h).equals(area.subarray(512, 1024))).toBe(true);
    const entries = decodeGptEntries(area.subarray(1024, 1024 + 248 * 128), h);
    expect(entries.map((e) => [e.index, e.firstLba, e.lastLba])).toEqual([
      [0, 0, h.lastUsable - 1],
      [1, lbaOf('efiboot.img') * 4, lbaOf('efiboot.img') * 4 + 2047],
    ]);
    const bad = Buffer.from(area.subarray(512, 1024));
    bad[100] ^= 1; // inside the header, past the 92 bytes: not covered by the CRC
    expect(decodeGptHeader(bad)).toBeDefined();
    bad[60] ^= 1;
    expect(() => decodeGptHeader(bad)).toThrow(SuppackError);
    expect(() => decodeGptHeader(bad)).toThrow(/GPT header: header CRC32 does not match/);
  });
});

describe('growSystemArea', () => {
  const MIB = 1 << 20;

  test('+2 MiB: the ISO partitions grow, the EFI one stays, CRCs are redone, the backup GPT goes to the new end', () => {
    const oldBytes = image.length;
    const newBytes = oldBytes + 2 * MIB;
    const g = growSystemArea(area, { oldBytes, newBytes, isoEnd: oldBytes - MIB, moved: [] });
    const parts = decodeMbr(g.systemArea) as NonNullable<ReturnType<typeof decodeMbr>>;
    expect(parts[0]).toMatchObject({ start: 0, sectors: newBytes / 512 });
    expect([...parts[0].chsEnd]).toEqual([...encodeChs(newBytes / 512 - 1, { heads: 64, sectors: 32 })]);
    expect(parts[1]).toEqual((decodeMbr(area) as NonNullable<ReturnType<typeof decodeMbr>>)[1]);
    const h = decodeGptHeader(g.systemArea.subarray(512, 1024));
    expect(h).toMatchObject({ backupLba: newBytes / 512 - 1, lastUsable: newBytes / 512 - 64 });
    const array = g.systemArea.subarray(1024, 1024 + 248 * 128);
    expect(zlibCrc32(array)).toBe(h?.entriesCrc);
    expect(decodeGptEntries(array, h as NonNullable<typeof h>)[0].lastLba).toBe(newBytes / 512 - 65);
    // Only the MBR p1 entry, the GPT header and entry #1's last LBA changed.
    const changed: number[] = [];
    for (let i = 0; i < area.length; i++) if (area[i] !== g.systemArea[i]) changed.push(i);
    expect(changed.every((i) => (i >= 446 && i < 462) || (i >= 512 && i < 604) || (i >= 1024 + 40 && i < 1024 + 48))).toBe(true);
    // Backup: entry array then header, ending at the new end.
    const b = g.backupGpt as NonNullable<typeof g.backupGpt>;
    expect(b.offset + b.bytes.length).toBe(newBytes);
    expect(b.bytes.subarray(0, 248 * 128).equals(array)).toBe(true);
    const backup = decodeGptHeader(b.bytes.subarray(b.bytes.length - 512));
    expect(backup).toMatchObject({ currentLba: newBytes / 512 - 1, backupLba: 1, entriesLba: newBytes / 512 - 63, entriesCrc: h?.entriesCrc });
  });

  test('a moved EFI image: MBR p2 and GPT #2 follow it with the new size', () => {
    const g = growSystemArea(area, { oldBytes: image.length, newBytes: image.length, isoEnd: image.length - MIB, moved: [{ oldLba: lbaOf('efiboot.img'), newLba: 999, newBytes: 3 * MIB + 1 }] });
    const parts = decodeMbr(g.systemArea) as NonNullable<ReturnType<typeof decodeMbr>>;
    expect(parts[1]).toMatchObject({ type: 0xef, start: 999 * 4, sectors: 6145 });
    const h = decodeGptHeader(g.systemArea.subarray(512, 1024)) as NonNullable<ReturnType<typeof decodeGptHeader>>;
    expect(decodeGptEntries(g.systemArea.subarray(1024, 1024 + 248 * 128), h)[1]).toMatchObject({ firstLba: 3996, lastLba: 3996 + 6144 });
  });

  test('no MBR/GPT: unchanged; a damaged entry array: SuppackError', () => {
    const zeros = randomBytes(32768, 3);
    zeros[510] = 0;
    expect(growSystemArea(zeros, { oldBytes: MIB, newBytes: 2 * MIB, isoEnd: MIB, moved: [] })).toEqual({ systemArea: zeros });
    const bad = Buffer.from(area);
    bad[1024 + 200] ^= 0xff;
    expect(() => growSystemArea(bad, { oldBytes: image.length, newBytes: image.length, isoEnd: 0, moved: [] })).toThrow(/GPT entries: partition entry array CRC32 does not match/);
  });
});

describe('El Torito helpers against xorriso', () => {
  test('catalogEntries finds the BIOS and the EFI entry', () => {
    const lba = image.readUInt32LE(17 * 2048 + 71);
    const refs = catalogEntries(image.subarray(lba * 2048, lba * 2048 + 2048));
    expect(refs).toEqual([
      { offset: 32, platform: 0, mediaType: 0, sectorCount: 4, loadLba: lbaOf('isolinux.bin') },
      { offset: 96, platform: 0xef, mediaType: 0, sectorCount: 2048, loadLba: lbaOf('efiboot.img') },
    ]);
    expect(wholeImageSectorCount(1024 * 1024, 0xef)).toBe(2048);
    expect(wholeImageSectorCount(64 * 1024 * 1024, 0xef)).toBe(0);
    expect(wholeImageSectorCount(64 * 1024 * 1024, 0)).toBe(0xffff);
  });

  test('patchBootInfoTable gives exactly the isolinux.bin xorriso wrote', () => {
    const lba = lbaOf('isolinux.bin');
    const original = readFileSync(ISOLINUX_BIN);
    const inIso = image.subarray(lba * 2048, lba * 2048 + original.length);
    expect(patchBootInfoTable(original, lba).equals(inIso)).toBe(true);
    expect(hasBootInfoTable(inIso, lba, original.length)).toBe(true);
    expect(hasBootInfoTable(original, lba, original.length)).toBe(false);
  });
});
