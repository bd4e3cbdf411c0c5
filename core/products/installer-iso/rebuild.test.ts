/**
 * combine-packs and rebuild-iso against the real tools: xorriso's El Torito and system-area
 * reports, isoinfo, bsdtar, mtools, cpio. (The QEMU boot of the result is e2e/boot.)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildLegacyPack } from '../legacy-pack/pack';
import { buildUpdatePack } from '../update-pack/pack';
import { combinePacks } from '../combined-pack/combine';
import { rebuildIso } from './rebuild';
import { inspectPack, verifyPack } from '../report/pack-report';
import { legacyPackSchema } from '../../../schemas/legacy-pack';
import { updatePackSchema } from '../../../schemas/update-pack';
import { encodeInitrdMember, findAppendedMember, findLeadingMember, initrdPadding } from '../../xenserver/installer';
import { reportLines, xorrisoReport } from '../../formats/iso/append/testing';
import { isoinfoLbas } from '../../formats/iso/testing';
import { ANSWERFILE, buildTestInstaller } from './testing';
import { sh, walkInitramfs } from '../../xenserver/installer/testing';
import { KERNEL, buildTestModules, driverRpm, kmod, testInitrd, unpackRamdisk, type TestModules } from '../../xenserver/installer/testing';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-rebuild-'));
const EPOCH = 1_700_000_000;
let base: string;
let packA: string;
let packB: string;
let updateIso: string;

const legacy = (label: string, text: string) =>
  legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label, text, version: '1.0', productVersion: '7.0.0' });

beforeAll(async () => {
  base = buildTestInstaller(join(dir, 'base'));
  mkdirSync(join(dir, 'base'), { recursive: true });
  packA = (await buildLegacyPack({ pack: legacy('acme-fw', 'Acme firmware'), rpms: [rpms['acme-firmware']!], outDir: join(dir, 'a'), epoch: EPOCH })).outputs.iso!;
  packB = (await buildLegacyPack({ pack: legacy('hello', 'Hello'), rpms: [rpms['hello-lib']!], outDir: join(dir, 'b'), epoch: EPOCH })).outputs.iso!;
  mkdirSync(join(dir, 'u'), { recursive: true });
  updateIso = (
    await buildUpdatePack({
      pack: updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' }),
      rpms: [rpms['hello-lib']!],
      files: {},
      output: join(dir, 'u'),
      epoch: EPOCH,
    })
  ).iso;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const isoFile = (iso: string, path: string) => execFileSync('bsdtar', ['-xOf', iso, path], { maxBuffer: 64 << 20 });

describe('combinePacks (docs/formats/xenserver.md §3)', () => {
  it('puts each pack in packages.<label>/ and lists them in XS-REPOSITORY-LIST', async () => {
    const out = await combinePacks({ packs: [packA, packB], outDir: join(dir, 'c'), name: 'acme-all', volumeId: 'Acme packs', epoch: EPOCH });
    const listing = text('isoinfo', ['-R', '-f', '-i', out.iso]).split('\n');
    expect(listing).toContain('/XS-REPOSITORY-LIST');
    expect(listing).toContain('/packages.acme-fw/XS-REPOSITORY');
    expect(listing).toContain('/packages.hello/XS-PACKAGES');
    expect(listing).toContain('/packages.hello/hello-lib-1.2-3.noarch.rpm');
    expect(isoFile(out.iso, 'XS-REPOSITORY-LIST').toString()).toBe('packages.acme-fw\npackages.hello\n');
    expect(isoFile(out.iso, 'packages.acme-fw/XS-PACKAGES').equals(isoFile(packA, 'XS-PACKAGES'))).toBe(true);
    expect(text('isoinfo', ['-d', '-i', out.iso])).toContain('Volume id: Acme packs');
    expect(readFileSync(out.isoMd5, 'utf8')).toMatch(/^[0-9a-f]{32}  acme-all\.iso\n$/);
    const again = await combinePacks({ packs: [packA, packB], outDir: join(dir, 'c2'), name: 'acme-all', volumeId: 'Acme packs', epoch: EPOCH });
    expect(readFileSync(again.iso).equals(readFileSync(out.iso))).toBe(true);
  });

  it('refuses update packs with what to do instead, and two packs with one label', async () => {
    await expect(combinePacks({ packs: [packA, updateIso], outDir: join(dir, 'c3'), name: 'x', volumeId: 'x', epoch: EPOCH })).rejects.toThrow(
      /upd\.iso: is an update-format pack .* cannot be combined .* as its own <source> or <driver-source>/,
    );
    await expect(combinePacks({ packs: [packA, packA], outDir: join(dir, 'c3'), name: 'x', volumeId: 'x', epoch: EPOCH })).rejects.toThrow(
      /packages\.acme-fw is also that of/,
    );
    expect(existsSync(join(dir, 'c3'))).toBe(false);
  });

  it('refuses an output that is one of its packs, by any name, and leaves the pack as it was', async () => {
    const self = join(dir, 'self');
    mkdirSync(self);
    copyFileSync(packA, join(self, 'a.iso'));
    symlinkSync('a.iso', join(self, 'link.iso'));
    for (const name of ['a', 'link']) {
      await expect(combinePacks({ packs: [join(self, 'a.iso'), packB], outDir: self, name, volumeId: 'x', epoch: EPOCH })).rejects.toThrow(
        new RegExp(`self/a\\.iso: is also the output .*self/${name}\\.iso: expected an output that is not one of the packs combined`),
      );
    }
    expect(readFileSync(join(self, 'a.iso')).equals(readFileSync(packA))).toBe(true);
    expect(readdirSync(self).sort()).toEqual(['a.iso', 'link.iso']);
  });
});

describe('rebuildIso (docs/formats/xenserver.md §4)', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof rebuildIso>>;
  beforeAll(async () => {
    writeFileSync(join(dir, 'answerfile.xml'), ANSWERFILE);
    mkdirSync(join(dir, 'extra/sub'), { recursive: true });
    writeFileSync(join(dir, 'extra/sub/notes.txt'), 'extra\n');
    out = join(dir, 'out.iso');
    result = await rebuildIso({
      input: base,
      output: out,
      packs: [packA, packB],
      answerfile: join(dir, 'answerfile.xml'),
      include: [{ from: join(dir, 'extra'), to: 'site' }],
      epoch: EPOCH,
    });
  });

  it('adds the packs as packages.<label>/ listed in XS-REPOSITORY-LIST, and the included files', () => {
    expect(result.packDirs).toEqual(['packages.acme-fw', 'packages.hello']);
    const listing = text('isoinfo', ['-R', '-l', '-i', out]);
    expect(listing).toContain('XS-REPOSITORY-LIST');
    expect(listing).toMatch(/Directory listing of \/packages\.acme-fw\//);
    expect(isoFile(out, 'XS-REPOSITORY-LIST').toString()).toBe('packages.acme-fw\npackages.hello\n');
    expect(isoFile(out, 'site/sub/notes.txt').toString()).toBe('extra\n');
    expect(isoFile(out, 'packages.main/XS-REPOSITORY').equals(isoFile(base, 'packages.main/XS-REPOSITORY'))).toBe(true);
    expect(text('isoinfo', ['-d', '-i', out])).toContain('Volume id: XenServer-8.4 install');
  });

  it('an ISO-8859-1 answerfile the installer takes goes in byte for byte; what it reads otherwise is returned as warnings (issue 13)', async () => {
    const latin1 = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?>\n${ANSWERFILE.replace(/^<\?xml[^>]*>\n?/, '').replace('<primary-disk>', '<primary-disk gueststorage="1">').replace(/<root-password[^<]*<\/root-password>/, '<root-password>p\u00e4ss</root-password>')}`,
      'latin1',
    );
    expect(latin1.includes(Buffer.from([0xe4]))).toBe(true);
    writeFileSync(join(dir, 'latin1.xml'), latin1);
    const r = await rebuildIso({ input: base, output: join(dir, 'latin1.iso'), answerfile: join(dir, 'latin1.xml'), epoch: EPOCH });
    expect(r.answerfileWarnings).toEqual([
      `${join(dir, 'latin1.xml')}: installation/primary-disk@gueststorage: "1" reads as false (the installer takes yes or true, any case, as true and anything else as false)`,
    ]);
    const before = isoFile(base, 'install.img');
    const found = findAppendedMember(isoFile(join(dir, 'latin1.iso'), 'install.img').subarray(before.length));
    expect(found?.files.map((f) => f.path)).toEqual(['answerfile.xml']);
    expect(found?.files[0].data.equals(latin1)).toBe(true);
    expect(result.answerfileWarnings).toEqual([]);
  });

  it('injects the answerfile into install.img without recompressing it, and on every dom0 command line', () => {
    const before = isoFile(base, 'install.img');
    const after = isoFile(out, 'install.img');
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const found = findAppendedMember(after.subarray(before.length));
    expect(found?.files.map((f) => [f.path, f.data.toString()])).toEqual([['answerfile.xml', ANSWERFILE]]);
    // The real cpio reads the appended member.
    expect(execFileSync('sh', ['-c', 'gzip -dc | cpio -i --to-stdout --quiet answerfile.xml'], { input: after.subarray(before.length).subarray(found!.offset) }).toString()).toBe(ANSWERFILE);
    const isolinux = isoFile(out, 'boot/isolinux/isolinux.cfg').toString();
    expect(isolinux).toContain('--- /boot/vmlinuz console=tty0 console=hvc0 answerfile=file:///answerfile.xml install --- /install.img');
    expect(isolinux).toContain('LABEL local\n\tLOCALBOOT 0');
    const grub = isoFile(out, 'EFI/xenserver/grub.cfg').toString();
    expect(grub).toContain('module2 /boot/vmlinuz console=tty0 console=hvc0 answerfile=file:///answerfile.xml install\n');
    // The grub.cfg copy inside the EFI boot image too (XCP-ng style media).
    writeFileSync(join(dir, 'efiboot-out.img'), isoFile(out, 'boot/efiboot.img'));
    const copy = text('mtype', ['-i', join(dir, 'efiboot-out.img'), '::EFI/xenserver/grub.cfg']);
    expect(copy).toContain('module2 /boot/vmlinuz console=tty0 console=hvc0 answerfile=file:///answerfile.xml install');
    expect(execFileSync('mtype', ['-i', join(dir, 'efiboot-out.img'), '::EFI/BOOT/BOOTX64.EFI']).equals(Buffer.alloc(5000, 7))).toBe(true);
    expect(result.menus).toEqual([
      { file: 'boot/isolinux/isolinux.cfg', patched: ['install'], left: [{ entry: 'local', reason: 'is not a Xen entry (LOCALBOOT 0)' }] },
      { file: 'EFI/xenserver/grub.cfg', patched: ['install'], left: [] },
      { file: 'boot/efiboot.img:EFI/xenserver/grub.cfg', patched: ['install'], left: [] },
    ]);
  });

  it('keeps the boot setup of the input: El Torito entries and isohybrid MBR + GPT', () => {
    const a = xorrisoReport(base);
    const b = xorrisoReport(out);
    for (const prefix of ['El Torito catalog', 'El Torito cat path', 'El Torito boot img', 'El Torito img path', 'El Torito img opts']) {
      const before = reportLines(a, prefix);
      const after = reportLines(b, prefix);
      expect(after.length, prefix).toBe(before.length);
      expect(before.length, prefix).toBeGreaterThan(0);
    }
    expect(reportLines(b, 'El Torito img path').join('\n')).toMatch(/boot\/isolinux\/isolinux\.bin[\s\S]*boot\/efiboot\.img/);
    expect(reportLines(b, 'El Torito img opts').join('\n')).toContain('boot-info-table');
    expect(reportLines(b, 'System area summary').join('\n')).toMatch(/MBR.*GPT/i);
    expect(b).not.toMatch(/GPT backup problems|CRC.*wrong/i);
    // isolinux.bin does not move, so the BIOS entry is byte-identical.
    expect(reportLines(b, 'El Torito boot img :   1')).toEqual(reportLines(a, 'El Torito boot img :   1'));
  });

  it('inspect shows the repositories, the boot entries and the injected answerfile; verify checks every pack', async () => {
    const r = await inspectPack(out);
    expect(r.format).toBe('installer');
    if (r.format !== 'installer') return;
    expect(r.repositoryList).toEqual(['packages.acme-fw', 'packages.hello']);
    expect(r.repositories.map((x) => `${x.directory} ${x.repository.originator}:${x.repository.name}`)).toEqual([
      'packages.acme-fw acme:acme-fw',
      'packages.hello acme:hello',
    ]);
    const xen = { kind: 'install', hypervisor: '/boot/xen.gz dom0_mem=max:1024M com1=115200,8n1 console=com1' };
    const dom0 = '/boot/vmlinuz console=tty0 console=hvc0 answerfile=file:///answerfile.xml install';
    expect(r.boot).toEqual([
      { menu: 'boot/isolinux/isolinux.cfg', name: 'install', loader: 'mboot.c32', ...xen, dom0 },
      { menu: 'boot/isolinux/isolinux.cfg', name: 'local', kind: 'other', loader: 'LOCALBOOT', boots: 'LOCALBOOT 0' },
      { menu: 'EFI/xenserver/grub.cfg', name: 'install', loader: 'multiboot2', ...xen, dom0 },
      { menu: 'boot/efiboot.img:EFI/xenserver/grub.cfg', name: 'install', loader: 'multiboot2', ...xen, dom0 },
    ]);
    expect(r.answerfile).toBe(ANSWERFILE);
    const before = await inspectPack(base);
    expect(before.format === 'installer' && before.answerfile).toBe(null);
    const v = await verifyPack(out);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.file)).toEqual(['packages.acme-fw/acme-firmware-2.0.1-1.noarch.rpm', 'packages.hello/hello-lib-1.2-3.noarch.rpm']);
  });

  it('same inputs, same bytes', async () => {
    const again = join(dir, 'again.iso');
    await rebuildIso({ input: base, output: again, packs: [packA, packB], answerfile: join(dir, 'answerfile.xml'), include: [{ from: join(dir, 'extra'), to: 'site' }], epoch: EPOCH });
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });
});

describe('rebuildIso grows install.img in place (core/formats/iso/append/placement.ts)', () => {
  // A gzip install.img (the boot loaders unpack it and drop what follows its first stream) with a
  // big file after it: the answerfile goes before the image as a raw cpio, over EULA's block
  // (EULA moves to the new session).
  let grown: string;
  let again: string;
  let original: Buffer;
  const lbaOf = (iso: string, path: string) => isoinfoLbas(iso).get(path);
  /** What the kernel ends up with: the members applied in order, later files over earlier ones. */
  const ramdiskFiles = (img: Buffer) => {
    const files = new Map<string, string>();
    for (const m of walkInitramfs(img)) for (const e of m.entries) files.set(e.name, e.data.toString('utf8'));
    return files;
  };
  const answerfileB = ANSWERFILE.replace('<primary-disk>sda</primary-disk>', '<primary-disk>nvme0n1</primary-disk>');
  let base2: string;

  beforeAll(async () => {
    const initrd = join(dir, 'gz-initrd');
    mkdirSync(join(initrd, 'etc'), { recursive: true });
    writeFileSync(join(initrd, 'init'), '#!/bin/sh\necho hello\n');
    writeFileSync(join(initrd, 'etc', 'issue'), 'installer\n');
    const gz = sh('find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9n', initrd);
    original = Buffer.concat([gz, Buffer.alloc((2048 - (gz.length % 2048)) % 2048)]);
    base2 = buildTestInstaller(join(dir, 'base2'), { 'install.img': original, 'j-big.bin': Buffer.alloc(1 << 20, 5) });
    writeFileSync(join(dir, 'af-a.xml'), ANSWERFILE);
    writeFileSync(join(dir, 'af-b.xml'), answerfileB);
    grown = join(dir, 'grown.iso');
    await rebuildIso({ input: base2, output: grown, packs: [packA], answerfile: join(dir, 'af-a.xml'), epoch: EPOCH });
    again = join(dir, 'grown-again.iso');
    await rebuildIso({ input: grown, output: again, answerfile: join(dir, 'af-b.xml'), epoch: EPOCH });
  });

  it('puts the answerfile member before the image: one block earlier, the kernel walk finds it and the original files', () => {
    expect(lbaOf(base2, 'install.img')).toBeGreaterThan(20);
    expect(lbaOf(grown, 'install.img')).toBe(lbaOf(base2, 'install.img')! - 1);
    expect(lbaOf(base2, 'j-big.bin')).toBeGreaterThan(lbaOf(base2, 'install.img')!);
    expect(lbaOf(grown, 'j-big.bin')).toBe(lbaOf(base2, 'j-big.bin'));
    const img = isoFile(grown, 'install.img');
    expect(img.length).toBe(2048 + original.length);
    expect(img.toString('latin1', 0, 6)).toBe('070701');
    expect(img.subarray(2048).equals(original)).toBe(true);
    const files = ramdiskFiles(img);
    expect(files.get('answerfile.xml')).toBe(ANSWERFILE);
    expect(files.get('etc/issue')).toBe('installer\n');
    expect(isoFile(grown, 'EULA').toString()).toBe('be nice\n');
    // The output is not bigger than the input by install.img: only the pack and the new tree.
    expect(readFileSync(grown).length).toBeLessThanOrEqual(readFileSync(base2).length + (2 << 20));
  });

  it('a second rebuild puts its answerfile after the image, so it wins; inspect reports the one the kernel sees', async () => {
    const img = isoFile(again, 'install.img');
    expect(img.subarray(0, 2048 + original.length).equals(isoFile(grown, 'install.img'))).toBe(true);
    expect(ramdiskFiles(img).get('answerfile.xml')).toBe(answerfileB);
    const first = await inspectPack(grown);
    expect(first.format === 'installer' && first.answerfile).toBe(ANSWERFILE);
    const second = await inspectPack(again);
    expect(second.format === 'installer' && second.answerfile).toBe(answerfileB);
    expect(img.subarray(2048 + original.length, 2048 + original.length + 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(isoFile(again, 'boot/isolinux/isolinux.cfg').toString().match(/answerfile=file:\/\/\/answerfile\.xml install/g)?.length).toBe(
      isoFile(grown, 'boot/isolinux/isolinux.cfg').toString().match(/answerfile=file:\/\/\/answerfile\.xml install/g)?.length,
    );
  });
});

