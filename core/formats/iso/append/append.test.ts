import { randomBytes } from '../../../../testing/random';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../../base/errors';
import { type AppendChanges, appendSession, beginAppendSession } from '.';
import { type InputTree, ISOLINUX_BIN, buildBootIso, buildXcpngStyleIso, copy, fatImage, makeBootTree, reportLines, xorrisoReport } from './testing';
import {isoinfoLbas, parseIsoinfoListing, run, runBinary } from '../testing';
import { type IsoWritten, writeIso } from '../writer';
import type { IsoEntry } from '../tree';

const EPOCH = 1_700_000_000;
const MIB = 1 << 20;

let work: string;
let tree: InputTree;
let input: string;
let inputReport: string;
let out: string;
let result: IsoWritten;
const progress: Array<{ written: number; total: number }> = [];
const newCfg = Buffer.from('default xe\nlabel xe\n  kernel mboot.c32\n  append answerfile=file:///answerfile.xml\n');
const bigRpm = randomBytes(2_500_000, 77);

function changes(dir: string): AppendChanges {
  writeFileSync(join(dir, 'isolinux.cfg'), newCfg);
  return {
    files: [
      { path: 'boot/isolinux/isolinux.cfg', kind: 'file', size: newCfg.length, source: join(dir, 'isolinux.cfg') },
      { path: 'packages.foo', kind: 'dir' },
      { path: 'packages.foo/foo-1.0.rpm', kind: 'file', size: bigRpm.length, source: () => Readable.from([bigRpm]) },
      { path: 'packages.foo/repodata/repomd.xml', kind: 'file', size: 6, source: () => Readable.from([Buffer.from('<repo>')]) },
      { path: 'answerfile.xml', kind: 'file', size: 9, source: () => Readable.from([Buffer.from('<answer/>')]) },
      { path: 'packages.foo/latest', kind: 'symlink', target: 'foo-1.0.rpm' },
    ],
    remove: ['EULA'],
  };
}

