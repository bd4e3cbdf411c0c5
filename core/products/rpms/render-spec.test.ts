import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema, type Manifest, type ManifestInput } from '../../../schemas/manifest';
import { parseWithSchema } from '../../../schemas/parse';
import { SuppackError } from '../../base/errors';
import { extrasFilesList, kernelBuildDir, kernelRelease, planSpecs, renderSpecs, renderSpecText, specBaseOf } from './render-spec';

const PACK = { vendorCode: 'acme', vendorName: 'ACME Corp', label: 'acme-nic', text: 'ACME NIC driver', version: '1.0' };

function manifest(extra: Partial<ManifestInput>): Manifest {
  return parseWithSchema(manifestSchema, { pack: PACK, ...extra });
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-spec-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('renderSpecText', () => {
  it('prepends the %global block, %{nil} for empty values, and keeps the template as it is', () => {
    const text = renderSpecText('Name: x\nVersion: %{suppack_version}', { suppack_version: '1.2', kernel_flavour: '', my_opt: '%{pack_label}-x' });
    expect(text).toBe(
      [
        '# Rendered by suppack (render-spec): the global macro definitions below come from suppack.json.',
        '%global suppack_version 1.2',
        '%global kernel_flavour %{nil}',
        '%global my_opt %{pack_label}-x',
        '',
        'Name: x',
        'Version: %{suppack_version}',
        '',
      ].join('\n'),
    );
    expect(renderSpecText('a\n', {})).toBe('# Rendered by suppack (render-spec): the global macro definitions below come from suppack.json.\n\na\n');
  });

  it('rejects bad macro names and multi-line values', () => {
    expect(() => renderSpecText('', { 'bad-name': 'x' })).toThrow(SuppackError);
    expect(() => renderSpecText('', { ok: 'a\nb' })).toThrow(/one-line value for the macro ok/);
  });
});

describe('template bytes in another encoding than UTF-8', () => {
  // An older vendor spec in ISO-8859-1: "Caf\xe9" is the byte 0xe9. It was read as UTF-8 and
  // written back with U+FFFD in its place, so rpm 4.11 built a package with other text, and newer
  // rpmbuild did not say that the spec is not UTF-8.
  const latin1 = Buffer.concat([
    Buffer.from('Name: t\nVersion: %{suppack_version}\nRelease: 1\nSummary: Caf'),
    Buffer.from([0xe9]),
    Buffer.from('\nLicense: x\nBuildArch: noarch\n%description\nCaf'),
    Buffer.from([0xe9]),
    Buffer.from(' au lait\n%files'),
  ]);

  it('pass through render-spec unchanged (core/products/rpms/rpmbuild.test.ts builds them)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-spec-latin1-'));
    writeFileSync(join(dir, 't.spec'), latin1);
    const m = manifest({ rpms: [{ spec: 't.spec', version: '1.0' }] });
    await renderSpecs({ manifest: m, projectDir: dir, outDir: join(dir, 'specs') });
    const rendered = readFileSync(join(dir, 'specs/t.spec'));
    expect(rendered.subarray(rendered.length - latin1.length - 1).equals(Buffer.concat([latin1, Buffer.from('\n')]))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('planSpecs', () => {
  const m = manifest({
    rpms: [
      { spec: 'driver/acme.spec.in', kind: 'kernel-module', sources: 'driver/src', version: '2.0.1', release: '3', defines: { acme_opt: 'on' } },
      { spec: 'data/acme-data.spec', sources: 'data/src', version: '1.1' },
      { spec: 'tools/acme-tools.spec', version: '0.9' },
    ],
    kernels: [{ version: '2.6.32.43-0.4.1.xs1.8.0.835.170778', flavour: 'xen' }, { version: '2.6.32.43-0.4.1.xs1.8.0.835.170778', flavour: 'kdump' }, { version: '6.1.0-28-amd64', buildDir: '/opt/k/build' }],
    eulas: ['EULA.txt'],
  });

  it('renders one spec per kernel for kernel-module specs, and gives the extras to the first userspace spec', () => {
    const plans = planSpecs(m);
    expect(plans.map((p) => p.fileName)).toEqual([
      'acme-2.6.32.43-0.4.1.xs1.8.0.835.170778-xen.spec',
      'acme-2.6.32.43-0.4.1.xs1.8.0.835.170778-kdump.spec',
      'acme-6.1.0-28-amd64.spec',
      'acme-data.spec',
      'acme-tools.spec',
    ]);
    expect(plans[0]!.globals).toEqual({
      suppack_version: '2.0.1',
      suppack_release: '3',
      suppack_srcdir: 'acme-2.0.1',
      suppack_source0: 'acme-2.0.1.tar.gz',
      pack_label: 'acme-nic',
      pack_vendor_code: 'acme',
      pack_version: '1.0',
      kernel_version: '2.6.32.43-0.4.1.xs1.8.0.835.170778',
      kernel_flavour: 'xen',
      kernel_release: '2.6.32.43-0.4.1.xs1.8.0.835.170778xen',
      acme_opt: 'on',
    });
    // User defines come last, so they can use the others.
    expect(Object.keys(plans[0]!.globals).at(-1)).toBe('acme_opt');
    expect(plans[2]!.globals.kernel_flavour).toBe('');
    expect(plans[2]!.globals.kernel_release).toBe('6.1.0-28-amd64');
    expect(plans[3]!.extras).toEqual({ tarball: 'acme-data-extras.tar.gz', filesList: 'acme-data-extras.files' });
    expect(plans[3]!.globals).toMatchObject({ suppack_extras_tar: 'acme-data-extras.tar.gz', suppack_extras_files: 'acme-data-extras.files' });
    expect(plans[4]!.extras).toBeUndefined();
    expect(plans[4]!.globals.suppack_source0).toBeUndefined();
    expect(plans[4]!.globals.suppack_srcdir).toBe('acme-tools-0.9');
  });

  it('gives the extras macros to the first userspace spec even without a status report or EULA', () => {
    const plans = planSpecs(manifest({ rpms: [{ spec: 'k.spec', kind: 'kernel-module', version: '1' }, { spec: 'u.spec', version: '1' }, { spec: 'v.spec', version: '1' }], kernels: [{ version: '4.19.0+1' }] }));
    expect(plans.map((p) => p.extras?.tarball)).toEqual([undefined, 'u-extras.tar.gz', undefined]);
  });

  it('names kernels and build trees', () => {
    expect(kernelRelease({ version: '4.19.0+1' })).toBe('4.19.0+1');
    expect(kernelBuildDir({ version: '4.19.0+1' })).toBe('/lib/modules/4.19.0+1/build');
    expect(kernelBuildDir({ version: '2.6.18', flavour: 'xen' })).toBe('/lib/modules/2.6.18xen/build');
    expect(kernelBuildDir({ version: '6.1.0', buildDir: '/k' })).toBe('/k');
    expect(specBaseOf('a/b/acme.spec.in')).toBe('acme');
  });

  it('rejects reserved macro names and two templates rendering to one file', () => {
    expect(() => planSpecs(manifest({ rpms: [{ spec: 'a.spec', version: '1', defines: { kernel_release: 'x' } }] }))).toThrow(
      'suppack.json: rpms[0].defines.kernel_release: this macro is defined by suppack (see core/products/rpms/render-spec.ts); choose another name',
    );
    expect(() => planSpecs(manifest({ rpms: [{ spec: 'a/x.spec', version: '1' }, { spec: 'b/x.spec', version: '2' }] }))).toThrow(
      /^suppack\.json: rpms\[1\]\.spec: renders to x\.spec like rpms\[0\]\.spec/,
    );
  });
});

describe('renderSpecs', () => {
  const input = (): { m: Manifest; dir: string } => ({
    m: manifest({
      rpms: [
        { spec: 'acme.spec', kind: 'kernel-module', sources: 'src', version: '2.0' },
        { spec: 'data.spec', version: '1.0' },
      ],
      kernels: [{ version: '4.19.0+1' }, { version: '4.4.52', flavour: 'xen' }],
      statusReport: { categories: [{ name: 'acme', pii: 'no', collect: [{ kind: 'files', paths: ['/var/log/acme.log'] }] }] },
      eulas: ['legal/LICENSE.txt', 'legal/acme-EULA', 'EULA.txt'],
    }),
    dir: project({
      'acme.spec': 'Name: %{pack_label}-%{kernel_release}-modules\n',
      'data.spec': 'Name: %{pack_label}-data\n',
      'legal/LICENSE.txt': 'Terms.\n',
      'legal/acme-EULA': 'More terms.\n',
      'EULA.txt': 'Pack terms.\n',
    }),
  });

  it('writes the rendered specs and the extras, with no absolute path in any spec', async () => {
    const { m, dir } = input();
    const out = join(dir, 'dist', 'specs');
    const rendered = await renderSpecs({ manifest: m, projectDir: dir, outDir: out });
    expect(rendered.map((r) => r.file)).toEqual([join(out, 'acme-4.19.0+1.spec'), join(out, 'acme-4.4.52-xen.spec'), join(out, 'data.spec')]);
    expect(rendered[0]).toMatchObject({ specBase: 'acme', kind: 'kernel-module', kernel: { version: '4.19.0+1' }, source0: 'acme-2.0.tar.gz', template: 'acme.spec' });
    expect(rendered[2]!.extras).toEqual({ tarball: join(out, 'extras/data-extras.tar.gz'), filesList: join(out, 'extras/data-extras.files') });
    expect(readdirSync(out).sort()).toEqual(['acme-4.19.0+1.spec', 'acme-4.4.52-xen.spec', 'data.spec', 'extras']);
    expect(readFileSync(join(out, 'acme-4.4.52-xen.spec'), 'utf8')).toBe(
      [
        '# Rendered by suppack (render-spec): the global macro definitions below come from suppack.json.',
        '%global suppack_version 2.0',
        '%global suppack_release 1',
        '%global suppack_srcdir acme-2.0',
        '%global suppack_source0 acme-2.0.tar.gz',
        '%global pack_label acme-nic',
        '%global pack_vendor_code acme',
        '%global pack_version 1.0',
        '%global kernel_version 4.4.52',
        '%global kernel_flavour xen',
        '%global kernel_release 4.4.52xen',
        '',
        'Name: %{pack_label}-%{kernel_release}-modules',
        '',
      ].join('\n'),
    );
    for (const r of rendered) expect(readFileSync(r.file, 'utf8')).not.toContain(dir);
    expect(readFileSync(join(out, 'data.spec'), 'utf8')).toContain('%global suppack_extras_tar data-extras.tar.gz\n%global suppack_extras_files data-extras.files\n');
    // The extras: a deterministic tarball and its %files list.
    const listing = execFileSync('bsdtar', ['-tvf', rendered[2]!.extras!.tarball], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
    expect(listing.trim().split('\n').map((l) => l.split(/\s+/).at(-1))).toEqual([
      'etc/xensource/bugtool/acme.xml',
      'etc/xensource/bugtool/acme/stuff.xml',
      'usr/share/doc/acme-nic/EULA',
      'usr/share/doc/acme-nic/LICENSE-EULA',
      'usr/share/doc/acme-nic/acme-EULA',
    ]);
    expect(execFileSync('tar', ['-xzOf', rendered[2]!.extras!.tarball, 'usr/share/doc/acme-nic/LICENSE-EULA'], { encoding: 'utf8' })).toBe('Terms.\n');
    expect(readFileSync(rendered[2]!.extras!.filesList, 'utf8')).toBe(
      [
        '%attr(0644,root,root) /etc/xensource/bugtool/acme.xml',
        '%attr(0644,root,root) /etc/xensource/bugtool/acme/stuff.xml',
        '%attr(0644,root,root) /usr/share/doc/acme-nic/EULA',
        '%attr(0644,root,root) /usr/share/doc/acme-nic/LICENSE-EULA',
        '%attr(0644,root,root) /usr/share/doc/acme-nic/acme-EULA',
        '',
      ].join('\n'),
    );
    expect(extrasFilesList([])).toBe('');
  });

  it('is deterministic and removes stale files of a previous run', async () => {
    const { m, dir } = input();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await renderSpecs({ manifest: m, projectDir: dir, outDir: a });
    mkdirSync(b);
    writeFileSync(join(b, 'old-4.19.spec'), 'stale');
    await renderSpecs({ manifest: m, projectDir: dir, outDir: b });
    expect(existsSync(join(b, 'old-4.19.spec'))).toBe(false);
    for (const f of ['acme-4.19.0+1.spec', 'acme-4.4.52-xen.spec', 'data.spec', 'extras/data-extras.tar.gz', 'extras/data-extras.files']) {
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    }
    // Re-render with one kernel fewer: its spec disappears, nothing else is left around.
    await renderSpecs({ manifest: { ...m, kernels: [m.kernels[0]!] }, projectDir: dir, outDir: b });
    expect(readdirSync(b).sort()).toEqual(['acme-4.19.0+1.spec', 'data.spec', 'extras']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('writes an empty extras tarball and list when there is nothing to carry', async () => {
    const dir = project({ 'u.spec': 'Name: u\n' });
    const [r] = await renderSpecs({ manifest: manifest({ rpms: [{ spec: 'u.spec', version: '1' }] }), projectDir: dir, outDir: join(dir, 'out') });
    expect(readFileSync(r!.extras!.filesList, 'utf8')).toBe('');
    expect(execFileSync('bsdtar', ['-tf', r!.extras!.tarball], { encoding: 'utf8' })).toBe('');
  });

  it('names suppack.json and the field when a template or an EULA is missing, and leaves the output alone', async () => {
    const { m, dir } = input();
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.spec'), 'previous');
    const missing = { ...m, rpms: [m.rpms[0]!, { ...m.rpms[1]!, spec: 'nope.spec' }] };
    await expect(renderSpecs({ manifest: missing, projectDir: dir, outDir: out, manifestFile: 'packs/acme/suppack.json' })).rejects.toThrow(
      `packs/acme/suppack.json: rpms[1].spec: spec template not found: ${join(dir, 'nope.spec')}`,
    );
    await expect(renderSpecs({ manifest: { ...m, eulas: ['legal/gone.txt'] }, projectDir: dir, outDir: out })).rejects.toThrow(
      `suppack.json: eulas[0]: EULA file not found: ${join(dir, 'legal/gone.txt')}`,
    );
    await expect(renderSpecs({ manifest: { ...m, eulas: ['legal/my eula'] }, projectDir: dir, outDir: out })).rejects.toThrow(/^suppack\.json: eulas\[0\]: expected a file name/);
    await expect(renderSpecs({ manifest: { ...m, eulas: ['legal/acme-EULA', 'acme-EULA.md'] }, projectDir: dir, outDir: out })).rejects.toThrow(
      'suppack.json: eulas[1]: installs as acme-EULA like eulas[0]: rename one of them',
    );
    expect(readdirSync(out)).toEqual(['keep.spec']);
  });
});
