/**
 * Issue 4 acceptance: `suppack rebuild-iso` from the packed tarball adds a legacy pack and an
 * answerfile to a XenServer-shaped installer ISO, and the result boots through Xen in QEMU, BIOS
 * (SeaBIOS) and UEFI (OVMF): the dom0 command line carries the answerfile parameters and
 * /answerfile.xml in the ramdisk has the answerfile's exact content. The XCP-ng-style medium
 * (grub.cfg read from inside efiboot.img) proves the EFI image's copy is patched too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { installPackedSuppack, run, EXAMPLE_FLAGS, type Installed } from '../packed';
import { buildInstallerIso, type InstallerIso } from './installer-fixture';
import { bootIso, parseProbeLog } from './qemu';
import { ANSWERFILE } from '../../core/rebuild-iso-testing';

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

describe.each([
  { grubCfgInEfiboot: false, name: 'XenServer style (grub.cfg on the ISO)', firmwares: ['bios', 'uefi'] as const },
  { grubCfgInEfiboot: true, name: 'XCP-ng style (grub.cfg copy in efiboot.img)', firmwares: ['uefi'] as const },
])('rebuild-iso, $name', ({ grubCfgInEfiboot, firmwares }) => {
  let fx: InstallerIso;
  let out: string;
  beforeAll(async () => {
    fx = await buildInstallerIso({ dir: join(installed.root, `fx-${grubCfgInEfiboot}`), grubCfgInEfiboot });
    out = join(installed.root, `out-${grubCfgInEfiboot}`, 'installer.iso');
    mkdirSync(join(out, '..'), { recursive: true });
    const r = run(installed.bin, ['rebuild-iso', `--pack=${pack}`, `--answerfile=${answerfile}`, `--output=${out}`, fx.iso]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(out);
  }, BUILD_TIMEOUT);

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
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
    rmSync(again);
  });

  for (const firmware of firmwares) {
    test(
      `boots through Xen under ${firmware.toUpperCase()}: dom0 gets the answerfile parameters and /answerfile.xml`,
      async () => {
        const { serial, accel } = await bootIso(out, { firmware, timeoutMs: BOOT_TIMEOUT, log: `${out}.${firmware}.log` });
        const probe = parseProbeLog(serial);
        expect(probe.cmdline, `${accel} serial log:\n${serial.slice(-3000)}`).toContain(PARAMS);
        expect(probe.cmdline).toContain('console=hvc0');
        expect(probe.answerfile).toBe(ANSWERFILE);
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