/** Expected content of every file in the new tree. */
function expectedFiles(): Record<string, Buffer> {
  const files = { ...tree.files };
  delete files.EULA;
  return {
    ...files,
    'boot/isolinux/isolinux.cfg': newCfg,
    'packages.foo/foo-1.0.rpm': bigRpm,
    'packages.foo/repodata/repomd.xml': Buffer.from('<repo>'),
    'answerfile.xml': Buffer.from('<answer/>'),
  };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'suppack-iso-append-'));
  mkdirSync(join(work, 'src'));
  tree = makeBootTree(join(work, 'src'));
  input = buildBootIso(join(work, 'src'), join(work, 'in.iso'));
  inputReport = xorrisoReport(input);
  out = join(work, 'out.iso');
  result = await appendSession(input, out, changes(work), { epoch: EPOCH, onProgress: (p) => progress.push(p) });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('appendSession on an xorriso isohybrid image (BIOS + EFI El Torito)', () => {
  test('result: size of the bytes on disk, progress up to the total, no temp file left', () => {
    const data = readFileSync(out);
    expect(result.bytes).toBe(data.length);
    expect(progress.map((p) => p.written)).toEqual([...progress.map((p) => p.written)].sort((x, y) => x - y));
    expect(progress.at(-1)).toEqual({ written: data.length, total: data.length });
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('the image grew to whole 1 MiB cylinders, like the input; the volume space covers it all', () => {
    const size = readFileSync(out).length;
    expect(readFileSync(input).length % MIB).toBe(0);
    expect(size % MIB).toBe(0);
    expect(size).toBeGreaterThan(readFileSync(input).length);
    expect(run('isoinfo', ['-d', '-i', out]).stdout).toContain(`Volume size is: ${size / 2048}\n`);
  });

  test('isoinfo -R -l and -J -l list the new tree with sizes; removed files are gone', () => {
    const want = expectedFiles();
    for (const names of ['-R', '-J']) {
      const r = run('isoinfo', [names, '-l', '-i', out]);
      expect(r.code).toBe(0);
      const listed = parseIsoinfoListing(r.stdout);
      for (const [p, data] of Object.entries(want)) expect(listed.get(p)?.size, `${names} ${p}`).toBe(data.length);
      expect(listed.has('EULA')).toBe(false);
      expect(listed.has('empty-dir')).toBe(true);
      expect(listed.get('packages.foo')?.mode.startsWith('d')).toBe(true);
      if (names === '-R') {
        expect(listed.get('Packages/latest.rpm')?.target).toBe('b.rpm');
        expect(listed.get('packages.foo/latest')?.target).toBe('foo-1.0.rpm');
      }
    }
  });

  test('bsdtar -tf lists exactly the new tree; bsdtar -xOf and isoinfo -R -x give every file exact bytes', () => {
    const want = expectedFiles();
    const listed = run('bsdtar', ['-tf', out]).stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/\/$/, ''));
    const dirs = ['boot', 'boot/isolinux', 'Packages', 'empty-dir', 'packages.foo', 'packages.foo/repodata'];
    const links = ['Packages/latest.rpm', 'packages.foo/latest'];
    expect(new Set(listed.filter((p) => p !== '.'))).toEqual(new Set([...Object.keys(want), 'boot/isolinux/boot.cat', ...dirs, ...links]));
    for (const [p, data] of Object.entries(want)) {
      expect(sha256(runBinary('bsdtar', ['-xOf', out, p])), `bsdtar ${p}`).toBe(sha256(p === 'boot/isolinux/isolinux.bin' ? isoCopy(input, p) : data));
      expect(sha256(runBinary('isoinfo', ['-R', '-x', `/${p}`, '-i', out])), `isoinfo ${p}`).toBe(sha256(p === 'boot/isolinux/isolinux.bin' ? isoCopy(input, p) : data));
    }
  });

  test('old files keep their extents (no data copied); isolinux.cfg went over its old block; no other input byte changed', () => {
    const before = parseIsoinfoListing(run('isoinfo', ['-R', '-l', '-i', input]).stdout);
    const oldLba = isoinfoLbas(input);
    const newLba = isoinfoLbas(out);
    for (const p of ['install.img', 'boot/efiboot.img', 'boot/isolinux/isolinux.bin', 'boot/isolinux/boot.cat', 'Packages/b.rpm', 'boot/isolinux/isolinux.cfg']) {
      expect(before.has(p)).toBe(true);
      expect(newLba.get(p), p).toBe(oldLba.get(p));
    }
    const a = readFileSync(input);
    const b = readFileSync(out);
    const cfg = (oldLba.get('boot/isolinux/isolinux.cfg') as number) * 2048;
    expect(b.subarray(cfg, cfg + 2048).equals(Buffer.concat([newCfg, Buffer.alloc(2048 - newCfg.length)]))).toBe(true);
    const lastOld = Math.max(...[...oldLba.values()]) * 2048;
    expect(b.subarray(20 * 2048, cfg).equals(a.subarray(20 * 2048, cfg))).toBe(true);
    expect(b.subarray(cfg + 2048, lastOld).equals(a.subarray(cfg + 2048, lastOld))).toBe(true);
    // MBR boot code, isolinux.bin LBA (432-435) and MBR id are kept byte for byte.
    expect(b.subarray(0, 446).equals(a.subarray(0, 446))).toBe(true);
  });

  test('xorriso reports the same El Torito setup (catalog, entries, LBAs, boot info table, isohybrid)', () => {
    const report = xorrisoReport(out);
    for (const prefix of ['El Torito catalog', 'El Torito cat path', 'El Torito boot img', 'El Torito img path', 'El Torito img opts', 'Boot record', 'System area summary', 'MBR heads', 'MBR secs']) {
      expect(reportLines(report, prefix), prefix).toEqual(reportLines(inputReport, prefix));
      expect(reportLines(report, prefix).length, prefix).toBeGreaterThan(0);
    }
    expect(report).not.toMatch(/SORRY|FAILURE|MISHAP|problems/);
  });

  test('MBR and GPT grew with the image: ISO partitions cover it, EFI partition unchanged, CRCs valid', () => {
    const sectors = readFileSync(out).length / 512;
    const report = xorrisoReport(out);
    expect(reportLines(report, 'ISO image size/512')).toEqual([`ISO image size/512 : ${sectors}`]);
    expect(reportLines(report, 'MBR partition      :   1')[0]).toMatch(new RegExp(`0x80\\s+0x00\\s+0\\s+${sectors}$`));
    expect(reportLines(report, 'MBR partition      :   2')).toEqual(reportLines(inputReport, 'MBR partition      :   2'));
    expect(reportLines(report, 'GPT lba range')).toEqual([`GPT lba range      :      64  ${sectors - 64}  ${sectors - 1}`]);
    expect(reportLines(report, 'GPT start and size :   1')).toEqual([`GPT start and size :   1  0  ${sectors - 64}`]);
    expect(reportLines(report, 'GPT start and size :   2')).toEqual(reportLines(inputReport, 'GPT start and size :   2'));
    expect(reportLines(report, 'GPT partition path')).toEqual(reportLines(inputReport, 'GPT partition path'));
    checkGptCrcs(readFileSync(out));
  });

  test('sgdisk -v finds no more problems than on the input; fdisk -l shows the grown partition', () => {
    const v = (iso: string) => run('sgdisk', ['-v', iso]).stdout.replace(iso, 'X');
    expect(v(out)).toBe(v(input));
    const sectors = readFileSync(out).length / 512;
    expect(run('fdisk', ['-l', out]).stdout).toMatch(new RegExp(`${out}1 +\\* +0 +${sectors - 1} +${sectors} `));
  });

  test('same inputs twice → identical bytes', async () => {
    const again = join(work, 'again.iso');
    await appendSession(input, again, changes(work), { epoch: EPOCH });
    expect(sha256(readFileSync(again))).toBe(sha256(readFileSync(out)));
    await appendSession(input, join(work, 'other.iso'), changes(work), { epoch: EPOCH + 1 });
    expect(sha256(readFileSync(join(work, 'other.iso')))).not.toBe(sha256(readFileSync(out)));
  });

  test('appending to the appended image again works (the last session is the tree)', async () => {
    const twice = join(work, 'twice.iso');
    await appendSession(out, twice, { files: [{ path: 'second.txt', kind: 'file', size: 3, source: () => Readable.from([Buffer.from('two')]) }], remove: ['answerfile.xml'] }, { epoch: EPOCH, volumeId: 'XS-TWICE' });
    expect(runBinary('bsdtar', ['-xOf', twice, 'second.txt']).toString()).toBe('two');
    expect(sha256(runBinary('bsdtar', ['-xOf', twice, 'packages.foo/foo-1.0.rpm']))).toBe(sha256(bigRpm));
    expect(run('bsdtar', ['-tf', twice]).stdout).not.toContain('answerfile.xml');
    expect(run('isoinfo', ['-d', '-i', twice]).stdout).toContain('Volume id: XS-TWICE\n');
    const report = xorrisoReport(twice);
    expect(reportLines(report, 'El Torito boot img')).toEqual(reportLines(inputReport, 'El Torito boot img'));
    expect(report).not.toMatch(/SORRY|FAILURE|problems/);
    checkGptCrcs(readFileSync(twice));
  });
});

