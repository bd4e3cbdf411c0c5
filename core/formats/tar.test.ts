import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SuppackError } from '../base/errors';
import { directoryEntries, encodeUstarHeader, normaliseMode, splitUstarName, TAR_RECORD, writeTarGz } from './tar';

const EPOCH = 946684800; // 2000-01-01T00:00:00Z

function fixtureDir() {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-tar-'));
  const big = Buffer.alloc(700_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  writeFileSync(join(dir, 'big.rpm'), big);
  writeFileSync(join(dir, 'install'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'install'), 0o700);
  writeFileSync(join(dir, 'odd-mode'), 'x');
  chmodSync(join(dir, 'odd-mode'), 0o600);
  symlinkSync(join(dir, 'big.rpm'), join(dir, 'link.rpm'));
  return { dir, big };
}

function entries(dir: string) {
  return [
    { name: 'XS-REPOSITORY', source: Buffer.from('<repository/>\n') },
    { name: 'install', source: join(dir, 'install') },
    { name: 'big.rpm', source: join(dir, 'link.rpm') }, // a symlink, followed
    { name: 'XS-PACKAGES', source: Buffer.from('<packages/>\n'), mode: 0o600 },
    { name: 'odd-mode', source: join(dir, 'odd-mode') },
    { name: 'empty', source: Buffer.alloc(0) },
    { name: 'script.sh', source: Buffer.from('#!/bin/sh\n'), mode: 0o700 },
  ];
}

describe('writeTarGz', () => {
  it('lists with bsdtar: sorted names, root:root, modes 0644/0755, mtime = epoch', async () => {
    const { dir } = fixtureDir();
    const out = join(dir, 'out', 'pack.tar.gz');
    await writeTarGz(entries(dir), out, EPOCH);
    const listing = execFileSync('bsdtar', ['-tvf', out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
    const rows = listing.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows.map((r) => r.at(-1))).toEqual(['XS-PACKAGES', 'XS-REPOSITORY', 'big.rpm', 'empty', 'install', 'odd-mode', 'script.sh']);
    expect(rows.map((r) => r[0])).toEqual(['-rw-r--r--', '-rw-r--r--', '-rw-r--r--', '-rw-r--r--', '-rwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x']);
    for (const r of rows) expect([r[2], r[3]]).toEqual(['root', 'root']);
    expect(rows.map((r) => r[4])).toEqual(['12', '14', '700000', '0', '18', '1', '10']);
    expect(listing).toContain('Jan  1  2000');
    const numeric = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of numeric.trim().split('\n')) expect(line).toMatch(/^\S+ 0\/0 +\d+ 2000-01-01 00:00:00 /);
  });

  it('extracts with tar -xzf to identical content and modes', async () => {
    const { dir, big } = fixtureDir();
    const out = join(dir, 'pack.tar.gz');
    await writeTarGz(entries(dir), out, EPOCH);
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', out, '-C', x, '--no-same-owner']);
    expect(readFileSync(join(x, 'big.rpm')).equals(big)).toBe(true);
    expect(readFileSync(join(x, 'install'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(readFileSync(join(x, 'XS-PACKAGES'), 'utf8')).toBe('<packages/>\n');
    expect(readFileSync(join(x, 'empty')).length).toBe(0);
    const mode = (f: string) => statSync(join(x, f)).mode & 0o777;
    // tar applies the umask unless -p; compare with it removed from what was stored.
    const umask = process.umask();
    expect(mode('install')).toBe(0o755 & ~umask);
    expect(mode('odd-mode')).toBe(0o644 & ~umask);
    expect(statSync(join(x, 'big.rpm')).mtimeMs).toBe(EPOCH * 1000);
  });

  it('is deterministic: two runs give identical bytes, with a fixed gzip header', async () => {
    const { dir } = fixtureDir();
    await writeTarGz(entries(dir), join(dir, 'a.tar.gz'), EPOCH);
    await writeTarGz([...entries(dir)].reverse(), join(dir, 'b.tar.gz'), EPOCH);
    const a = readFileSync(join(dir, 'a.tar.gz'));
    const b = readFileSync(join(dir, 'b.tar.gz'));
    expect(a.equals(b)).toBe(true);
    expect([...a.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // magic, deflate, no flags
    expect(a.readUInt32LE(4)).toBe(0); // MTIME
    expect(a[9]).toBe(3); // OS = Unix
    const tar = gunzipSync(a);
    expect(tar.length % TAR_RECORD).toBe(0);
    await writeTarGz(entries(dir), join(dir, 'c.tar.gz'), EPOCH + 1);
    expect(readFileSync(join(dir, 'c.tar.gz')).equals(a)).toBe(false);
  });

  it('stores long names in the ustar prefix and rejects names that do not fit', async () => {
    const { dir } = fixtureDir();
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    expect(splitUstarName(long)).toEqual({ prefix: 'd'.repeat(120), name: 'f'.repeat(90) });
    const out = join(dir, 'long.tar.gz');
    await writeTarGz([{ name: long, source: Buffer.from('x') }], out, EPOCH);
    expect(execFileSync('bsdtar', ['-tf', out], { encoding: 'utf8' })).toBe(`${long}\n`);
    await expect(writeTarGz([{ name: 'n'.repeat(101), source: Buffer.from('x') }], join(dir, 'bad.tar.gz'), EPOCH)).rejects.toThrow(
      /a ustar archive holds names up to 100 bytes/,
    );
    expect(() => splitUstarName(`${'d'.repeat(156)}/f`)).toThrow(SuppackError);
  });

  it('rejects bad names, duplicates and missing files with a SuppackError and leaves no output', async () => {
    const { dir } = fixtureDir();
    const out = join(dir, 'never.tar.gz');
    await expect(writeTarGz([{ name: '../x', source: Buffer.from('') }], out, EPOCH)).rejects.toThrow(SuppackError);
    await expect(writeTarGz([{ name: '/abs', source: Buffer.from('') }], out, EPOCH)).rejects.toThrow(SuppackError);
    await expect(
      writeTarGz([{ name: 'a', source: Buffer.from('') }, { name: 'a', source: Buffer.from('') }], out, EPOCH),
    ).rejects.toThrow(/^a: the same name is given twice/);
    await expect(writeTarGz([{ name: 'a', source: join(dir, 'missing') }], out, EPOCH)).rejects.toThrow(
      `${join(dir, 'missing')}: no such file or directory`,
    );
    await expect(writeTarGz([{ name: 'a', source: dir }], out, EPOCH)).rejects.toThrow(/expected a regular file/);
    expect(() => statSync(out)).toThrow();
  });
});

describe('encodeUstarHeader', () => {
  it('writes a header GNU tar reads as ustar with a valid checksum', () => {
    const h = encodeUstarHeader({ name: 'hello.txt', mode: 0o644, size: 5, mtime: EPOCH });
    expect(h.length).toBe(512);
    expect(h.toString('latin1', 257, 265)).toBe('ustar\u000000');
    expect(h.toString('latin1', 124, 136)).toBe('00000000005\0');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    expect(parseInt(h.toString('latin1', 148, 154), 8)).toBe(sum);
    expect(normaliseMode(0o100700)).toBe(0o755);
    expect(normaliseMode(0o100640)).toBe(0o644);
  });
});

describe('directory trees', () => {
  it('packs a tree under a prefix: directories first, symlinks kept as links, other file types refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-tree-'));
    mkdirSync(join(dir, 'src/sub'), { recursive: true });
    writeFileSync(join(dir, 'src/sub/a.c'), 'int a;\n');
    symlinkSync('sub/a.c', join(dir, 'src/link.c'));
    const entries = await directoryEntries(join(dir, 'src'), 'pkg-1.0');
    expect(entries).toEqual([
      { type: 'directory', name: 'pkg-1.0' },
      { type: 'symlink', name: 'pkg-1.0/link.c', linkname: 'sub/a.c' },
      { type: 'directory', name: 'pkg-1.0/sub' },
      { name: 'pkg-1.0/sub/a.c', source: join(dir, 'src/sub/a.c'), mode: statSync(join(dir, 'src/sub/a.c')).mode },
    ]);
    const out = join(dir, 'tree.tar.gz');
    await writeTarGz(entries, out, EPOCH);
    const tar = gunzipSync(readFileSync(out));
    expect(tar.toString('latin1', 0, 8)).toBe('pkg-1.0/');
    expect(tar.toString('latin1', 156, 157)).toBe('5');
    expect(execFileSync('bsdtar', ['-tvf', out], { encoding: 'utf8' })).toMatch(/^lrwxrwxrwx .* pkg-1\.0\/link\.c -> sub\/a\.c$/m);
    await expect(writeTarGz([{ type: 'symlink', name: 'l', linkname: 'x'.repeat(101) }], join(dir, 'bad.tar.gz'), EPOCH)).rejects.toThrow(/symlink target of 1 to 100 bytes/);
    execFileSync('mkfifo', [join(dir, 'src/fifo')]);
    await expect(directoryEntries(join(dir, 'src'), 'p')).rejects.toThrow(`${join(dir, 'src/fifo')}: expected only files, directories and symlinks`);
  });
});