describe('rebuildIso on a bzip2 install.img with room before it but none after it', () => {
  it('puts the answerfile before the image too (cheaper than moving the big file after it)', async () => {
    const initrd = join(dir, 'bz-initrd');
    mkdirSync(initrd, { recursive: true });
    writeFileSync(join(initrd, 'init'), '#!/bin/sh\n');
    const bz = sh('find . | LC_ALL=C sort | cpio -o -H newc --quiet | bzip2 -9', initrd);
    const aligned = Buffer.concat([bz, Buffer.alloc((2048 - (bz.length % 2048)) % 2048)]);
    const input = buildTestInstaller(join(dir, 'base-bz'), { 'install.img': aligned, 'j-big.bin': Buffer.alloc(1 << 20, 6) });
    writeFileSync(join(dir, 'af-bz.xml'), ANSWERFILE);
    const output = join(dir, 'bz-out.iso');
    await rebuildIso({ input, output, answerfile: join(dir, 'af-bz.xml'), epoch: EPOCH });
    const img = isoFile(output, 'install.img');
    expect(img.toString('latin1', 0, 6)).toBe('070701');
    expect(img.subarray(2048).equals(aligned)).toBe(true);
    expect(findLeadingMember(img)?.files.map((f) => [f.path, f.data.toString()])).toEqual([['answerfile.xml', ANSWERFILE]]);
  });

  it('drivers cannot go after a gzip install.img: a clear error, no output', async () => {
    const gz = sh('echo init | cpio -o -H newc --quiet | gzip -9n', dir);
    const input = buildTestInstaller(join(dir, 'base-gz'), { 'install.img': gz });
    const output = join(dir, 'gz-drv.iso');
    // Refused before any driver RPM is read.
    await expect(rebuildIso({ input, output, drivers: [join(dir, 'never-read.rpm')], epoch: EPOCH })).rejects.toThrow(
      /installer\.iso: install\.img starts with gzip data, which the boot loaders .* unpack on loading, dropping anything after it: drivers cannot be added/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('a gzip install.img with an answerfile member after it (as suppack 0.1 made) is refused, naming the way out', async () => {
    const gz = sh('echo init | cpio -o -H newc --quiet | gzip -9n', dir);
    const member = encodeInitrdMember([{ path: '/answerfile.xml', data: Buffer.from(ANSWERFILE) }], EPOCH);
    const input = buildTestInstaller(join(dir, 'base-gz-af'), { 'install.img': Buffer.concat([gz, initrdPadding(gz.length), member]) });
    writeFileSync(join(dir, 'af-gz.xml'), ANSWERFILE);
    const output = join(dir, 'gz-af.iso');
    await expect(rebuildIso({ input, output, answerfile: join(dir, 'af-gz.xml'), epoch: EPOCH })).rejects.toThrow(
      /installer\.iso: install\.img starts with gzip data, .* and it has an answerfile already: rebuild from the original installer ISO/,
    );
    expect(existsSync(output)).toBe(false);
  });
});

describe('rebuildIso: bad input gets a clear error and no output', () => {
  const attempt = async (o: Partial<Parameters<typeof rebuildIso>[0]>, message: RegExp) => {
    const output = join(dir, `bad-${Math.random().toString(36).slice(2)}.iso`);
    await expect(rebuildIso({ input: base, output, epoch: EPOCH, ...o })).rejects.toThrow(message);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  };

  it('an input that is not an ISO', async () => {
    writeFileSync(join(dir, 'not.iso'), Buffer.alloc(100_000, 1));
    await attempt({ input: join(dir, 'not.iso') }, /not\.iso: .*(ISO|volume descriptor)/i);
  });

  it('an ISO without an installer layout', async () => {
    await attempt({ input: packA }, /acme-fw\.iso: not a XenServer installer ISO: no install\.img at the root/);
  });

  it('an answerfile with a missing required element, or bad XML', async () => {
    writeFileSync(join(dir, 'af-missing.xml'), ANSWERFILE.replace('  <primary-disk>sda</primary-disk>\n', ''));
    await attempt({ answerfile: join(dir, 'af-missing.xml') }, /af-missing\.xml: invalid answerfile: installation\/primary-disk: /);
    writeFileSync(join(dir, 'af-bad.xml'), '<installation><primary-disk>sda</installation>');
    await attempt({ answerfile: join(dir, 'af-bad.xml') }, /af-bad\.xml: line 1, column \d+: /);
  });

  it('a volume label over 32 characters', async () => {
    await attempt({ volumeId: 'x'.repeat(33) }, /volumeId: expected 1 to 32 printable ASCII characters/);
  });

  it('a pack label that collides with a packages.* directory of the ISO, and an update pack', async () => {
    const main = (await buildLegacyPack({ pack: legacy('main', 'Main'), rpms: [rpms['hello-lib']!], outDir: join(dir, 'm'), epoch: EPOCH })).outputs.iso!;
    await attempt({ packs: [main] }, /main\.iso: its pack directory packages\.main already exists on the installer ISO/);
    await attempt({ packs: [updateIso] }, /upd\.iso: is an update-format pack/);
  });
});

describe('rebuildIso with driver RPMs (the DDK pushinitrd, docs/formats/xenserver.md §4)', () => {
  let ko: TestModules;
  let helloRpm: string;
  let initrd: Buffer;
  let installer: string;
  let out: string;
  let result: Awaited<ReturnType<typeof rebuildIso>>;
  const mods = `lib/modules/${KERNEL}`;
  beforeAll(async () => {
    ko = buildTestModules(join(dir, 'drv-src'));
    helloRpm = driverRpm(join(dir, 'suppack-hello.rpm'), 'suppack-hello', {
      [`/${mods}/updates/suppack_hello.ko`]: ko.suppack_hello,
      '/lib/firmware/suppack/hello.bin': 'fw\n',
    });
    initrd = testInitrd(join(dir, 'drv-initrd'), ko.suppack_base);
    installer = buildTestInstaller(join(dir, 'drv-base'), { 'install.img': initrd });
    writeFileSync(join(dir, 'answerfile.xml'), ANSWERFILE);
    out = join(dir, 'drv-out.iso');
    result = await rebuildIso({ input: installer, output: out, drivers: [helloRpm], answerfile: join(dir, 'answerfile.xml'), epoch: EPOCH });
  }, 180_000);

  it('appends the module, its directories and the regenerated indexes to install.img; kmod resolves the driver', () => {
    expect(result.drivers.map((d) => [d.nevra, d.kvers, d.files])).toEqual([
      ['suppack-hello-1.0-1.x86_64', [KERNEL], ['lib/firmware/suppack/hello.bin', `${mods}/updates/suppack_hello.ko`]],
    ]);
    const before = isoFile(installer, 'install.img');
    const after = isoFile(out, 'install.img');
    expect(before.equals(initrd)).toBe(true);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    // Two gzip members after the original: the drivers', then the answerfile's (last, for inspect).
    const members = walkInitramfs(after.subarray(before.length));
    expect(members.map((m) => m.kind)).toEqual(['gzip', 'gzip']);
    expect(members[1]!.entries.map((e) => e.name)).toEqual(['answerfile.xml']);
    const entries = new Map(members[0]!.entries.map((e) => [e.name, e]));
    expect(Buffer.from(entries.get(`${mods}/updates/suppack_hello.ko`)!.data).equals(ko.suppack_hello)).toBe(true);
    expect(entries.get(`${mods}/updates`)!.mode).toBe(0o40755);
    expect(entries.get(`${mods}/updates/suppack_hello.ko`)!.mode).toBe(0o100644);
    expect([...entries.values()].every((e) => e.uid === 0 && e.gid === 0 && e.mtime === EPOCH)).toBe(true);
    expect(Buffer.from(entries.get(`${mods}/modules.dep`)!.data).toString()).toContain('updates/suppack_hello.ko: kernel/drivers/misc/suppack_base.ko\n');
    for (const n of ['modules.dep.bin', 'modules.alias', 'modules.alias.bin', 'modules.symbols', 'modules.symbols.bin', 'modules.builtin.bin', 'modules.softdep', 'modules.devname']) {
      expect(entries.has(`${mods}/${n}`), n).toBe(true);
    }
    const root = unpackRamdisk(after, before.length, join(dir, 'drv-unpacked'));
    expect(readFileSync(join(root, mods, 'updates/suppack_hello.ko')).equals(ko.suppack_hello)).toBe(true);
    expect(readFileSync(join(root, 'answerfile.xml'), 'utf8')).toBe(ANSWERFILE);
    expect(kmod('modinfo', ['-b', root, '-k', KERNEL, 'suppack_hello'])).toMatch(new RegExp(`filename: +${root}/${mods}/updates/suppack_hello\\.ko\\n[\\s\\S]*depends: +suppack_base`));
    const deps = kmod('modprobe', ['--show-depends', '-d', root, '-S', KERNEL, 'suppack_hello']).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    expect(deps).toEqual([`insmod ${root}/${mods}/kernel/drivers/misc/suppack_base.ko`, `insmod ${root}/${mods}/updates/suppack_hello.ko`]);
  });

  it('inspect still finds the answerfile; same inputs, same bytes', async () => {
    const r = await inspectPack(out);
    expect(r.format === 'installer' && r.answerfile).toBe(ANSWERFILE);
    const again = join(dir, 'drv-again.iso');
    await rebuildIso({ input: installer, output: again, drivers: [helloRpm], answerfile: join(dir, 'answerfile.xml'), epoch: EPOCH });
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });

  it('rebuilding the result with a second driver keeps the first one in the indexes', async () => {
    const other = driverRpm(join(dir, 'suppack-other.rpm'), 'suppack-other', { [`/${mods}/updates/suppack_other.ko`]: ko.suppack_other });
    const twice = join(dir, 'drv-twice.iso');
    await rebuildIso({ input: out, output: twice, drivers: [other], epoch: EPOCH });
    const root = unpackRamdisk(isoFile(twice, 'install.img'), initrd.length, join(dir, 'drv-twice'));
    const dep = readFileSync(join(root, mods, 'modules.dep'), 'utf8');
    expect(dep).toContain('updates/suppack_hello.ko: kernel/drivers/misc/suppack_base.ko\n');
    expect(dep).toContain('updates/suppack_other.ko:\n');
    expect(kmod('modinfo', ['-b', root, '-k', KERNEL, '-F', 'filename', 'suppack_other']).trim()).toBe(`${root}/${mods}/updates/suppack_other.ko`);    // The answerfile of the first rebuild is still there, behind the new driver member: inspect finds it.
    const r = await inspectPack(twice);
    expect(r.format === 'installer' && r.answerfile).toBe(ANSWERFILE);
  });

  it('errors name the RPM: a kernel install.img lacks, not an RPM, no kernel module; no output is left', async () => {
    const attempt = async (o: Partial<Parameters<typeof rebuildIso>[0]>, message: RegExp) => {
      const output = join(dir, `drv-bad-${Math.random().toString(36).slice(2)}.iso`);
      await expect(rebuildIso({ input: installer, output, epoch: EPOCH, ...o })).rejects.toThrow(message);
      expect(existsSync(output)).toBe(false);
    };
    const foreign = driverRpm(join(dir, 'foreign.rpm'), 'foreign', { '/lib/modules/4.19.0+1/updates/f.ko': 'ko' });
    await attempt(
      { drivers: [foreign] },
      new RegExp(`foreign\\.rpm: its modules are for kernel 4\\.19\\.0\\+1, which the installer does not have: .*install\\.img has /lib/modules/\\{${KERNEL}\\}`),
    );
    await attempt({ input: base, drivers: [helloRpm] }, /suppack-hello\.rpm: its modules are for kernel .*install\.img has \/lib\/modules\/ empty/);
    writeFileSync(join(dir, 'not-an.rpm'), 'hello\n'.repeat(50));
    await attempt({ drivers: [join(dir, 'not-an.rpm')] }, /not-an\.rpm: .*not an RPM file/);
    await attempt({ drivers: [rpms['acme-tool']!] }, /acme-tool-.*\.rpm: payload: acme-tool-.* has no kernel module/);
  });
});

// Issue 19 item 8: an installer mastered without Rock Ridge or Joliet (upper-case ISO 9660 names)
// is rebuilt (names matched without regard to case); inspect and verify see an installer too.
describe('an installer ISO with plain ISO 9660 names (no Rock Ridge, no Joliet)', () => {
  it('inspect and verify call it and its rebuild an installer, not "not a supplemental pack"', async () => {
    const plain = buildTestInstaller(join(dir, 'plain'), {}, 'XS_PLAIN', {}, 'plain');
    expect(text('isoinfo', ['-d', '-i', plain])).toMatch(/NO Joliet present[\s\S]*NO Rock Ridge present/);
    const before = await inspectPack(plain);
    expect(before.format).toBe('installer');
    expect(before.format === 'installer' && [...new Set(before.boot.map((b) => b.menu))].sort()).toEqual(['BOOT/EFIBOOT.IMG:EFI/xenserver/grub.cfg', 'BOOT/ISOLINUX/ISOLINUX.CFG', 'EFI/XENSERVER/GRUB.CFG']);
    expect((await verifyPack(plain)).ok).toBe(true);

    const out = join(dir, 'plain-out.iso');
    writeFileSync(join(dir, 'plain-answerfile.xml'), ANSWERFILE);
    mkdirSync(join(dir, 'plain-extra'));
    writeFileSync(join(dir, 'plain-extra/notes_1.txt'), 'notes\n');
    await rebuildIso({ input: plain, output: out, answerfile: join(dir, 'plain-answerfile.xml'), include: [{ from: join(dir, 'plain-extra'), to: 'site' }], epoch: EPOCH });
    const after = await inspectPack(out);
    expect(after.format).toBe('installer');
    if (after.format !== 'installer') return;
    expect(after.answerfile).toContain('<primary-disk>sda</primary-disk>');
    expect((await verifyPack(out)).report.format).toBe('installer');
    // The names as Linux shows them (isoinfo -f: the ISO 9660 names)
    expect(text('isoinfo', ['-f', '-i', out])).toContain('/SITE/NOTES_1.TXT;1');
  });

  // Such an image keeps ISO 9660 names in its new session: Linux would show the packs' names in
  // d-characters, where the installer does not look for them.
  it('refuses names the host would not see as given (packs) and symbolic links, naming the first', async () => {
    const plain = join(dir, 'plain', 'installer.iso');
    const out = join(dir, 'plain-refused.iso');
    await expect(rebuildIso({ input: plain, output: out, packs: [packA], epoch: EPOCH })).rejects.toThrow(
      /installer\.iso: has ISO 9660 names only \(no Rock Ridge or Joliet\), where a host would see (XS-REPOSITORY-LIST as xs_repository_list|packages\.acme-fw as packages_acme_fw): expected an image with Rock Ridge or Joliet names/,
    );
    mkdirSync(join(dir, 'plain-links'));
    symlinkSync('elsewhere', join(dir, 'plain-links/link'));
    await expect(rebuildIso({ input: plain, output: out, include: [{ from: join(dir, 'plain-links'), to: 'site' }], epoch: EPOCH })).rejects.toThrow(
      /has ISO 9660 names only \(no Rock Ridge or Joliet\), which cannot record the symbolic link site\/link/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