describe('appendSession on a genisoimage + isohybrid --uefi image (XCP-ng create-iso.sh)', () => {
  let xcp: string;
  let xcpReport: string;
  beforeAll(() => {
    xcp = buildXcpngStyleIso(join(work, 'src'), join(work, 'xcp-in.iso'));
    xcpReport = xorrisoReport(xcp);
  });
  const isoSectors = (report: string) => Number(reportLines(report, 'ISO image size/512')[0]?.split(':')[1]);
  const small: AppendChanges = { files: [{ path: 'small.txt', kind: 'file', size: 5, source: () => Readable.from([Buffer.from('small')]) }] };
  const big: AppendChanges = { files: [{ path: 'big.rpm', kind: 'file', size: bigRpm.length, source: () => Readable.from([bigRpm]) }] };

  test.each([
    ['a small change, inside the cylinder padding', small, 'small.txt', Buffer.from('small')],
    ['a 2.5 MB file, the image grows by whole cylinders', big, 'big.rpm', bigRpm],
  ] as const)('%s: GPT partition 1 covers the new volume, MBR partition 1 the file, the EFI partition is kept', async (_, change, path, data) => {
    const output = join(work, `xcp-${path}.iso`);
    await appendSession(xcp, output, change, { epoch: EPOCH });
    const report = xorrisoReport(output);
    const sectors = readFileSync(output).length / 512;
    expect(sectors % 2048).toBe(0);
    const volume = isoSectors(report);
    expect(volume).toBeGreaterThan(isoSectors(xcpReport));
    expect(volume).toBeLessThan(sectors);
    // isohybrid: GPT partition 1 is the volume space, MBR partition 1 the whole padded file.
    expect(reportLines(xcpReport, 'GPT start and size :   1')).toEqual([`GPT start and size :   1  0  ${isoSectors(xcpReport)}`]);
    expect(reportLines(report, 'GPT start and size :   1')).toEqual([`GPT start and size :   1  0  ${volume}`]);
    expect(reportLines(report, 'MBR partition      :   1')[0]).toMatch(new RegExp(`0x80\\s+0x00\\s+0\\s+${sectors}$`));
    for (const prefix of ['MBR partition      :   2', 'MBR partition path', 'GPT start and size :   2', 'GPT partition path', 'El Torito boot img', 'El Torito img path', 'El Torito img opts', 'System area summary']) {
      expect(reportLines(report, prefix), prefix).toEqual(reportLines(xcpReport, prefix));
      expect(reportLines(report, prefix).length, prefix).toBeGreaterThan(0);
    }
    checkGptCrcs(readFileSync(output));
    const verify = (iso: string) => run('sgdisk', ['-v', iso]).stdout.replace(iso, 'X');
    expect(verify(output)).toBe(verify(xcp));
    expect(runBinary('bsdtar', ['-xOf', output, path]).equals(data)).toBe(true);
    expect(runBinary('bsdtar', ['-xOf', output, 'install.img']).equals(tree.files['install.img']!)).toBe(true);
  });
});

