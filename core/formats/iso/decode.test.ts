import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import {
  cleanIsoName,
  decodeBootCatalog,
  decodeCE,
  decodeDirRecord,
  decodeER,
  decodeNM,
  decodePX,
  decodeRecordDate,
  decodeSL,
  decodeSP,
  decodeSuspEntries,
  decodeTF,
  decodeUcs2Be,
  decodeVolumeDate,
  decodeVolumeDescriptor,
  joinSymlinkComponents,
  SL_FLAG,
} from './decode';
import { isoinfoD, put733, runText, writeTree, xorriso } from './testing';

/** ECMA-119 9.1: a directory record built by hand. */
function record(id: Buffer, opts: { lba?: number; size?: number; flags?: number; su?: Buffer } = {}): Buffer {
  const su = opts.su ?? Buffer.alloc(0);
  const pad = id.length % 2 === 0 ? 1 : 0;
  const len = 33 + id.length + pad + su.length;
  const b = Buffer.alloc(len + (len % 2));
  b[0] = b.length;
  put733(b, 2, opts.lba ?? 20);
  put733(b, 10, opts.size ?? 100);
  b.set([124, 1, 2, 3, 4, 5, 0], 18);
  b[25] = opts.flags ?? 0;
  b.writeUInt16LE(1, 28);
  b.writeUInt16BE(1, 30);
  b[32] = id.length;
  id.copy(b, 33);
  su.copy(b, 33 + id.length + pad);
  return b;
}

const entry = (sig: string, body: number[] | Buffer) => Buffer.concat([Buffer.from([sig.charCodeAt(0), sig.charCodeAt(1), 4 + body.length, 1]), Buffer.from(body)]);

describe('names and dates', () => {
  it('decodes Joliet UCS-2BE including surrogate pairs', () => {
    expect(decodeUcs2Be(Buffer.from([0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00, 0x00, 0xfc]))).toBe('A😀ü');
    expect(decodeUcs2Be(Buffer.from('日本;1', 'utf16le').swap16())).toBe('日本;1');
  });

  it('strips the version and a trailing dot from ISO names', () => {
    expect(cleanIsoName('FOO.TXT;1')).toBe('FOO.TXT');
    expect(cleanIsoName('README.;1')).toBe('README');
    expect(cleanIsoName('DIR')).toBe('DIR');
    expect(cleanIsoName('A.B;12')).toBe('A.B');
  });

  it('decodes 17-byte volume dates and 7-byte record dates to UTC', () => {
    const vol = (s: string, off: number) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([off & 0xff])]);
    expect(decodeVolumeDate(vol('2023111422132050', 0))).toBe('2023-11-14T22:13:20.500Z');
    expect(decodeVolumeDate(vol('2023111422132000', 4))).toBe('2023-11-14T21:13:20.000Z');
    expect(decodeVolumeDate(vol('2023111422132000', -8))).toBe('2023-11-15T00:13:20.000Z');
    expect(decodeVolumeDate(vol('0000000000000000', 0))).toBeUndefined();
    expect(decodeVolumeDate(vol('2023139922132000', 0))).toBeUndefined();
    expect(decodeRecordDate(Buffer.from([100, 1, 1, 0, 0, 0, 0]))).toBe('2000-01-01T00:00:00.000Z');
    expect(decodeRecordDate(Buffer.alloc(7))).toBeUndefined();
  });
});

describe('directory records (ECMA-119 9.1)', () => {
  it('decodes fields, the identifier and the System Use area after the pad byte', () => {
    const su = entry('PX', Buffer.alloc(32));
    const even = record(Buffer.from('AB'), { lba: 77, size: 4096, flags: 2, su });
    const r = decodeDirRecord(even, 0)!;
    expect(r).toMatchObject({ length: even.length, lba: 77, dataLength: 4096, flags: 2, fileUnitSize: 0, interleaveGap: 0 });
    expect(r.id.toString()).toBe('AB');
    expect(r.recorded).toBe('2024-01-02T03:04:05.000Z');
    expect(r.systemUse.subarray(0, 2).toString()).toBe('PX');
    const odd = decodeDirRecord(record(Buffer.from('ABC;1'), { su }), 0)!;
    expect(odd.systemUse.subarray(0, 2).toString()).toBe('PX');
    expect(decodeDirRecord(Buffer.alloc(10), 0)).toBeUndefined();
  });

  it('rejects LEN_DR < 34, records crossing the buffer end and LEN_FI past the record', () => {
    const r = record(Buffer.from('FILE;1'));
    const short = Buffer.from(r);
    short[0] = 20;
    expect(() => decodeDirRecord(short, 0, 'dir x')).toThrow(new SuppackError('LEN_DR is 20, expected at least 34', { field: 'dir x' }));
    expect(() => decodeDirRecord(r.subarray(0, r.length - 2), 0)).toThrow(/crosses the end of the sector/);
    const fi = Buffer.from(r);
    fi[32] = 200;
    expect(() => decodeDirRecord(fi, 0)).toThrow(/LEN_FI 200 runs past the record end/);
  });
});

