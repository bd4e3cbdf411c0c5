/**
 * The generated packs really build: render-spec, build-srctarballs and build-rpms (core) on the
 * files the generator writes, with the real rpmbuild, then rpm -qp on the results. The driver
 * module compiles against the kernel headers installed on this machine (linux-headers-amd64).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { prepareKernelTrees } from '../../core/products/rpms/kernel-devel';
import { buildRpms } from '../../core/products/rpms/rpmbuild';
import { renderSpecs } from '../../core/products/rpms/render-spec';
import { buildSourceTarballs } from '../../core/products/rpms/srctarball';
import { buildUpdatePack } from '../../core/products/update-pack/pack';
import { DEFAULT_EPOCH } from '../../core/base/time';
import { parseManifestText } from '../../core/products/manifest-file';
import type { PackFormat, PackType } from '../../schemas/generators';
import { debianHeadersTree, kernelDevelRpm } from '../../testing/kernel-devel';
import { packGenerator } from './generator';

let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'suppack-gen-build-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** A kernel release of this machine with a build tree, e.g. 6.1.0-28-amd64. */
function installedKernel(): string {
  const found = readdirSync('/lib/modules').filter((k) => existsSync(join('/lib/modules', k, 'build', 'Makefile')));
  if (found.length === 0) throw new Error('no kernel headers under /lib/modules/*/build: apt-get install linux-headers-amd64');
  return found.sort()[0];
}

function flush(tree: Tree, root: string): void {
  for (const c of tree.listChanges()) {
    if (c.type === 'DELETE' || c.content === null) continue;
    mkdirSync(dirname(join(root, c.path)), { recursive: true });
    writeFileSync(join(root, c.path), c.content);
  }
}

async function generateAndBuild(
  type: PackType,
  kernel?: string,
  format: PackFormat = 'legacy',
  develRpm?: { path: string; bytes: Buffer },
): Promise<{ rpms: string[]; dir: string; manifest: ReturnType<typeof parseManifestText> }> {
  const tree = createTreeWithEmptyWorkspace();
  const name = `gen-${type}`;
  if (develRpm) tree.write(develRpm.path, develRpm.bytes);
  await packGenerator(tree, {
    name,
    type,
    format,
    vendorCode: 'acme',
    vendorName: 'Acme',
    ...(kernel ? { kernel } : {}),
    ...(develRpm ? { kernelDevelRpm: develRpm.path } : {}),
  });
  const root = join(ws, `${type}-${format}${develRpm ? '-devel' : ''}`);
  flush(tree, root);
  const dir = join(root, 'packs', name);
  const manifest = parseManifestText(tree.read(`packs/${name}/suppack.json`, 'utf8') ?? '', 'suppack.json');
  const dist = join(dir, 'dist');
  await renderSpecs({ manifest, projectDir: dir, outDir: join(dist, 'specs') });
  await buildSourceTarballs({ manifest, projectDir: dir, outDir: join(dist, 'SOURCES'), epoch: DEFAULT_EPOCH });
  // What the build-rpms executor does first: the kernel-devel RPMs' trees (core/products/rpms/kernel-devel.ts).
  const built = await prepareKernelTrees(manifest, { baseDir: root, workDir: join(dist, '.rpmbuild'), manifestFile: 'suppack.json' });
  const rpms = await buildRpms({
    manifest: built,
    specsDir: join(dist, 'specs'),
    sourcesDir: join(dist, 'SOURCES'),
    outDir: join(dist, 'RPMS'),
    workDir: join(dist, '.rpmbuild'),
    epoch: DEFAULT_EPOCH,
  });
  return { rpms, dir, manifest };
}

const rpmq = (file: string, ...args: string[]) => execFileSync('rpm', ['-qp', ...args, file], { encoding: 'utf8' });

describe('generated packs build with rpmbuild', () => {
  test('userspace: program, %config, docs, status report, EULA; scriptlets are valid sh', async () => {
    const { rpms } = await generateAndBuild('userspace');
    expect(rpms.map((r) => r.split('/').pop())).toEqual(['gen-userspace-1.0-1.noarch.rpm']);
    const files = rpmq(rpms[0], '-l').trim().split('\n');
    expect(files).toEqual([
      '/etc/gen-userspace',
      '/etc/gen-userspace/gen-userspace.conf',
      '/etc/xensource/bugtool/gen-userspace',
      '/etc/xensource/bugtool/gen-userspace.xml',
      '/etc/xensource/bugtool/gen-userspace/stuff.xml',
      '/usr/bin/gen-userspace',
      '/usr/share/doc/gen-userspace',
      '/usr/share/doc/gen-userspace/README',
      '/usr/share/doc/gen-userspace/gen-userspace-EULA',
      '/var/log/gen-userspace',
    ]);
    expect(rpmq(rpms[0], '-c').trim()).toBe('/etc/gen-userspace/gen-userspace.conf');
    expect(rpmq(rpms[0], '--qf', '[%{FILEMODES:perms} %{FILENAMES}\n]')).toContain('-rwxr-xr-x /usr/bin/gen-userspace');
    const post = rpmq(rpms[0], '--qf', '%{POSTIN}');
    expect(post).toContain('XS_PREVIOUS_INSTALLATION');
    for (const tag of ['POSTIN', 'POSTUN']) execFileSync('sh', ['-n', '-c', rpmq(rpms[0], '--qf', `%{${tag}}`)]);
  });

  test('combined: a kernel module RPM (modinfo reads the .ko) and the -data RPM', async () => {
    const kernel = installedKernel();
    const { rpms, dir } = await generateAndBuild('combined', kernel);
    const names = rpms.map((r) => r.split('/').pop());
    expect(names).toEqual([`gen-combined-${kernel}-modules-1.0-1.x86_64.rpm`, 'gen-combined-data-1.0-1.noarch.rpm']);
    expect(rpmq(rpms[0], '--qf', '%{GROUP}')).toBe('System Environment/Kernel');
    expect(rpmq(rpms[0], '-l').trim()).toBe(`/lib/modules/${kernel}/updates/gen-combined.ko`);
    // modinfo on the .ko inside the RPM.
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('sh', ['-c', `rpm2cpio "${rpms[0]}" | cpio -idm --quiet`], { cwd: x });
    const modinfo = execFileSync('/sbin/modinfo', [join(x, `lib/modules/${kernel}/updates/gen-combined.ko`)], { encoding: 'utf8' });
    expect(modinfo).toMatch(/^license:\s+GPL$/m);
    expect(modinfo).toMatch(/^version:\s+1\.0$/m);
    expect(modinfo).toMatch(/^parm:\s+greeting:/m);
    expect(modinfo).toMatch(new RegExp(`^vermagic:\\s+${kernel.replace(/[.+]/g, '\\$&')} `, 'm'));
    expect(rpmq(rpms[1], '-l').trim().split('\n')).toEqual([
      '/etc/modprobe.d/gen-combined.conf',
      '/etc/udev/rules.d/90-gen-combined.rules',
      '/lib/firmware/gen-combined',
      '/lib/firmware/gen-combined/gen-combined.fw',
    ]);
  });
});

