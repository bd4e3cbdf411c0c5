import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, writeZip } from './bundle';
import { SuppackError } from '../../base/errors';
import { dosDateTime, encodeCentralHeader, encodeLocalHeader, ZIP_DEFLATED, type ZipEntryHeader } from '../../formats/zip';

const EPOCH = 1_700_000_000; // 2023-11-14T22:13:20Z

function tree() {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-zip-'));
  const iso = join(dir, 'iso');
  const sources = join(dir, 'SOURCES');
  mkdirSync(iso);
  mkdirSync(sources);
  const big = Buffer.alloc(3_000_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 10)) % 251;
  writeFileSync(join(iso, 'acme.iso'), big);
  writeFileSync(join(iso, 'acme.iso.md5'), 'd41d8cd98f00b204e9800998ecf8427e  acme.iso\n');
  writeFileSync(join(iso, 'acme.metadata.md5'), '0123456789abcdef0123456789abcdef\n');
  writeFileSync(join(sources, 'zeta-1.0.tar.gz'), Buffer.from('not really gzip but bytes\n'));
  writeFileSync(join(sources, 'alpha-2.tar.gz'), Buffer.alloc(0));
  writeFileSync(join(sources, 'notes.txt'), 'not a tarball\n');
  return { dir, iso, sources, big };
}

const ZIP_NAMES = [
  'acme.iso',
  'acme.iso.md5',
  'acme.metadata.md5',
  'sources/alpha-2.tar.gz',
  'sources/zeta-1.0.tar.gz',
];

describe('zip byte layouts', () => {
  it('encodes MS-DOS time and date of the epoch in UTC (APPNOTE 4.4.6), clamped to 1980', () => {
    // 2023-11-14 22:13:20 → time 22<<11 | 13<<5 | 10, date 43<<9 | 11<<5 | 14
    expect(dosDateTime(EPOCH)).toEqual({ dosTime: (22 << 11) | (13 << 5) | 10, dosDate: (43 << 9) | (11 << 5) | 14 });
    expect(dosDateTime(0)).toEqual({ dosTime: 0, dosDate: (1 << 5) | 1 });
  });

  it('writes headers without extra fields, made by Unix, mode 0644 in the external attributes', () => {
    const h: ZipEntryHeader = { name: 'a/b.txt', method: ZIP_DEFLATED, crc32: 0xdeadbeef, compressedSize: 5, size: 7, mode: 0o644, ...dosDateTime(EPOCH) };
    const local = encodeLocalHeader(h);
    expect(local.length).toBe(30 + 7);
    expect(local.readUInt32LE(0)).toBe(0x04034b50);
    expect(local.readUInt16LE(28)).toBe(0);
    expect(local.readUInt32LE(14)).toBe(0xdeadbeef);
    const central = encodeCentralHeader(h, 1234);
    expect(central.readUInt32LE(0)).toBe(0x02014b50);
    expect(central.readUInt16LE(4) >> 8).toBe(3);
    expect(central.readUInt32LE(38) >>> 16).toBe(0o100644);
    expect(central.readUInt32LE(42)).toBe(1234);
    expect(central.subarray(46).toString()).toBe('a/b.txt');
  });

  it('refuses names that escape the archive and sizes that need ZIP64', () => {
    const h: ZipEntryHeader = { name: '../x', method: ZIP_DEFLATED, crc32: 0, compressedSize: 0, size: 0, mode: 0o644, dosTime: 0, dosDate: 33 };
    expect(() => encodeLocalHeader(h)).toThrow(SuppackError);
    expect(() => encodeLocalHeader({ ...h, name: '/abs' })).toThrow(/relative POSIX path/);
    expect(() => encodeLocalHeader({ ...h, name: 'big', size: 2 ** 32 })).toThrow(/ZIP64/);
  });
});

