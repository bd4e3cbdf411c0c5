/**
 * The installer fixture that later boot acceptance tests rebuild: its layout and boot records
 * as xorriso reports them, and real boots through Xen in QEMU, BIOS and UEFI, for both the
 * XenServer-style (grub.cfg on the ISO) and XCP-ng-style (grub.cfg copy in efiboot.img) media.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeNewc } from '../../core/formats/rpm/cpio-write';
import { buildInstallerIso, DEFAULT_VOLUME_ID, type InstallerIso } from './installer-fixture';
import { bootIso, parseProbeLog } from './qemu';

const BUILD_TIMEOUT = 300_000;
const BOOT_TIMEOUT = 240_000;
const MARK = 'iso_copy_was_read';

const xorrisoReport = (iso: string, what: string) => {
  const r = spawnSync('xorriso', ['-indev', iso, what, 'plain'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  // xorriso writes the media summary (with the volume id) to stderr, the report to stdout.
  return `${r.stderr}${r.stdout}`;
};

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A copy of `iso` whose own EFI/xenserver/grub.cfg adds MARK to each dom0 line (boot records replayed). */
function withMarkedIsoGrubCfg(fx: InstallerIso, out: string): string {
  const cfg = readFileSync(join(fx.tree, 'EFI/xenserver/grub.cfg'), 'utf8');
  const marked = cfg.replace(/^(\s*module2 \/boot\/vmlinuz .*)$/gm, `$1 ${MARK}`);
  expect(marked).not.toBe(cfg);
  const cfgFile = `${out}.grub.cfg`;
  writeFileSync(cfgFile, marked);
  execFileSync('xorriso', ['-indev', fx.iso, '-outdev', out, '-map', cfgFile, '/EFI/xenserver/grub.cfg', '-boot_image', 'any', 'replay', '-commit'], {
    stdio: 'pipe',
  });
  return out;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'suppack-boot-fixture-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each([
  { grubCfgInEfiboot: false, name: 'XenServer style (grub.cfg on the ISO)' },
  { grubCfgInEfiboot: true, name: 'XCP-ng style (grub.cfg copy in efiboot.img)' },
])('installer fixture, $name', ({ grubCfgInEfiboot }) => {
  let fx: InstallerIso;
  beforeAll(async () => {
    fx = await buildInstallerIso({ dir: join(work, String(grubCfgInEfiboot)), grubCfgInEfiboot });
  }, BUILD_TIMEOUT);

  test('El Torito: a BIOS no-emulation isolinux entry with boot-info-table, and an EFI entry for efiboot.img', () => {
    const r = xorrisoReport(fx.iso, '-report_el_torito');
    expect(r).toMatch(/^El Torito boot img :\s+1\s+BIOS\s+y\s+none\s+0x0000\s+0x00\s+4\s+\d+$/m);
    expect(r).toMatch(/^El Torito img path :\s+1\s+\/boot\/isolinux\/isolinux\.bin$/m);
    expect(r).toMatch(/^El Torito img opts :\s+1\s+.*boot-info-table/m);
    expect(r).toMatch(/^El Torito boot img :\s+2\s+UEFI\s+y\s+none\s/m);
    expect(r).toMatch(/^El Torito img path :\s+2\s+\/boot\/efiboot\.img$/m);
    expect(r).toContain(`Volume id    : '${DEFAULT_VOLUME_ID}'`);
  });

  test('system area: isohybrid MBR and a GPT whose second partition is efiboot.img', () => {
    const r = xorrisoReport(fx.iso, '-report_system_area');
    expect(r).toMatch(/^System area summary: MBR isohybrid .*GPT/m);
    expect(r).toMatch(/^MBR partition\s+:\s+1\s+0x80\s/m);
    expect(r).toMatch(/^MBR partition path :\s+2\s+\/boot\/efiboot\.img$/m);
    expect(r).toMatch(/^GPT partition path :\s+2\s+\/boot\/efiboot\.img$/m);
  });

  test('has the installer layout: isolinux, Xen, dom0 kernel, install.img, grub.cfg, side files', () => {
    const r = spawnSync('xorriso', ['-indev', fx.iso, '-find', '/', '-type', 'f'], { encoding: 'utf8' });
    const files = r.stdout.split('\n').map((l) => l.replace(/^'(.*)'$/, '$1'));
    for (const f of [
      '/boot/isolinux/isolinux.bin', '/boot/isolinux/isolinux.cfg', '/boot/isolinux/mboot.c32', '/boot/isolinux/ldlinux.c32',
      '/boot/isolinux/libcom32.c32', '/boot/isolinux/libutil.c32', '/boot/isolinux/menu.c32', '/boot/xen.gz', '/boot/vmlinuz',
      '/boot/efiboot.img', '/install.img', '/EFI/xenserver/grub.cfg', '/.treeinfo', '/EULA', '/packages.main/XS-REPOSITORY',
    ]) {
      expect(files).toContain(f);
    }
    const cfg = readFileSync(join(fx.tree, 'boot/isolinux/isolinux.cfg'), 'utf8');
    // install, safe and the shell entry (bash-shell on the dom0 line)
    expect(cfg.match(/^\s*APPEND \/boot\/xen\.gz .* --- \/boot\/vmlinuz .* --- \/install\.img$/gm)).toHaveLength(3);
    expect(cfg.match(/^\s*APPEND .* --- \/boot\/vmlinuz .* bash-shell --- \/install\.img$/gm)).toHaveLength(1);
    expect(cfg).toContain(
      'APPEND /boot/xen.gz dom0_mem=max:1024M com1=115200,8n1 console=com1 --- /boot/vmlinuz console=tty0 console=hvc0 --- /install.img',
    );
    expect(readFileSync(join(fx.tree, 'EFI/xenserver/grub.cfg'), 'utf8').match(/^\s*module2 \/boot\/vmlinuz /gm)).toHaveLength(3);
  });

  test('install.img is a bzip2 newc cpio with an executable /init and the /dev/console node', () => {
    const img = readFileSync(join(fx.tree, 'install.img'));
    expect(img.subarray(0, 3).toString('latin1')).toBe('BZh');
    const cpio = execFileSync('bzip2', ['-dc'], { input: img, maxBuffer: 64 << 20 });
    expect(cpio.subarray(0, 6).toString('latin1')).toBe('070701');
    const list = execFileSync('cpio', ['-itv', '--quiet'], { input: cpio, encoding: 'utf8' });
    expect(list).toMatch(/^-rwxr-xr-x .* init$/m);
    expect(list).toMatch(/^crw------- .* 5,\s*1 .* dev\/console$/m);
    expect(list).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
  });

  test(`efiboot.img holds BOOTX64.EFI${grubCfgInEfiboot ? ' and a grub.cfg copy' : ' only'}`, () => {
    const img = join(fx.tree, 'boot/efiboot.img');
    const r = spawnSync('mdir', ['-i', img, '-b', '-/', '::'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/::\/EFI\/BOOT\/BOOTX64\.EFI/i);
    if (grubCfgInEfiboot) {
      const copy = execFileSync('mtype', ['-i', img, '::/EFI/xenserver/grub.cfg'], { encoding: 'utf8' });
      expect(copy).toContain('search --file --set /install.img');
      expect(copy).toContain('module2 /boot/vmlinuz console=tty0 console=hvc0');
    } else {
      expect(r.stdout).not.toMatch(/grub\.cfg/i);
    }
  });

  test('BIOS: isolinux -> mboot.c32 -> Xen -> dom0 runs the probe, which finds no answerfile', async () => {
    const { serial } = await bootIso(fx.iso, { firmware: 'bios', timeoutMs: BOOT_TIMEOUT - 20_000 });
    expect(serial).toContain('(XEN) Command line: dom0_mem=max:1024M com1=115200,8n1 console=com1');
    const probe = parseProbeLog(serial);
    expect(probe.cmdline).toContain('console=hvc0');
    expect(probe.answerfile).toBeNull();
  }, BOOT_TIMEOUT);

  test(`UEFI: GRUB reads the ${grubCfgInEfiboot ? 'efiboot.img copy' : "ISO's"} grub.cfg -> Xen -> dom0 runs the probe`, async () => {
    // The ISO's own grub.cfg gets a marker: it shows up only if that copy is the one GRUB read.
    const marked = withMarkedIsoGrubCfg(fx, join(work, `marked-${grubCfgInEfiboot}.iso`));
    const { serial } = await bootIso(marked, { firmware: 'uefi', timeoutMs: BOOT_TIMEOUT - 20_000 });
    const probe = parseProbeLog(serial);
    expect(probe.cmdline).toContain('console=hvc0');
    if (grubCfgInEfiboot) expect(probe.cmdline).not.toContain(MARK);
    else expect(probe.cmdline).toContain(MARK);
    expect(probe.answerfile).toBeNull();
  }, BOOT_TIMEOUT);
});

test('the probe prints an answerfile injected as an appended gzip cpio (docs/boot-testing.md), BIOS', async () => {
  const fx = await buildInstallerIso({ dir: join(work, 'answerfile') });
  const xml = '<?xml version="1.0"?>\n<installation mode="fresh">\n  <primary-disk>sda</primary-disk>\n</installation>\n';
  const extra = gzipSync(encodeNewc([{ name: 'answerfile.xml', ino: 1, mode: 0o100644, nlink: 1, mtime: fx.epoch, data: Buffer.from(xml) }]));
  const img = join(work, 'answerfile/install.img');
  writeFileSync(img, Buffer.concat([readFileSync(join(fx.tree, 'install.img')), extra]));
  const cfg = join(work, 'answerfile/isolinux.cfg');
  const original = readFileSync(join(fx.tree, 'boot/isolinux/isolinux.cfg'), 'utf8');
  writeFileSync(cfg, original.replace(/ --- \/install\.img$/gm, ' answerfile=file:///answerfile.xml install --- /install.img'));
  const iso = join(work, 'answerfile/injected.iso');
  execFileSync('xorriso', ['-indev', fx.iso, '-outdev', iso, '-map', img, '/install.img', '-map', cfg, '/boot/isolinux/isolinux.cfg', '-boot_image', 'any', 'replay', '-commit'], { stdio: 'pipe' });
  const probe = parseProbeLog((await bootIso(iso, { firmware: 'bios', timeoutMs: BOOT_TIMEOUT - 40_000 })).serial);
  expect(probe.cmdline).toBe('console=tty0 console=hvc0 answerfile=file:///answerfile.xml install');
  expect(probe.answerfile).toBe(xml);
}, BOOT_TIMEOUT);

test('two builds with the same SOURCE_DATE_EPOCH give identical ISOs, with a filler of the asked size', async () => {
  const a = await buildInstallerIso({ dir: join(work, 'repro-a'), volumeId: 'FIXTURE', fillerBytes: 3 << 20 });
  const b = await buildInstallerIso({ dir: join(work, 'repro-b'), volumeId: 'FIXTURE', fillerBytes: 3 << 20 });
  expect(sha256(a.iso)).toBe(sha256(b.iso));
  const filler = readFileSync(join(a.tree, 'Packages/filler.bin'));
  expect(filler.length).toBe(3 << 20);
  // Incompressible: gzip cannot shrink it noticeably.
  const gz = execFileSync('gzip', ['-c'], { input: filler, maxBuffer: 16 << 20 });
  expect(gz.length).toBeGreaterThan(filler.length * 0.99);
  expect(xorrisoReport(a.iso, '-report_el_torito')).toContain("Volume id    : 'FIXTURE'");
}, BUILD_TIMEOUT);