describe('SUSP and Rock Ridge entries', () => {
  it('splits entries and stops at ST, padding or an oversized length', () => {
    const area = Buffer.concat([entry('SP', [0xbe, 0xef, 0]), entry('NM', [0, 0x61]), entry('ST', []), entry('PX', Buffer.alloc(32))]);
    expect(decodeSuspEntries(area).map((e) => e.sig)).toEqual(['SP', 'NM']);
    const broken = Buffer.concat([entry('NM', [0, 0x61]), Buffer.from([0x50, 0x58, 200, 1, 0, 0])]);
    expect(decodeSuspEntries(broken).map((e) => e.sig)).toEqual(['NM']);
    expect(decodeSuspEntries(Buffer.concat([entry('NM', [0, 0x61]), Buffer.alloc(3)])).length).toBe(1);
    expect(decodeSP(Buffer.from([0xbe, 0xef, 5]))).toEqual({ skip: 5 });
    expect(decodeSP(Buffer.from([0xbe, 0xee, 0]))).toBeUndefined();
  });

  it('decodes CE, ER, PX (RRIP 1.10 and 1.12), NM and TF', () => {
    const ce = Buffer.alloc(24);
    put733(ce, 0, 21);
    put733(ce, 8, 100);
    put733(ce, 16, 237);
    expect(decodeCE(ce)).toEqual({ lba: 21, offset: 100, length: 237 });
    expect(() => decodeCE(Buffer.alloc(10))).toThrow(/CE entry is 14 bytes, expected 28/);
    const er = Buffer.concat([Buffer.from([10, 3, 2, 1]), Buffer.from('RRIP_1991ADESSR')]);
    expect(decodeER(er)).toEqual({ id: 'RRIP_1991A', descriptor: 'DES', source: 'SR', version: 1 });
    expect(decodeER(Buffer.from([50, 0, 0, 1]))).toBeUndefined();
    const px = Buffer.alloc(40);
    put733(px, 0, 0o100644);
    put733(px, 8, 1);
    put733(px, 16, 1000);
    put733(px, 24, 100);
    put733(px, 32, 42);
    expect(decodePX(px)).toEqual({ mode: 0o100644, nlink: 1, uid: 1000, gid: 100, ino: 42 });
    expect(decodePX(px.subarray(0, 32))?.ino).toBeUndefined();
    expect(decodeNM(Buffer.from([1, 0x61, 0x62]))).toEqual({ flags: 1, name: Buffer.from('ab') });
    const tf = Buffer.concat([Buffer.from([0x0e]), Buffer.from([100, 1, 1, 0, 0, 0, 0]), Buffer.from([101, 1, 1, 0, 0, 0, 0]), Buffer.from([102, 1, 1, 0, 0, 0, 0])]);
    expect(decodeTF(tf)).toEqual({ modify: '2000-01-01T00:00:00.000Z', access: '2001-01-01T00:00:00.000Z', attributes: '2002-01-01T00:00:00.000Z' });
  });

  it('decodes SL components into POSIX targets', () => {
    const comp = (flags: number, s = '') => [flags, s.length, ...Buffer.from(s)];
    const abs = decodeSL(Buffer.from([0, ...comp(SL_FLAG.ROOT), ...comp(0, 'etc'), ...comp(0, 'hosts')]));
    expect(joinSymlinkComponents(abs.components)).toBe('/etc/hosts');
    const rel = decodeSL(Buffer.from([0, ...comp(SL_FLAG.CURRENT), ...comp(SL_FLAG.PARENT), ...comp(SL_FLAG.CONTINUE, 'ab'), ...comp(0, 'cd')]));
    expect(joinSymlinkComponents(rel.components)).toBe('./../abcd');
    // Components of a target split over two SL entries are joined in order.
    const first = decodeSL(Buffer.from([SL_FLAG.CONTINUE, ...comp(0, 'x')]));
    const second = decodeSL(Buffer.from([0, ...comp(0, 'y')]));
    expect(first.flags).toBe(SL_FLAG.CONTINUE);
    expect(joinSymlinkComponents([...first.components, ...second.components])).toBe('x/y');
    expect(() => decodeSL(Buffer.from([0, 0, 10, 0x61]))).toThrow(/symlink component runs past the SL entry/);
  });
});