test('update format: a generated driver disk builds into an ISO named and versioned from its driver RPM', async () => {
  const kernel = installedKernel();
  const { rpms, dir, manifest } = await generateAndBuild('driver', kernel, 'update');
  if (manifest.format !== 'update') throw new Error('expected an update manifest');
  expect(rpms.map((r) => r.split('/').pop())).toEqual([`gen-driver-${kernel}-modules-1.0.0-1.x86_64.rpm`]);
  const out = join(dir, 'dist', 'iso');
  mkdirSync(out);
  // No key in the generated manifest: an unsigned ISO, no secret key needed.
  const { iso, version } = await buildUpdatePack({ pack: manifest.pack, rpms, files: {}, output: out, epoch: DEFAULT_EPOCH });
  expect(version).toBe('1.0.0+1+1');
  expect(iso).toBe(join(out, 'gen-driver-1.0.0+1+1.iso'));
  const listing = execFileSync('bsdtar', ['-tf', iso], { encoding: 'utf8' }).trim().split('\n');
  expect(listing).toContain('update.xml');
  expect(listing).not.toContain('update.xml.asc');
  expect(listing).toContain(`Packages/gen-driver-${kernel}-modules-1.0.0-1.x86_64.rpm`);
  const xml = execFileSync('bsdtar', ['-xOf', iso, 'update.xml'], { encoding: 'utf8' });
  expect(xml).toContain(`uuid="${manifest.pack.uuid}"`);
  expect(xml).toContain('name-label="gen-driver"');
  expect(xml).toContain('version="1.0.0+1+1"');
  expect(xml).toContain('after-apply-guidance="restartHost"');
  expect(xml).not.toContain(' key=');
  // A driver disk: the comps groups update and drivers (docs/formats/xenserver.md §2.5).
  const groups = listing.find((f) => /^repodata\/.*(comps|groups)[^/]*\.xml$/.test(f));
  expect(groups, listing.join(' ')).toBeDefined();
  const comps = execFileSync('bsdtar', ['-xOf', iso, groups as string], { encoding: 'utf8' });
  expect(comps).toContain('<id>drivers</id>');
  expect(comps).toContain('<id>update</id>');
});

test('a driver built against a kernel-devel RPM laid out as XCP-ng\'s, made from the Debian headers under another release: modinfo shows that release', async () => {
  // A release this machine has no headers for: the module can only have come from the RPM's tree.
  const release = '6.1.0+1';
  expect(existsSync(join('/lib/modules', release))).toBe(false);
  const tree = join(ws, 'devel-tree');
  await debianHeadersTree(tree, release);
  // gzip: xz over 80 MB takes long on a busy machine; xz payloads are tested in core/products/rpms/kernel-devel.test.ts.
  const rpm = await kernelDevelRpm({ release, tree, outDir: join(ws, 'devel-rpm') });
  rmSync(tree, { recursive: true, force: true });
  expect(execFileSync('rpm', ['-qpl', rpm], { encoding: 'utf8' })).toContain(`/lib/modules/${release}/build\n`);
  const { rpms, dir, manifest } = await generateAndBuild('driver', undefined, 'legacy', { path: 'kernels/kernel-devel.rpm', bytes: readFileSync(rpm) });
  // The generator read the release from the RPM.
  expect(manifest.kernels).toEqual([{ version: release, develRpm: 'kernels/kernel-devel.rpm' }]);
  expect(rpms.map((r) => r.split('/').pop())).toEqual([`gen-driver-${release}-modules-1.0-1.x86_64.rpm`]);
  const x = join(dir, 'x');
  mkdirSync(x);
  execFileSync('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'sh', rpms[0]], { cwd: x });
  const ko = join(x, `lib/modules/${release}/updates/gen-driver.ko`);
  const modinfo = execFileSync('/sbin/modinfo', [ko], { encoding: 'utf8' });
  expect(modinfo).toMatch(new RegExp(`^vermagic:\\s+${release.replace(/[.+]/g, '\\$&')} `, 'm'));
  // The tree sits in rpmbuild's work dir, whose path -ffile-prefix-map keeps out of the module.
  expect(readFileSync(ko).includes(Buffer.from(ws))).toBe(false);
}, 300_000);
