/**
 * Issue 12 item 2: build-rpms builds for the manifest's host (core/xenserver/hosts.ts). A XenServer 6.5 pack
 * gets md5 file digests and a gzip payload, and rpm 4.4.2.3 (the host's own, testing/old-rpm.ts)
 * installs, verifies and removes the result; a 7.0 pack keeps sha256, which rpm 4.11.3 takes. What
 * a spec itself asks for beyond the host's rpm is refused before outDir changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platformStubRpm, privateRpmRoot, rpmInRoot } from '../../../testing/old-rpm';
import { manifestSchema, type ManifestInput } from '../../../schemas/manifest';
import { parseWithSchema } from '../../../schemas/parse';
import { RPM_4_11, RPM_4_4 } from '../../xenserver/hosts';
import { buildRpms, rpmbuildDefines } from './rpmbuild';
import { renderSpecs } from './render-spec';
import { buildSourceTarballs } from './srctarball';
import { inferTargets } from '../../../plugin/targets';

const EPOCH = 1700000000;
const SPEC = `Name: %{pack_label}-tools
Version: %{suppack_version}
Release: %{suppack_release}
Summary: tools
License: MIT
BuildArch: noarch
Source0: %{suppack_source0}

%description
Tools.

%prep
%setup -q -n %{suppack_srcdir}

%install
install -D -m 0755 tool %{buildroot}/usr/bin/acme-tool
install -D -m 0644 tool.conf %{buildroot}/etc/acme/tool.conf

%files
/usr/bin/acme-tool
%config(noreplace) /etc/acme/tool.conf
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function buildFor(pack: Record<string, unknown>, version = '1.0') {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-rpmbuild-host-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'tools.spec'), SPEC);
  writeFileSync(join(dir, 'src/tool'), '#!/bin/sh\necho tool\n');
  writeFileSync(join(dir, 'src/tool.conf'), 'x=1\n');
  const input = {
    pack: { vendorCode: 'acme', vendorName: 'ACME', label: 'acme', text: 'ACME', version: '1.0', ...pack },
    rpms: [{ spec: 'tools.spec', sources: 'src', version }],
  } as ManifestInput;
  const manifest = parseWithSchema(manifestSchema, input);
  const specsDir = join(dir, 'dist/specs');
  const sourcesDir = join(dir, 'dist/SOURCES');
  await renderSpecs({ manifest, projectDir: dir, outDir: specsDir });
  await buildSourceTarballs({ manifest, projectDir: dir, outDir: sourcesDir, epoch: EPOCH });
  const outDir = join(dir, 'dist/RPMS');
  const run = () => buildRpms({ manifest, specsDir, sourcesDir, outDir, workDir: join(dir, 'dist/.rpmbuild'), epoch: EPOCH });
  return { dir, outDir, run };
}

const qf = (rpm: string, fmt: string) => execFileSync('rpm', ['-qp', '--qf', fmt, rpm], { encoding: 'utf8' });
const requires = (rpm: string) => execFileSync('rpm', ['-qp', '--requires', rpm], { encoding: 'utf8' });

describe('build-rpms builds for the target host', () => {
  it('the defines: md5 file digests and gzip for rpm 4.4; gzip and rpm format 4 for every host', () => {
    const for44 = rpmbuildDefines({ topDir: '/t', sourceDir: '/s', host: RPM_4_4 }).join(' ');
    expect(for44).toContain('--define _binary_filedigest_algorithm 1 --define _source_filedigest_algorithm 1');
    expect(for44).toContain('--define _binary_payload w9.gzdio');
    const for411 = rpmbuildDefines({ topDir: '/t', sourceDir: '/s', host: RPM_4_11 }).join(' ');
    expect(for411).toContain('--define _binary_payload w9.gzdio');
    expect(for411).toContain('--define _rpmformat 4');
    expect(for411).not.toContain('filedigest');
  });

  it('paths reach rpm as text: a "%" in the workspace or kernel tree path expands to nothing else (rpm --eval)', () => {
    const odd = "/w/100% it's/%(touch pwned)/%{_bindir}";
    const args = rpmbuildDefines({ topDir: `${odd}/t`, sourceDir: `${odd}/s`, kernelBuildDir: `${odd}/k`, host: RPM_4_11 });
    const cwd = mkdtempSync(join(tmpdir(), 'suppack-defines-'));
    try {
      const out = execFileSync('rpm', [...args, '--eval', '%{_topdir}|%{_sourcedir}|%{kernel_build_dir}'], { cwd, encoding: 'utf8' }).trim();
      expect(out).toBe(`${odd}/t|${odd}/s|${odd}/k`);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('XenServer 6.5.0: md5 digests, gzip, no rpmlib(FileDigests); rpm 4.4.2.3 installs, verifies and removes it', async () => {
    const { run } = await buildFor({ productVersion: '6.5.0' });
    const [rpm] = await run();
    expect(qf(rpm!, '%{PAYLOADCOMPRESSOR} [%{FILEDIGESTALGO}]')).toBe('gzip ');
    expect(requires(rpm!)).not.toContain('FileDigests');
    const root = privateRpmRoot('4.4');
    try {
      // The stub provides /bin/sh, as the host's bash package does.
      const stub = platformStubRpm(root, ['/bin/sh']);
      const i = rpmInRoot('4.4', root, ['-i', stub, rpm!]);
      expect(i.status, i.output).toBe(0);
      const v = rpmInRoot('4.4', root, ['-V', 'acme-tools']);
      expect(v.status, v.output).toBe(0);
      expect(v.output).toBe('');
      expect(rpmInRoot('4.4', root, ['-e', 'acme-tools']).status).toBe(0);
      expect(existsSync(join(root, 'usr/bin/acme-tool'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('XenServer 7.0.0: sha256 digests (rpm 4.11.3 checks them), gzip', async () => {
    const { run } = await buildFor({ productVersion: '7.0.0' });
    const [rpm] = await run();
    expect(qf(rpm!, '%{PAYLOADCOMPRESSOR} [%{FILEDIGESTALGO}]')).toBe('gzip 8');
    expect(requires(rpm!)).toContain('rpmlib(FileDigests)');
  });

  it('a spec asking for more than rpm 4.4 has (a "~" version) is refused for 6.5, naming the RPM, its spec, the feature and the host; outDir untouched', async () => {
    const { outDir, run } = await buildFor({ productVersion: '6.5.0' }, '1.0~rc1');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'earlier-1-1.noarch.rpm'), 'earlier build');
    await expect(run()).rejects.toThrow(
      'acme-tools-1.0~rc1-1.noarch.rpm (built from tools.spec): needs rpmlib(TildeInVersions), which rpm 4.4.2.3 of XenServer 6.5 lacks (use a version and release without "~")',
    );
    expect(readdirSync(outDir)).toEqual(['earlier-1-1.noarch.rpm']);
  });

  it("Nx: build-rpms hashes the target host's fields of suppack.json (product, productVersion, requires, format) and suppack's own version (the host table)", () => {
    const manifest = manifestSchema.parse({
      pack: { vendorCode: 'acme', vendorName: 'ACME', label: 'acme', text: 'ACME', version: '1.0', productVersion: '6.5.0' },
      rpms: [{ spec: 'tools.spec', version: '1.0' }],
    });
    const inputs = inferTargets('packs/acme', manifest)['build-rpms']!.inputs;
    const reads = inputs!.find((i): i is { runtime: string } => typeof i === 'object' && 'runtime' in i && i.runtime.startsWith('node -e '));
    expect(reads?.runtime).toContain('"packs/acme/suppack.json"');
    for (const field of ['format', 'pack.product', 'pack.productVersion', 'pack.requires']) expect(reads?.runtime.split(' ')).toContain(field);
    expect(inputs).toContainEqual({ externalDependencies: ['suppack'] });
  });
});