describe('volume descriptors and El Torito from a real xorriso image', () => {
  let tmp: string;
  let iso: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'suppack-iso-decode-'));
    const src = join(tmp, 'src');
    writeTree(src, { 'boot/bios.img': Buffer.alloc(4096, 1), 'boot/efi.img': Buffer.alloc(8192, 2), 'a.txt': 'a\n' });
    iso = xorriso(src, join(tmp, 'boot.iso'), [
      '-r', '-J', '-V', 'DECODE_TEST', '-b', 'boot/bios.img', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot/boot.cat',
      '-eltorito-alt-boot', '-e', 'boot/efi.img', '-no-emul-boot',
    ]);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('decodes PVD, boot record, Joliet SVD and terminator like isoinfo -d', () => {
    const image = readFileSync(iso);
    const info = isoinfoD(iso);
    const vds = [16, 17, 18, 19].map((lba) => decodeVolumeDescriptor(image.subarray(lba * 2048, lba * 2048 + 2048)));
    expect(vds.map((v) => v.type)).toEqual(['primary', 'boot', 'supplementary', 'terminator']);
    const [pvd, boot, svd] = vds;
    if (pvd.type !== 'primary' || boot.type !== 'boot' || svd.type !== 'supplementary') throw new Error('unexpected order');
    expect(pvd.fields.volumeId).toBe(info.get('Volume id'));
    expect(pvd.fields.volumeSpaceBlocks).toBe(Number(info.get('Volume size is')));
    expect(pvd.fields.blockSize).toBe(2048);
    expect(pvd.fields.dataPreparerId).toBe(info.get('Data preparer id'));
    expect(pvd.fields.root.flags & 2).toBe(2);
    expect(pvd.fields.creationDate).toBe('2000-01-01T00:00:00.000Z');
    expect(svd.jolietLevel).toBe(3);
    expect(svd.fields.volumeId).toBe('DECODE_TEST');
    expect(boot.elTorito).toBe(true);
    const catalogLine = [...info.keys()].find((k) => k.includes('boot catalog is in sector'));
    expect(boot.catalogLba).toBe(Number(/sector (\d+)/.exec(catalogLine ?? '')?.[1]));
    expect(() => decodeVolumeDescriptor(Buffer.alloc(2048))).toThrow(/expected a volume descriptor starting with "CD001"/);
  });

  it('decodes the boot catalog: BIOS default entry and EFI section', () => {
    const image = readFileSync(iso);
    const boot = decodeVolumeDescriptor(image.subarray(17 * 2048, 18 * 2048));
    if (boot.type !== 'boot' || boot.catalogLba === undefined) throw new Error('no boot record');
    const cat = decodeBootCatalog(image.subarray(boot.catalogLba * 2048, boot.catalogLba * 2048 + 2048));
    const report = runText('xorriso', ['-indev', iso, '-report_el_torito', 'plain']);
    // "El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4          34"
    const rows = report.split('\n').filter((l) => l.startsWith('El Torito boot img :'));
    const lbas = rows.map((l) => Number(l.trim().split(/\s+/).pop()));
    expect(cat.platform).toBe(0);
    expect(cat.entries.map((e) => [e.bootable, e.platform, e.mediaType])).toEqual([[true, 0, 0], [true, 0xef, 0]]);
    expect(cat.entries[0].sectorCount).toBe(4);
    expect(cat.entries[1].sectorCount).toBe(16);
    expect(cat.entries.map((e) => e.loadLba)).toEqual(lbas);
    const bad = Buffer.from(image.subarray(boot.catalogLba * 2048, boot.catalogLba * 2048 + 2048));
    bad[4] ^= 0xff;
    expect(() => decodeBootCatalog(bad)).toThrow(/checksum/);
  });
});