describe('appendSession replacing boot images', () => {
  test('a new EFI image: new catalog in the new session, entry, MBR p2 and GPT #2 follow it', async () => {
    const efi = fatImage(join(work, 'efi-new.img'), 2560);
    const o = join(work, 'efi.iso');
    await appendSession(input, o, { files: [{ path: 'boot/efiboot.img', kind: 'file', size: efi.length, source: join(work, 'efi-new.img') }] }, { epoch: EPOCH });
    const listing = run('isoinfo', ['-R', '-l', '-i', o]).stdout;
    const lba = Number(/\[\s*(\d+) 00\]  efiboot\.img/.exec(listing)?.[1]);
    const catLba = Number(/\[\s*(\d+) 00\]  boot\.cat/.exec(listing)?.[1]);
    const oldCat = Number(/\[\s*(\d+) 00\]  boot\.cat/.exec(run('isoinfo', ['-R', '-l', '-i', input]).stdout)?.[1]);
    expect(catLba).not.toBe(oldCat);
    const report = xorrisoReport(o);
    expect(reportLines(report, 'El Torito catalog')).toEqual([`El Torito catalog  : ${catLba}  1`]);
    expect(reportLines(report, 'El Torito cat path')).toEqual(reportLines(inputReport, 'El Torito cat path'));
    const img = reportLines(report, 'El Torito boot img');
    expect(img[0]).toBe(reportLines(inputReport, 'El Torito boot img')[0]);
    expect(img[1]).toMatch(new RegExp(`^El Torito boot img :   2  UEFI  y   none  0x0000  0x00 +${efi.length / 512} +${lba}$`));
    expect(reportLines(report, 'El Torito img path')).toEqual(reportLines(inputReport, 'El Torito img path'));
    expect(reportLines(report, 'El Torito img opts')).toEqual(reportLines(inputReport, 'El Torito img opts'));
    expect(reportLines(report, 'MBR partition      :   2')[0]).toMatch(new RegExp(`0xef +${lba * 4} +${efi.length / 512}$`));
    expect(reportLines(report, 'GPT start and size :   2')).toEqual([`GPT start and size :   2  ${lba * 4}  ${efi.length / 512}`]);
    expect(reportLines(report, 'GPT partition path')).toEqual(reportLines(inputReport, 'GPT partition path'));
    expect(report).not.toMatch(/SORRY|FAILURE|problems/);
    expect(sha256(runBinary('bsdtar', ['-xOf', o, 'boot/efiboot.img']))).toBe(sha256(efi));
    checkGptCrcs(readFileSync(o));
  });

  test('a new isolinux.bin gets a boot info table for its new place and the MBR points at it', async () => {
    const bin = Buffer.from(readFileSync(ISOLINUX_BIN));
    bin.write('patched', bin.length - 16, 'latin1');
    writeFileSync(join(work, 'isolinux-new.bin'), bin);
    const o = join(work, 'bios.iso');
    await appendSession(input, o, { files: [{ path: 'boot/isolinux/isolinux.bin', kind: 'file', size: bin.length, source: join(work, 'isolinux-new.bin') }] }, { epoch: EPOCH });
    const lba = Number(/\[\s*(\d+) 00\]  isolinux\.bin/.exec(run('isoinfo', ['-R', '-l', '-i', o]).stdout)?.[1]);
    const report = xorrisoReport(o);
    expect(reportLines(report, 'El Torito boot img')[0]).toMatch(new RegExp(`BIOS  y   none  0x0000  0x00 +4 +${lba}$`));
    expect(reportLines(report, 'El Torito img opts')).toEqual(['El Torito img opts :   1  boot-info-table isohybrid-suitable']);
    const data = readFileSync(o);
    expect(data.readUInt32LE(432)).toBe(lba * 4);
    const inIso = runBinary('bsdtar', ['-xOf', o, 'boot/isolinux/isolinux.bin']);
    expect(inIso.readUInt32LE(8)).toBe(16);
    expect(inIso.readUInt32LE(12)).toBe(lba);
    expect(inIso.subarray(64).equals(bin.subarray(64))).toBe(true);
    // Same table as xorriso wrote for the original at its LBA, apart from LBA and checksum.
    const orig = isoCopy(input, 'boot/isolinux/isolinux.bin');
    expect(inIso.subarray(16, 20).equals(orig.subarray(16, 20))).toBe(true);
  });
});

