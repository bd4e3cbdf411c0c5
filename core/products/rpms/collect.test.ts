import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { manifestSchema, type ManifestInput } from '../../../schemas/manifest';
import { collectRpms } from './collect';
import { SuppackError } from '../../base/errors';

const rpms = inject('fixtureRpms');
const PACK = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-pack', text: 'Acme pack', version: '1.0', productVersion: '7.0.0' };

function project(prebuilt: Record<string, string>, built: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-collect-'));
  const projectDir = join(dir, 'packs/acme');
  for (const [rel, src] of [...Object.entries(prebuilt).map(([r, s]) => [join(projectDir, r), s]), ...Object.entries(built).map(([r, s]) => [join(dir, 'RPMS', r), s])]) {
    mkdirSync(join(rel, '..'), { recursive: true });
    if (src.startsWith('/')) copyFileSync(src, rel);
    else writeFileSync(rel, src);
  }
  return { dir, projectDir, builtDir: join(dir, 'RPMS'), outDir: join(dir, 'out/rpms') };
}

const manifest = (m: Partial<ManifestInput>) => manifestSchema.parse({ pack: PACK, ...m });

describe('collectRpms', () => {
  it('copies built RPMs (per-arch subdirectories) and prebuilt glob matches into one flat, sorted directory', async () => {
    const p = project(
      { 'vendor/x/hello-lib.rpm': rpms['hello-lib'], [`vendor/${basename(rpms['xs-hello'])}`]: rpms['xs-hello'], 'vendor/README': 'hi' },
      { [`x86_64/${basename(rpms['acme-tool'])}`]: rpms['acme-tool'], [`noarch/${basename(rpms['acme-firmware'])}`]: rpms['acme-firmware'] },
    );
    const m = manifest({ rpms: [{ spec: 'acme.spec', version: '1' }], prebuilt: ['vendor/**/*.rpm'] });
    const out = await collectRpms({ manifest: m, projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir });
    const names = [basename(rpms['acme-firmware']), basename(rpms['acme-tool']), 'hello-lib.rpm', basename(rpms['xs-hello'])].sort();
    expect(out).toEqual(names.map((n) => join(p.outDir, n)));
    expect(readdirSync(p.outDir)).toEqual(names);
    expect(readFileSync(join(p.outDir, 'hello-lib.rpm')).equals(readFileSync(rpms['hello-lib']))).toBe(true);
  });

  it('needs no build-rpms output when the manifest has no specs, and replaces the old output', async () => {
    const p = project({ 'a.rpm': rpms['hello-lib'] });
    mkdirSync(p.outDir, { recursive: true });
    writeFileSync(join(p.outDir, 'stale.rpm'), 'old');
    const out = await collectRpms({ manifest: manifest({ prebuilt: ['*.rpm'] }), projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir });
    expect(out).toEqual([join(p.outDir, 'a.rpm')]);
    expect(readdirSync(p.outDir)).toEqual(['a.rpm']);
  });

  it('names the manifest, the glob and the file when a prebuilt file is not an RPM, and writes nothing', async () => {
    const p = project({ 'rpms/good.rpm': rpms['hello-lib'], 'rpms/bad.rpm': 'this is not an rpm at all, just some text that is long enough' });
    const err = await collectRpms({
      manifest: manifest({ prebuilt: ['rpms/*.rpm'] }),
      projectDir: p.projectDir,
      builtDir: p.builtDir,
      outDir: p.outDir,
      manifestFile: 'packs/acme/suppack.json',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toMatch(/^packs\/acme\/suppack\.json: prebuilt\[0\]: rpms\/bad\.rpm is not a valid RPM \(.+\)$/);
    expect(existsSync(p.outDir)).toBe(false);
  });

  it('refuses a glob that matches nothing, and two RPMs with one file name', async () => {
    const p = project({ 'a/x.rpm': rpms['hello-lib'], 'b/x.rpm': rpms['xs-hello'] });
    const run = (prebuilt: string[]) =>
      collectRpms({ manifest: manifest({ prebuilt }), projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir });
    await expect(run(['a/*.rpm', 'c/*.rpm'])).rejects.toThrow(/^suppack\.json: prebuilt\[1\]: "c\/\*\.rpm" matched no file$/);
    await expect(run(['*/x.rpm'])).rejects.toThrow(/two RPMs named x\.rpm: .*prebuilt\[0\] \(a\/x\.rpm\) and .*prebuilt\[0\] \(b\/x\.rpm\)/);
  });

  it('refuses a missing build-rpms output when specs are declared', async () => {
    const p = project({ 'a.rpm': rpms['hello-lib'] });
    await expect(
      collectRpms({ manifest: manifest({ rpms: [{ spec: 'x.spec', version: '1' }] }), projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir }),
    ).rejects.toThrow(/RPMS: missing: expected the RPMs of build-rpms \(run the build-rpms target first\)$/);
  });

  it('braces and "!" exclusions select the files; a pattern left empty by them is named', async () => {
    const p = project({ 'rpms/x86_64/a.rpm': rpms['hello-lib'], 'rpms/noarch/b.rpm': rpms['xs-hello'], 'rpms/noarch/b-debuginfo.rpm': 'not an rpm' });
    const run = (prebuilt: string[]) =>
      collectRpms({ manifest: manifest({ prebuilt }), projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir });
    expect((await run(['rpms/{x86_64,noarch}/*.rpm', '!**/*debuginfo*'])).map((f) => basename(f))).toEqual(['a.rpm', 'b.rpm']);
    await expect(run(['rpms/x86_64/*.rpm', 'rpms/noarch/*debuginfo*', '!**/*debuginfo*'])).rejects.toThrow(
      /^suppack\.json: prebuilt\[1\]: "rpms\/noarch\/\*debuginfo\*" matched no file \(after the "!" exclusions\)$/,
    );
    const refused = manifestSchema.safeParse({ pack: PACK, prebuilt: ['rpms/+(x86_64)/*.rpm'] });
    expect(refused.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['prebuilt.0', '"+(...)" and "*(...)" mean one or more / any number in suppack but one in Nx\'s input hashing: list the alternatives with {a,b} or @(a|b)'],
    ]);
  });

  it('with the files a build cache hashes: refuses a symlink and a file the cache does not see, and writes nothing', async () => {
    const p = project({ 'rpms/a.rpm': rpms['hello-lib'], 'rpms/ignored.rpm': rpms['xs-hello'], 'shared/c.rpm': rpms['xs-hello'] });
    symlinkSync(join(p.projectDir, 'shared/c.rpm'), join(p.projectDir, 'rpms/link.rpm'));
    const run = (prebuilt: string[], hashed: string[]) =>
      collectRpms({ manifest: manifest({ prebuilt }), projectDir: p.projectDir, builtDir: p.builtDir, outDir: p.outDir, manifestFile: 'p/suppack.json', hashedFiles: new Set(hashed) });
    await expect(run(['rpms/link.rpm'], ['rpms/link.rpm'])).rejects.toThrow(
      /^p\/suppack\.json: prebuilt\[0\]: rpms\/link\.rpm is a symbolic link: Nx hashes the link, not the RPM it points to/,
    );
    await expect(run(['rpms/*.rpm', '!rpms/link.rpm'], ['rpms/a.rpm'])).rejects.toThrow(
      /^p\/suppack\.json: prebuilt\[0\]: rpms\/ignored\.rpm is not among the files Nx hashes for this project \(ignored by a \.gitignore or \.nxignore/,
    );
    expect(existsSync(p.outDir)).toBe(false);
    expect((await run(['rpms/*.rpm', '!rpms/link.rpm'], ['rpms/a.rpm', 'rpms/ignored.rpm'])).map((f) => basename(f))).toEqual(['a.rpm', 'ignored.rpm']);
  });
});
