/**
 * Issue 4 acceptance: `suppack rebuild-iso` from the packed tarball adds a legacy pack and an
 * answerfile to a XenServer-shaped installer ISO, and the result boots through Xen in QEMU, BIOS
 * (SeaBIOS) and UEFI (OVMF): the dom0 command line carries the answerfile parameters and
 * /answerfile.xml in the ramdisk has the answerfile's exact content. The XCP-ng-style medium
 * (mastered with genisoimage and isohybrid --uefi, grub.cfg read from inside efiboot.img) proves
 * the EFI image's copy is patched too. Only the install entries get the parameters: the menus' shell
 * entry (bash-shell) is left, reported as such, and booting it gives a dom0 command line without
 * them (docs/cli/rebuild-iso.md, "Boot menus").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { installPackedSuppack, run, EXAMPLE_FLAGS, type Installed } from '../testing';
import { buildInstallerIso, type InstallerIso } from './installer-fixture';
import { bootIso, parseProbeLog } from './qemu';
import { ANSWERFILE } from '../../core/products/installer-iso/testing';
import { isoinfoLbas } from '../../core/formats/iso/testing';

const rpms = inject('fixtureRpms');
const BUILD_TIMEOUT = 300_000;
const BOOT_TIMEOUT = 240_000;
const PARAMS = 'answerfile=file:///answerfile.xml install';

let installed: Installed;
let pack: string;
let answerfile: string;

beforeAll(() => {
  installed = installPackedSuppack();
  const packs = join(installed.root, 'pack');
  const r = run(installed.bin, ['build-supplemental-pack', `--output=${packs}`, ...EXAMPLE_FLAGS, rpms['xs-hello']!, rpms['hello-lib']!]);
  expect(r.status, r.stderr).toBe(0);
  pack = join(packs, 'example-hello.iso');
  answerfile = join(installed.root, 'answerfile.xml');
  writeFileSync(answerfile, ANSWERFILE);
}, BUILD_TIMEOUT);
afterAll(() => {
  if (installed) rmSync(installed.root, { recursive: true, force: true });
});

const xorriso = (iso: string, what: string) => {
  const r = spawnSync('xorriso', ['-indev', iso, what, 'plain'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
/** The report lines that describe the boot setup, with the LBAs and sizes that an append moves taken out. */
const bootShape = (report: string) =>
  report
    .split('\n')
    .filter((l) => /^(El Torito|System area|MBR|GPT)/.test(l))
    .map((l) => l.replace(/\b\d{2,}\b/g, 'N').replace(/\s+/g, ' '));

const rootLba = (iso: string, name: string) => isoinfoLbas(iso).get(name);
const ANSWERFILE_B = ANSWERFILE.replace('<primary-disk>sda</primary-disk>', '<primary-disk>nvme0n1</primary-disk>');