describe('appendSession placing changed files over blocks nothing needs any more', () => {
  const lbas = isoinfoLbas;
  const file = (path: string, data: Buffer): IsoEntry => ({ path, kind: 'file', size: data.length, source: () => Readable.from([data]) });
  /** Our writer lays data out sorted by path: a.cfg, install.img, then `after`. */
  async function layout(name: string, after: Record<string, Buffer>): Promise<string> {
    const iso = join(work, `${name}.iso`);
    const files = [file('a.cfg', Buffer.from('old a\n')), file('install.img', img), ...Object.entries(after).map(([p, d]) => file(p, d))];
    await writeIso(files, { volumeId: 'GROW', epoch: EPOCH }, iso);
    return iso;
  }
  const img = randomBytes(50 * 2048, 9);
  const tail = randomBytes(3000, 10);
  const head = randomBytes(1500, 11);
  const smallAfter = { 'j.txt': Buffer.from('just after\n'), 'k.txt': Buffer.from('and after that\n') };
  const bigAfter = { 'z.bin': randomBytes(300 * 2048, 12) };

  test('growth at the end moves the small files after it to the new session; their bytes stay right', async () => {
    const iso = await layout('grow-end', { ...smallAfter, ...bigAfter });
    const o = join(work, 'grow-end-out.iso');
    await appendSession(iso, o, { files: [], extend: [{ path: 'install.img', tail }] }, { epoch: EPOCH });
    const before = lbas(iso);
    const after = lbas(o);
    expect(before.get('z.bin')).toBeGreaterThan(before.get('install.img') as number);
    expect(after.get('install.img')).toBe(before.get('install.img'));
    expect(after.get('z.bin')).toBe(before.get('z.bin'));
    expect(after.get('j.txt')).toBeGreaterThan(before.get('z.bin') as number);
    expect(sha256(runBinary('bsdtar', ['-xOf', o, 'install.img']))).toBe(sha256(Buffer.concat([img, tail])));
    for (const [p, d] of Object.entries({ ...smallAfter, ...bigAfter })) expect(sha256(runBinary('isoinfo', ['-R', '-x', `/${p}`, '-i', o])), p).toBe(sha256(d));
    // The image grew by the new tree and the two moved files, not by install.img.
    expect(readFileSync(o).length - readFileSync(iso).length).toBeLessThan(200 * 2048);
  });

  test('growth at the start takes the block of the replaced file before it when a big file follows', async () => {
    const iso = await layout('grow-start', bigAfter);
    const o = join(work, 'grow-start-out.iso');
    const a = Buffer.from('new a, a little longer\n');
    await appendSession(iso, o, { files: [file('a.cfg', a)], extend: [{ path: 'install.img', tail, head }] }, { epoch: EPOCH });
    const before = lbas(iso);
    const after = lbas(o);
    expect(before.get('install.img')).toBeGreaterThan(20);
    expect(after.get('install.img')).toBe((before.get('install.img') as number) - 1);
    expect(before.get('a.cfg')).toBe((before.get('install.img') as number) - 1);
    expect(after.get('z.bin')).toBe(before.get('z.bin'));
    const grown = Buffer.concat([head, Buffer.alloc(2048 - head.length), img]);
    expect(sha256(runBinary('bsdtar', ['-xOf', o, 'install.img']))).toBe(sha256(grown));
    expect(runBinary('isoinfo', ['-R', '-x', '/a.cfg', '-i', o]).toString()).toBe(a.toString());
    expect(sha256(runBinary('isoinfo', ['-R', '-x', '/z.bin', '-i', o]))).toBe(sha256(bigAfter['z.bin']));
  });

  test('without a cheap place, the grown file goes to the new session; the input stays as it was', async () => {
    const iso = await layout('grow-session', bigAfter);
    const o = join(work, 'grow-session-out.iso');
    await appendSession(iso, o, { files: [], extend: [{ path: 'install.img', tail }] }, { epoch: EPOCH });
    const before = lbas(iso);
    expect(lbas(o).get('install.img')).toBeGreaterThan(before.get('z.bin') as number);
    expect(sha256(runBinary('bsdtar', ['-xOf', o, 'install.img']))).toBe(sha256(Buffer.concat([img, tail])));
    const end = ((before.get('z.bin') as number) + 300) * 2048;
    expect(readFileSync(o).subarray(20 * 2048, end).equals(readFileSync(iso).subarray(20 * 2048, end))).toBe(true);
  });

  test('a changed EFI image of the same size goes over the old one: catalog, MBR and GPT unchanged', async () => {
    const efi = Buffer.from(tree.files['boot/efiboot.img']);
    efi.write('SUPPACK', 3, 'latin1');
    const o = join(work, 'efi-same.iso');
    await appendSession(input, o, { files: [file('boot/efiboot.img', efi)] }, { epoch: EPOCH });
    const report = xorrisoReport(o);
    for (const prefix of ['El Torito catalog', 'El Torito boot img', 'MBR partition      :   2', 'GPT start and size :   2']) {
      expect(reportLines(report, prefix), prefix).toEqual(reportLines(inputReport, prefix));
    }
    expect(lbas(o).get('boot/efiboot.img')).toBe(lbas(input).get('boot/efiboot.img'));
    expect(sha256(runBinary('bsdtar', ['-xOf', o, 'boot/efiboot.img']))).toBe(sha256(efi));
    expect(report).not.toMatch(/SORRY|FAILURE|problems/);
  });

  test('a session begun and aborted (the caller failed while the copy ran) leaves no output and no temp file', async () => {
    const o = join(work, 'aborted.iso');
    const session = await beginAppendSession(input, o);
    await session.abort();
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(session.commit({ files: [] }, { epoch: EPOCH })).rejects.toThrow(/ended/);
  });

  test('an extension of a file that is not in the image, or also replaced, is refused', async () => {
    const o = join(work, 'bad-extend.iso');
    for (const [ch, re] of [
      [{ files: [], extend: [{ path: 'no-such.img', tail }] }, /expected a file of the image/],
      [{ files: [file('install.img', tail)], extend: [{ path: 'install.img', tail }] }, /also replaced, removed or extended twice/],
      [{ files: [], extend: [{ path: 'Packages', tail }] }, /expected a file of the image/],
    ] as Array<[AppendChanges, RegExp]>) {
      const err = await appendSession(input, o, ch, { epoch: EPOCH }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SuppackError);
      expect((err as Error).message).toMatch(re);
      expect(existsSync(o)).toBe(false);
    }
  });
});

