import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema, type Manifest } from '../../../schemas/manifest';
import { parseWithSchema } from '../../../schemas/parse';
import { buildSourceTarballs, planSourceTarballs } from './srctarball';

const EPOCH = 1700000000; // 2023-11-14T22:13:20Z
const PACK = { vendorCode: 'acme', vendorName: 'ACME Corp', label: 'acme-nic', text: 'ACME NIC driver', version: '1.0' };

const manifest = (): Manifest =>
  parseWithSchema(manifestSchema, {
    pack: PACK,
    rpms: [
      { spec: 'driver/acme.spec', kind: 'kernel-module', sources: 'driver/src', version: '2.0.1' },
      { spec: 'tools.spec', version: '1.0' },
    ],
    kernels: [{ version: '4.19.0+1' }],
  });

/** A project with driver/src: files in nested dirs, an executable, a symlink, an empty dir; written with `umask` and `mtime`. */
function project(umask: number, mtime: number): string {
  const old = process.umask(umask);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-src-'));
    const src = join(dir, 'driver/src');
    mkdirSync(join(src, 'include/acme'), { recursive: true });
    mkdirSync(join(src, 'empty'));
    writeFileSync(join(src, 'Kbuild'), 'obj-m := acme.o\n');
    writeFileSync(join(src, 'acme.c'), '/* acme */\n');
    writeFileSync(join(src, 'include/acme/acme.h'), '#define ACME 1\n');
    writeFileSync(join(src, 'configure'), '#!/bin/sh\n');
    chmodSync(join(src, 'configure'), 0o775 & ~umask);
    symlinkSync('Kbuild', join(src, 'Makefile'));
    for (const f of ['Kbuild', 'acme.c', 'include/acme/acme.h', 'configure', 'include/acme', 'include', 'empty', '.']) {
      utimesSync(join(src, f), mtime, mtime);
    }
    return dir;
  } finally {
    process.umask(old);
  }
}

describe('buildSourceTarballs', () => {
  it('packs each sources dir under <specbase>-<version>/ as root:root with mtime = epoch', async () => {
    const dir = project(0o022, 1234567890);
    const out = join(dir, 'dist/SOURCES');
    const written = await buildSourceTarballs({ manifest: manifest(), projectDir: dir, outDir: out, epoch: EPOCH });
    expect(written).toEqual([join(out, 'acme-2.0.1.tar.gz')]);
    expect(readdirSync(out)).toEqual(['acme-2.0.1.tar.gz']);
    const listing = execFileSync('bsdtar', ['-tvf', written[0]!], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
    const rows = listing.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows.map((r) => [r[0], r.slice(8).join(' ')])).toEqual([
      ['drwxr-xr-x', 'acme-2.0.1/'],
      ['-rw-r--r--', 'acme-2.0.1/Kbuild'],
      ['lrwxrwxrwx', 'acme-2.0.1/Makefile -> Kbuild'],
      ['-rw-r--r--', 'acme-2.0.1/acme.c'],
      ['-rwxr-xr-x', 'acme-2.0.1/configure'],
      ['drwxr-xr-x', 'acme-2.0.1/empty/'],
      ['drwxr-xr-x', 'acme-2.0.1/include/'],
      ['drwxr-xr-x', 'acme-2.0.1/include/acme/'],
      ['-rw-r--r--', 'acme-2.0.1/include/acme/acme.h'],
    ]);
    for (const r of rows) expect([r[2], r[3]]).toEqual(['root', 'root']);
    const full = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', written[0]!], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of full.trim().split('\n')) expect(line).toMatch(/^\S+ 0\/0 +\d+ 2023-11-14 22:13:20 acme-2\.0\.1\//);
    // rpm's %setup extracts it with tar: the content comes back.
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', written[0]!, '-C', x]);
    expect(readFileSync(join(x, 'acme-2.0.1/include/acme/acme.h'), 'utf8')).toBe('#define ACME 1\n');
    expect(readFileSync(join(x, 'acme-2.0.1/Makefile'), 'utf8')).toBe('obj-m := acme.o\n');
  });

  it('gives identical bytes for two copies at different paths with different mtimes and umask', async () => {
    const a = project(0o022, 1234567890);
    const b = project(0o077, 1600000000);
    await buildSourceTarballs({ manifest: manifest(), projectDir: a, outDir: join(a, 'out'), epoch: EPOCH });
    await buildSourceTarballs({ manifest: manifest(), projectDir: b, outDir: join(b, 'out'), epoch: EPOCH });
    const bytes = readFileSync(join(a, 'out/acme-2.0.1.tar.gz'));
    expect(bytes.equals(readFileSync(join(b, 'out/acme-2.0.1.tar.gz')))).toBe(true);
    await buildSourceTarballs({ manifest: manifest(), projectDir: b, outDir: join(b, 'out'), epoch: EPOCH + 1 });
    expect(bytes.equals(readFileSync(join(b, 'out/acme-2.0.1.tar.gz')))).toBe(false);
  });

  it('replaces the output directory: stale tarballs do not survive', async () => {
    const dir = project(0o022, 1234567890);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'acme-1.9.tar.gz'), 'old');
    await buildSourceTarballs({ manifest: manifest(), projectDir: dir, outDir: out, epoch: EPOCH });
    expect(readdirSync(out)).toEqual(['acme-2.0.1.tar.gz']);
  });

  it('names suppack.json and rpms[i].sources when the directory is missing or a file', async () => {
    const dir = project(0o022, 1234567890);
    const m = manifest();
    const missing = { ...m, rpms: [m.rpms[0]!, { ...m.rpms[1]!, sources: 'tools/src' }] };
    await expect(buildSourceTarballs({ manifest: missing, projectDir: dir, outDir: join(dir, 'out'), epoch: EPOCH })).rejects.toThrow(
      `suppack.json: rpms[1].sources: source directory not found: ${join(dir, 'tools/src')}`,
    );
    const file = { ...m, rpms: [{ ...m.rpms[0]!, sources: 'driver/src/acme.c' }] };
    await expect(buildSourceTarballs({ manifest: file, projectDir: dir, outDir: join(dir, 'out'), epoch: EPOCH, manifestFile: 'p/suppack.json' })).rejects.toThrow(
      /^p\/suppack\.json: rpms\[0\]\.sources: expected a directory, found a file: /,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('shares one tarball between specs of the same base and version', () => {
    const m = parseWithSchema(manifestSchema, {
      pack: PACK,
      rpms: [
        { spec: 'a/x.spec', sources: 'src', version: '1' },
        { spec: 'b/x.spec', sources: 'src', version: '1' },
        { spec: 'c/x.spec', sources: 'other', version: '1' },
      ],
    });
    expect(() => planSourceTarballs(m)).toThrow('suppack.json: rpms[2].sources: makes x-1.tar.gz like rpms[0] but from another directory (src)');
    expect(planSourceTarballs({ ...m, rpms: m.rpms.slice(0, 2) })).toEqual([{ index: 0, prefix: 'x-1', fileName: 'x-1.tar.gz', sources: 'src' }]);
  });
});