describe.each([
  // A bzip2 install.img with a full last block and a big file after it: the answerfile goes before
  // the image as a raw cpio, over EULA's block, which the kernel must take as well.
  { grubCfgInEfiboot: false, name: 'XenServer style (grub.cfg on the ISO)', firmwares: ['bios', 'uefi'] as const, twice: false },
  // A gzip install.img, which the boot loaders unpack (keeping only its first stream): the first
  // answerfile must go before it; the second rebuild's goes after everything, and wins. Mastered
  // as XCP-ng does (genisoimage, isohybrid --uefi).
  {
    grubCfgInEfiboot: true,
    name: 'XCP-ng style (genisoimage + isohybrid --uefi, grub.cfg copy in efiboot.img, gzip install.img), rebuilt twice',
    firmwares: ['bios', 'uefi'] as const,
    twice: true,
  },
])('rebuild-iso, $name', ({ grubCfgInEfiboot, firmwares, twice }) => {
  let fx: InstallerIso;
  let out: string;
  /** The first rebuild's output (`out` unless rebuilt twice). */
  let first: string;
  let expected: string;
  let printed: string;
  beforeAll(async () => {
    fx = await buildInstallerIso({
      dir: join(installed.root, `fx-${grubCfgInEfiboot}`),
      grubCfgInEfiboot,
      ...(twice ? { installImgCompression: 'gzip' as const, mastering: 'xcp-ng' as const } : { installImgBlockAligned: true, fillerBytes: 8 << 20 }),
    });
    out = join(installed.root, `out-${grubCfgInEfiboot}`, 'installer.iso');
    mkdirSync(join(out, '..'), { recursive: true });
    first = twice ? join(installed.root, 'first.iso') : out;
    const r = run(installed.bin, ['rebuild-iso', `--pack=${pack}`, `--answerfile=${answerfile}`, `--output=${first}`, fx.iso]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(first);
    printed = r.stdout;
    expected = ANSWERFILE;
    if (twice) {
      const b = join(installed.root, 'answerfile-b.xml');
      writeFileSync(b, ANSWERFILE_B);
      const r2 = run(installed.bin, ['rebuild-iso', `--answerfile=${b}`, `--output=${out}`, first]);
      expect(r2.status, r2.stderr).toBe(0);
      expected = ANSWERFILE_B;
    }
  }, BUILD_TIMEOUT);

  const installImg = (iso: string) => spawnSync('isoinfo', ['-R', '-x', '/install.img', '-i', iso], { maxBuffer: 64 << 20 }).stdout;
  if (!twice) {
    test('install.img grew at its start: one block before where it was, the filler after it untouched', () => {
      expect(rootLba(fx.iso, 'install.img')).toBeGreaterThan(20);
      expect(rootLba(out, 'install.img')).toBe(rootLba(fx.iso, 'install.img')! - 1);
      expect(installImg(out).toString('latin1', 0, 6)).toBe('070701');
    });
  } else {
    test('the gzip install.img got the first answerfile before it (a raw cpio) and the second after it', () => {
      const original = installImg(fx.iso);
      expect(original.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
      const once = installImg(first);
      expect(once.toString('latin1', 0, 6)).toBe('070701');
      expect(once.subarray(once.length - original.length).equals(original)).toBe(true);
      const twiceImg = installImg(out);
      expect(twiceImg.subarray(0, once.length).equals(once)).toBe(true);
      expect(twiceImg.length).toBeGreaterThan(once.length);
    });
  }

  test('inspect reports the answerfile the kernel will see, its root password hidden', () => {
    const r = run(installed.bin, ['inspect', '--json', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(expected).toContain('<root-password type="plaintext">pw</root-password>');
    expect(JSON.parse(r.stdout).answerfile).toBe(expected.replace('>pw</root-password>', '>(hidden)</root-password>'));
    expect(r.stdout).not.toContain('>pw<');
  });

  test('the install entries of every menu got the parameters, the shell entry did not; rebuild-iso said so', () => {
    const menus = ['boot/isolinux/isolinux.cfg', 'EFI/xenserver/grub.cfg', ...(grubCfgInEfiboot ? ['boot/efiboot.img:EFI/xenserver/grub.cfg'] : [])];
    const r = run(installed.bin, ['inspect', '--json', out]);
    expect(r.status, r.stderr).toBe(0);
    const boot = (JSON.parse(r.stdout) as { boot: Array<{ menu: string; name: string; kind: string; dom0?: string }> }).boot;
    expect(boot.map((b) => b.menu).filter((m, i, a) => a.indexOf(m) === i)).toEqual(menus);
    const withParams = boot.filter((b) => b.dom0?.endsWith(` ${PARAMS}`)).map((b) => `${b.menu}: ${b.name}`);
    expect(withParams).toEqual([
      'boot/isolinux/isolinux.cfg: install',
      'boot/isolinux/isolinux.cfg: safe',
      ...menus.slice(1).flatMap((m) => [`${m}: install`, `${m}: install (safe mode)`]),
    ]);
    expect(boot.filter((b) => b.name === 'shell').map((b) => [b.kind, b.dom0])).toEqual(menus.map(() => ['shell', '/boot/vmlinuz console=tty0 console=hvc0 bash-shell']));
    for (const m of menus) {
      expect(printed).toContain(`${m}: left "shell": is a shell entry (bash-shell)`);
      expect(printed).toMatch(new RegExp(`^${m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: answerfile parameters added to "install", "(safe|install \\(safe mode\\))"$`, 'm'));
    }
  });

  test('xorriso reports the boot setup of the input; isoinfo lists the pack and XS-REPOSITORY-LIST', () => {
    expect(bootShape(xorriso(out, '-report_el_torito'))).toEqual(bootShape(xorriso(fx.iso, '-report_el_torito')));
    expect(bootShape(xorriso(out, '-report_system_area'))).toEqual(bootShape(xorriso(fx.iso, '-report_system_area')));
    expect(xorriso(out, '-report_el_torito')).toMatch(/boot-info-table/);
    const listing = run('isoinfo', ['-R', '-l', '-i', out]).stdout;
    expect(listing).toContain('XS-REPOSITORY-LIST');
    expect(listing).toContain('Directory listing of /packages.example-hello/');
    expect(listing).toMatch(/xs-hello-1\.0-1\.noarch\.rpm/);
    const verify = run(installed.bin, ['verify', out]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  test('rebuilding the same inputs again gives identical bytes', () => {
    const again = join(installed.root, `again-${grubCfgInEfiboot}.iso`);
    const r = run(installed.bin, ['rebuild-iso', `--pack=${pack}`, `--answerfile=${answerfile}`, `--output=${again}`, fx.iso]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(again).equals(readFileSync(first))).toBe(true);
    rmSync(again);
  });

  if (!twice) {
    test(
      'the shell entry, made the default, boots through Xen (BIOS) with a dom0 command line without the answerfile parameters',
      async () => {
        // The rebuilt ISO with isolinux.cfg's DEFAULT turned to the shell entry (xorriso, boot kept).
        const dir = join(installed.root, 'shell-default');
        mkdirSync(dir, { recursive: true });
        const cfg = spawnSync('isoinfo', ['-R', '-x', '/boot/isolinux/isolinux.cfg', '-i', out], { encoding: 'utf8' }).stdout;
        expect(cfg).toMatch(/^DEFAULT install$/m);
        writeFileSync(join(dir, 'isolinux.cfg'), cfg.replace(/^DEFAULT install$/m, 'DEFAULT shell'));
        const iso = join(dir, 'shell.iso');
        const x = spawnSync('xorriso', ['-indev', out, '-outdev', iso, '-map', join(dir, 'isolinux.cfg'), '/boot/isolinux/isolinux.cfg', '-boot_image', 'any', 'replay', '-commit'], {
          encoding: 'utf8',
        });
        expect(x.status, x.stderr).toBe(0);
        const { serial, accel } = await bootIso(iso, { firmware: 'bios', timeoutMs: BOOT_TIMEOUT, log: `${iso}.bios.log` });
        const probe = parseProbeLog(serial);
        expect(probe.cmdline, `${accel} serial log:\n${serial.slice(-3000)}`).toBe('console=tty0 console=hvc0 bash-shell');
        expect(probe.cmdline).not.toContain('answerfile=');
      },
      BOOT_TIMEOUT + 30_000,
    );
  }

  for (const firmware of firmwares) {
    test(
      `boots through Xen under ${firmware.toUpperCase()}: dom0 gets the answerfile parameters and /answerfile.xml`,
      async () => {
        const { serial, accel } = await bootIso(out, { firmware, timeoutMs: BOOT_TIMEOUT, log: `${out}.${firmware}.log` });
        const probe = parseProbeLog(serial);
        expect(probe.cmdline, `${accel} serial log:\n${serial.slice(-3000)}`).toContain(PARAMS);
        expect(probe.cmdline).toContain('console=hvc0');
        expect(probe.answerfile).toBe(expected);
      },
      BOOT_TIMEOUT + 30_000,
    );
  }
});

describe('rebuild-iso bad input from the command line', () => {
  const attempt = (args: string[], message: RegExp) => {
    const output = join(installed.root, 'bad', 'out.iso');
    const r = run(installed.bin, ['rebuild-iso', `--output=${output}`, ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(output)).toBe(false);
  };
  test('a non-ISO input, an ISO that is not an installer, a bad answerfile, a long volume label', () => {
    writeFileSync(join(installed.root, 'x.iso'), 'nope');
    attempt([join(installed.root, 'x.iso')], /^suppack: error: .*x\.iso/);
    attempt([pack], /example-hello\.iso: not a XenServer installer ISO/);
    const bad = join(installed.root, 'bad.xml');
    writeFileSync(bad, '<installation><source type="local"/></installation>');
    const fxDir = join(installed.root, 'fx-false');
    attempt([`--answerfile=${bad}`, join(fxDir, 'installer.iso')], /bad\.xml: invalid answerfile: .*primary-disk/);
    attempt([`--volume-id=${'v'.repeat(33)}`, join(fxDir, 'installer.iso')], /volumeId: expected 1 to 32/);
  });
});