describe('appendSession on other inputs and bad inputs', () => {
  test('an input without Joliet and without isohybrid: no Joliet added, size aligned to blocks only', async () => {
    const plain = buildBootIso(join(work, 'src'), join(work, 'plain.iso'), { joliet: false, hybrid: false });
    const o = join(work, 'plain-out.iso');
    await appendSession(plain, o, changes(work), { epoch: EPOCH });
    const d = run('isoinfo', ['-d', '-i', o]).stdout;
    expect(d).toContain('NO Joliet present');
    expect(d).toContain('Rock Ridge signatures');
    expect(d).toContain(`Volume size is: ${readFileSync(o).length / 2048}\n`);
    expect(readFileSync(o).subarray(0, 32768).equals(readFileSync(plain).subarray(0, 32768))).toBe(true);
    expect(sha256(runBinary('isoinfo', ['-R', '-x', '/packages.foo/foo-1.0.rpm', '-i', o]))).toBe(sha256(bigRpm));
    const report = xorrisoReport(o);
    expect(reportLines(report, 'El Torito boot img')).toEqual(reportLines(xorrisoReport(plain), 'El Torito boot img'));
  });

  async function expectFailure(inp: string, ch: AppendChanges, re: RegExp): Promise<void> {
    const o = join(work, `fail-${Math.random().toString(36).slice(2)}.iso`);
    const err = await appendSession(inp, o, ch, { epoch: EPOCH }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toMatch(re);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }

  test('not an ISO, a truncated ISO, a bad change: SuppackError and no output file', async () => {
    const junk = join(work, 'junk.bin');
    writeFileSync(junk, randomBytes(100_000, 1));
    await expectFailure(junk, changes(work), /junk\.bin: .*not an ISO 9660 image/);
    for (const size of [1_000_000, readFileSync(input).length - 1000]) {
      const cut = copy(input, join(work, `cut-${size}.iso`));
      truncateSync(cut, size);
      await expectFailure(cut, changes(work), /cut-\d+\.iso: .*truncated image/);
    }
    await expectFailure(input, { files: [], remove: ['no/such/file'] }, /'no\/such\/file' is not in the image/);
    await expectFailure(input, { files: [{ path: 'Packages', kind: 'file', size: 1, source: junk }] }, /^Packages: .*is a directory in the image/);
    await expectFailure(input, { files: [{ path: 'x', kind: 'file', size: 5, source: junk }] }, /file changed/);
  });
});

/** The bytes the input image holds for `path` (isolinux.bin there carries xorriso's boot info table). */
function isoCopy(iso: string, path: string): Buffer {
  return runBinary('bsdtar', ['-xOf', iso, path]);
}

/** Both GPT headers and entry arrays check out with zlib's CRC-32, and the backup is the last sector. */
function checkGptCrcs(image: Buffer): void {
  const sectors = image.length / 512;
  for (const lba of [1, sectors - 1]) {
    const h = image.subarray(lba * 512, lba * 512 + 512);
    expect(h.toString('latin1', 0, 8)).toBe('EFI PART');
    const copyH = Buffer.from(h.subarray(0, 92));
    copyH.writeUInt32LE(0, 16);
    expect(zlibCrc32(copyH)).toBe(h.readUInt32LE(16));
    expect(Number(h.readBigUInt64LE(24))).toBe(lba);
    expect(Number(h.readBigUInt64LE(32))).toBe(lba === 1 ? sectors - 1 : 1);
    const entries = Number(h.readBigUInt64LE(72));
    const array = image.subarray(entries * 512, entries * 512 + h.readUInt32LE(80) * h.readUInt32LE(84));
    expect(zlibCrc32(array)).toBe(h.readUInt32LE(88));
  }
}