describe('buildBundle', () => {
  it('writes <label>.zip with the ISO, both md5 files and sources/<tarballs>, which bsdtar lists and extracts identically', async () => {
    const t = tree();
    const out = join(t.dir, 'bundle');
    const zip = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: t.sources, outDir: out, epoch: EPOCH });
    expect(zip).toBe(join(out, 'acme.zip'));
    expect(readdirSync(out)).toEqual(['acme.zip']);

    const listed = execFileSync('bsdtar', ['-tf', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(ZIP_NAMES);
    const verbose = execFileSync('bsdtar', ['-tvf', zip], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of verbose.trim().split('\n')) expect(line).toMatch(/^-rw-r--r-- .* Nov 14\s+2023 /);

    const x = join(t.dir, 'x');
    mkdirSync(x);
    execFileSync('bsdtar', ['-xf', zip, '-C', x]);
    expect(readFileSync(join(x, 'acme.iso')).equals(t.big)).toBe(true);
    expect(readFileSync(join(x, 'acme.iso.md5'), 'utf8')).toBe(readFileSync(join(t.iso, 'acme.iso.md5'), 'utf8'));
    expect(readFileSync(join(x, 'sources/zeta-1.0.tar.gz'), 'utf8')).toBe('not really gzip but bytes\n');
    expect(readFileSync(join(x, 'sources/alpha-2.tar.gz')).length).toBe(0);
  });

  it('passes unzip -t and python zipfile -t, which read deflate, Unix attributes and the DOS time as written', async () => {
    const t = tree();
    const zip = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: t.sources, outDir: join(t.dir, 'b'), epoch: EPOCH });
    const unzip = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(unzip.status).toBe(0);
    expect(unzip.stdout).toMatch(/No errors detected/);
    const py = spawnSync('python3', ['-m', 'zipfile', '-t', zip], { encoding: 'utf8' });
    expect(py.status).toBe(0);
    expect(py.stderr).toBe('');
    const info = spawnSync(
      'python3',
      [
        '-c',
        'import sys, zipfile, json\n' +
          'z = zipfile.ZipFile(sys.argv[1])\n' +
          'print(json.dumps([[i.filename, i.create_system, oct(i.external_attr >> 16), list(i.date_time), i.compress_type, len(i.extra), i.file_size] for i in z.infolist()]))',
        zip,
      ],
      { encoding: 'utf8' },
    );
    expect(info.stderr).toBe('');
    const rows = JSON.parse(info.stdout) as Array<[string, number, string, number[], number, number, number]>;
    expect(rows.map((r) => r[0])).toEqual(ZIP_NAMES);
    for (const r of rows) {
      expect(r.slice(1, 6)).toEqual([3, '0o100644', [2023, 11, 14, 22, 13, 20], 8, 0]);
    }
    expect(rows[0][6]).toBe(t.big.length);
  });

  it('gives the same bytes on every run, and other bytes for another epoch', async () => {
    const t = tree();
    const a = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: t.sources, outDir: join(t.dir, 'a'), epoch: EPOCH });
    const b = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: t.sources, outDir: join(t.dir, 'b'), epoch: EPOCH });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const c = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: t.sources, outDir: join(t.dir, 'c'), epoch: EPOCH + 86400 });
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it('works without a sources directory and replaces an earlier bundle dir', async () => {
    const t = tree();
    const out = join(t.dir, 'bundle');
    mkdirSync(out);
    writeFileSync(join(out, 'old-label.zip'), 'stale');
    const zip = await buildBundle({ label: 'acme', isoDir: t.iso, sourcesDir: join(t.dir, 'none'), outDir: out, epoch: EPOCH });
    expect(readdirSync(out)).toEqual(['acme.zip']);
    expect(execFileSync('bsdtar', ['-tf', zip], { encoding: 'utf8' }).trim().split('\n')).toEqual(ZIP_NAMES.slice(0, 3));
  });

  it('names the missing build-iso output in a one-line error and leaves the old output alone', async () => {
    const t = tree();
    const out = join(t.dir, 'bundle');
    mkdirSync(out);
    writeFileSync(join(out, 'acme.zip'), 'previous');
    const err = await buildBundle({ label: 'other', isoDir: t.iso, sourcesDir: t.sources, outDir: out, epoch: EPOCH }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toBe(`${join(t.iso, 'other.iso')}: missing: expected the output of build-iso (run the build-iso target first)`);
    expect(readFileSync(join(out, 'acme.zip'), 'utf8')).toBe('previous');
  });

  it('writeZip refuses two entries with one name', async () => {
    const t = tree();
    const p = join(t.iso, 'acme.iso.md5');
    await expect(writeZip([{ name: 'a', path: p }, { name: 'a', path: p }], join(t.dir, 'dup.zip'), EPOCH)).rejects.toThrow(/two entries named a/);
  });
});
