/**
 * combine-packs and rebuild-iso executors on a real temp workspace with a hand-made
 * ExecutorContext: two legacy pack projects whose ISOs buildLegacyPack writes where their
 * build-iso target would (dist/<root>/iso/<label>.iso), a pack ISO file, an update pack project,
 * a bundle and an installer. Results are read back with isoinfo and bsdtar.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildLegacyPack } from '../core/products/legacy-pack/pack';
import { UPDATE_PACKS_CANNOT_COMBINE } from '../core/xenserver/pack-sources';
import { ANSWERFILE, buildTestInstaller } from '../core/products/installer-iso/testing';
import { legacyPackSchema } from '../schemas/legacy-pack';
import buildIso from './build-iso/executor';
import combinePacks from './combine-packs/executor';
import rebuildIso from './rebuild-iso/executor';
import { defaultInstallerOutput } from '../core/products/installer-iso/stage';
import { captureNxLogger, executorContext } from './testing';

const rpms = inject('fixtureRpms');
const EPOCH = '1650000000';
const ROOTS: Record<string, string> = {
  nic: 'packs/nic',
  fw: 'packs/fw',
  upd: 'packs/upd',
  drivers: 'bundles/drivers',
  installer: 'installers/acme',
  plain: 'libs/plain',
};

const pack = (label: string, text: string) => ({ vendorCode: 'acme', vendorName: 'Acme', label, text, version: '1.0', productVersion: '7.0.0' });
let ws: string;

function write(rel: string, body: string | Buffer | object) {
  mkdirSync(join(ws, rel, '..'), { recursive: true });
  writeFileSync(join(ws, rel), typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body, null, 2));
}

const context = (project: string, targetName: string) => executorContext(ws, project, targetName, ROOTS);

const isoinfo = (iso: string) => execFileSync('isoinfo', ['-R', '-f', '-i', iso], { encoding: 'utf8' }).trim().split('\n');
const isoFile = (iso: string, path: string) => execFileSync('bsdtar', ['-xOf', iso, path]).toString();

beforeAll(async () => {
  ws = mkdtempSync(join(tmpdir(), 'suppack-media-'));
  write('packs/nic/suppack.json', { pack: pack('acme-nic', 'Acme NIC'), prebuilt: ['x.rpm'] });
  write('packs/fw/suppack.json', { pack: pack('acme-fw', 'Acme firmware'), prebuilt: ['x.rpm'] });
  write('packs/upd/suppack.json', {
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' },
    prebuilt: ['x.rpm'],
  });
  // What the members' build-iso targets would have written.
  const built = async (label: string, text: string, rpm: string, outDir: string) =>
    buildLegacyPack({ pack: legacyPackSchema.parse(pack(label, text)), rpms: [rpms[rpm]], outDir: join(ws, outDir), epoch: Number(EPOCH) });
  await built('acme-nic', 'Acme NIC', 'acme-tool', 'dist/packs/nic/iso');
  await built('acme-fw', 'Acme firmware', 'acme-firmware', 'dist/packs/fw/iso');
  // A pack ISO file named by path, inside the bundle project.
  await built('hello', 'Hello', 'hello-lib', 'bundles/drivers/vendor');
  write('bundles/drivers/suppack.json', { kind: 'bundle', name: 'acme-drivers', volumeId: 'Acme drivers', packs: ['nic', 'fw', 'vendor/hello.iso'] });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const log = captureNxLogger(EPOCH);
const loggedErrors = log.errors;

describe('combine-packs', () => {
  it('combines the members (two pack projects, one ISO file) into dist/<root>/bundle-iso/<name>.iso', async () => {
    expect(await combinePacks({}, context('drivers', 'combine-packs'))).toEqual({ success: true });
    expect(loggedErrors()).toEqual([]);
    expect(log.infos()).toEqual(['dist/bundles/drivers/bundle-iso/acme-drivers.iso']);
    const iso = join(ws, 'dist/bundles/drivers/bundle-iso/acme-drivers.iso');
    const listing = isoinfo(iso);
    expect(listing).toContain('/XS-REPOSITORY-LIST');
    for (const label of ['acme-nic', 'acme-fw', 'hello']) {
      expect(listing).toContain(`/packages.${label}/XS-REPOSITORY`);
      expect(listing).toContain(`/packages.${label}/XS-PACKAGES`);
    }
    expect(isoFile(iso, 'XS-REPOSITORY-LIST')).toBe('packages.acme-nic\npackages.acme-fw\npackages.hello\n');
    expect(execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' })).toContain('Volume id: Acme drivers');
    const md5 = readFileSync(`${iso}.md5`, 'utf8');
    expect(md5).toMatch(/^[0-9a-f]{32} {2}acme-drivers\.iso\n$/);
    expect(md5.slice(0, 32)).toBe(execFileSync('md5sum', [iso], { encoding: 'utf8' }).slice(0, 32));
    // Deterministic: a second run writes the same bytes (what makes the target cacheable).
    const first = readFileSync(iso);
    expect(await combinePacks({}, context('drivers', 'combine-packs'))).toEqual({ success: true });
    expect(readFileSync(iso).equals(first)).toBe(true);
  });

  const bad: Array<[string, unknown[], string]> = [
    ['an update-format pack project', ['nic', 'upd'], `bundles/drivers/suppack.json: packs[1]: project "upd" ${UPDATE_PACKS_CANNOT_COMBINE}`],
    [
      'a project that is no suppack project',
      ['plain'],
      'bundles/drivers/suppack.json: packs[0]: no suppack project "plain" in the workspace: expected a legacy pack or bundle project, or a pack ISO path ending in .iso',
    ],
    ['a missing ISO file', ['nic', 'vendor/none.iso'], 'bundles/drivers/suppack.json: packs[1]: bundles/drivers/vendor/none.iso: no such file'],
  ];
  it.each(bad)('%s: one logged line naming the file and field, { success: false }, no output', async (_, packs, message) => {
    const saved = readFileSync(join(ws, 'bundles/drivers/suppack.json'));
    write('bundles/drivers/suppack.json', { kind: 'bundle', name: 'other', volumeId: 'Other', packs });
    try {
      expect(await combinePacks({}, context('drivers', 'combine-packs'))).toEqual({ success: false });
    } finally {
      write('bundles/drivers/suppack.json', saved);
    }
    expect(loggedErrors()).toEqual([message]);
    expect(existsSync(join(ws, 'dist/bundles/drivers/bundle-iso/other.iso'))).toBe(false);
  });

  it('a member project whose ISO is not built yet: says which target to run', async () => {
    rmSync(join(ws, 'dist/packs/fw/iso'), { recursive: true });
    try {
      expect(await combinePacks({}, context('drivers', 'combine-packs'))).toEqual({ success: false });
    } finally {
      await buildLegacyPack({
        pack: legacyPackSchema.parse(pack('acme-fw', 'Acme firmware')),
        rpms: [rpms['acme-firmware']],
        outDir: join(ws, 'dist/packs/fw/iso'),
        epoch: Number(EPOCH),
      });
    }
    expect(loggedErrors()).toEqual([
      'bundles/drivers/suppack.json: packs[1]: dist/packs/fw/iso/acme-fw.iso does not exist: build project "fw" first (its build-iso target)',
    ]);
  });

  it('each executor runs on its kind of project only', async () => {
    expect(await combinePacks({}, context('nic', 'combine-packs'))).toEqual({ success: false });
    expect(await buildIso({}, context('drivers', 'build-iso'))).toEqual({ success: false });
    expect(loggedErrors()).toEqual([
      'packs/nic/suppack.json: kind: expected a bundle project for the combine-packs target, got a pack project',
      'bundles/drivers/suppack.json: kind: expected a pack project for the build-iso target, got a bundle project',
    ]);
  });
});

describe('rebuild-iso', () => {
  it('adds the packs of a bundle member, the answerfile and an include to the base ISO, boot menus patched', async () => {
    // The bundle's ISO, as its combine-packs target writes it.
    expect(await combinePacks({}, context('drivers', 'combine-packs'))).toEqual({ success: true });
    const dir = join(ws, 'installers/acme');
    mkdirSync(dir, { recursive: true });
    buildTestInstaller(join(dir, 'iso'));
    write('installers/acme/answerfile.xml', ANSWERFILE);
    write('installers/acme/site/motd', 'hello\n');
    write('installers/acme/suppack.json', {
      kind: 'installer',
      baseIso: 'iso/installer.iso',
      packs: ['drivers'],
      answerfile: 'answerfile.xml',
      bootEntries: ['install'],
      include: [{ from: 'site', to: 'acme/site' }],
      volumeId: 'Acme XenServer',
    });
    log.clearInfos();
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: true });
    expect(loggedErrors()).toEqual([]);
    expect(log.infos()).toEqual([
      'boot/isolinux/isolinux.cfg: answerfile parameters added to "install"',
      'boot/isolinux/isolinux.cfg: left "local": is not a Xen entry (LOCALBOOT 0)',
      'EFI/xenserver/grub.cfg: answerfile parameters added to "install"',
      'boot/efiboot.img:EFI/xenserver/grub.cfg: answerfile parameters added to "install"',
      'dist/installers/acme/installer/installer.iso',
    ]);
    const iso = join(ws, 'dist/installers/acme/installer/installer.iso');
    const listing = isoinfo(iso);
    for (const f of ['/packages.main/XS-REPOSITORY', '/packages.acme-nic/XS-REPOSITORY', '/packages.acme-fw/XS-REPOSITORY', '/packages.hello/XS-REPOSITORY', '/acme/site/motd']) {
      expect(listing).toContain(f);
    }
    expect(isoFile(iso, 'XS-REPOSITORY-LIST').split('\n')).toEqual(expect.arrayContaining(['packages.acme-nic', 'packages.acme-fw', 'packages.hello']));
    expect(isoFile(iso, 'boot/isolinux/isolinux.cfg')).toContain('answerfile=file:///answerfile.xml install');
    expect(execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' })).toContain('Volume id: Acme XenServer');
    expect(log.warns()).toEqual([]);
    // What the installer reads otherwise than it looks is a warning naming the file, relative to the workspace.
    write('installers/acme/answerfile.xml', ANSWERFILE.replace('<primary-disk>', '<primary-disk gueststorage="1">'));
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: true });
    expect(log.warns()).toEqual([
      'warning: installers/acme/answerfile.xml: installation/primary-disk@gueststorage: "1" reads as false (the installer takes yes or true, any case, as true and anything else as false)',
    ]);
  });

  it('a boot entry name that no menu has is an error naming it; bootEntries without an answerfile is a manifest error', async () => {
    write('installers/acme/suppack.json', { kind: 'installer', baseIso: 'iso/installer.iso', answerfile: 'answerfile.xml', bootEntries: ['shell'], output: 'y.iso' });
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: false });
    write('installers/acme/suppack.json', { kind: 'installer', baseIso: 'iso/installer.iso', include: [{ from: 'site' }], bootEntries: ['install'], output: 'y.iso' });
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: false });
    expect(loggedErrors()).toEqual([
      expect.stringMatching(/installers\/acme\/iso\/installer\.iso: boot entries: boot entry "shell" is in no boot menu; the menus have "install", "local"$/),
      'installers/acme/suppack.json: line 9, column 18: bootEntries: expected with an answerfile, whose parameters it directs',
    ]);
    expect(existsSync(join(ws, 'dist/installers/acme/installer/y.iso'))).toBe(false);
  });

  it('an update-format member is refused before anything is written; a missing base ISO names the field', async () => {
    write('installers/acme/suppack.json', { kind: 'installer', baseIso: 'iso/installer.iso', packs: ['upd'], output: 'x.iso' });
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: false });
    write('installers/acme/suppack.json', { kind: 'installer', baseIso: 'iso/missing.iso', packs: ['nic'], output: 'x.iso' });
    expect(await rebuildIso({}, context('installer', 'rebuild-iso'))).toEqual({ success: false });
    expect(loggedErrors()).toEqual([
      `installers/acme/suppack.json: packs[0]: project "upd" ${UPDATE_PACKS_CANNOT_COMBINE}`,
      'installers/acme/suppack.json: baseIso: iso/missing.iso: no such file, expected the installer ISO to start from',
    ]);
    expect(existsSync(join(ws, 'dist/installers/acme/installer/x.iso'))).toBe(false);
  });

  it('the default output is <project name>.iso, or the base ISO name for a scoped project name', () => {
    expect(defaultInstallerOutput('installer', 'iso/base.iso')).toBe('installer.iso');
    expect(defaultInstallerOutput('@acme/installer', 'iso/XenServer-7.0.iso')).toBe('XenServer-7.0.iso');
    expect(defaultInstallerOutput(undefined, 'base.iso')).toBe('base.iso');
  });
});
