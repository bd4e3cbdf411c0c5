/** Test-only: a small XenServer-shaped installer ISO made with the real tools (xorriso, mtools, cpio, bzip2). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ISOHDPFX, ISOLINUX_BIN } from '../../formats/iso/append/testing';
import { sh } from '../../xenserver/installer/testing';

export const ISOLINUX_CFG = [
  'DEFAULT install',
  'LABEL install',
  '\tKERNEL mboot.c32',
  '\tAPPEND /boot/xen.gz dom0_mem=max:1024M com1=115200,8n1 console=com1 --- /boot/vmlinuz console=tty0 console=hvc0 --- /install.img',
  'LABEL local',
  '\tLOCALBOOT 0',
  '',
].join('\n');

export const GRUB_CFG = [
  'set timeout=5',
  'menuentry "install" {',
  '    multiboot2 /boot/xen.gz dom0_mem=max:1024M com1=115200,8n1 console=com1',
  '    module2 /boot/vmlinuz console=tty0 console=hvc0',
  '    module2 /install.img',
  '}',
  '',
].join('\n');

/** The boot menus of a test installer; `null` leaves that menu out. */
export interface TestInstallerMenus {
  /** boot/isolinux/isolinux.cfg (default ISOLINUX_CFG). */
  isolinuxCfg?: string | null;
  /** EFI/xenserver/grub.cfg (default GRUB_CFG). */
  grubCfg?: string | null;
  /** EFI/xenserver/grub.cfg inside boot/efiboot.img (default GRUB_CFG after a `search` line). */
  efibootGrubCfg?: string | null;
  /** Where the EFI El Torito image goes on the ISO (default boot/efiboot.img). */
  efiImage?: string;
}

/**
 * Builds `<dir>/installer.iso`: isolinux (El Torito BIOS, boot-info-table), an EFI FAT image that
 * holds EFI/BOOT/BOOTX64.EFI and a grub.cfg copy, EFI/xenserver/grub.cfg, a bzip2 newc install.img,
 * packages.main/, isohybrid MBR + GPT. `extra` adds files (path → bytes); `menus` replaces the menus.
 */
export function buildTestInstaller(
  dir: string,
  extra: Record<string, Buffer | string> = {},
  volumeId = 'XenServer-8.4 install',
  menus: TestInstallerMenus = {},
  /** 'plain': ISO 9660 names only (no Rock Ridge, no Joliet), level 2: upper case, `;1` versions. */
  names: 'rockridge' | 'plain' = 'rockridge',
): string {
  const src = join(dir, 'installer-src');
  const put = (p: string, data: Buffer | string) => {
    mkdirSync(join(src, p, '..'), { recursive: true });
    writeFileSync(join(src, p), data);
  };
  put('boot/isolinux/isolinux.bin', readFileSync(ISOLINUX_BIN));
  const isolinuxCfg = menus.isolinuxCfg === undefined ? ISOLINUX_CFG : menus.isolinuxCfg;
  if (isolinuxCfg !== null) put('boot/isolinux/isolinux.cfg', isolinuxCfg);
  put('boot/xen.gz', 'xen');
  put('boot/vmlinuz', 'kernel');
  const grubCfg = menus.grubCfg === undefined ? GRUB_CFG : menus.grubCfg;
  if (grubCfg !== null) put('EFI/xenserver/grub.cfg', grubCfg);
  put('packages.main/XS-REPOSITORY', '<repository originator="xs" name="main" product="XenServer" version="7.0.0"><description>main</description></repository>\n');
  put('EULA', 'be nice\n');
  const initrd = join(dir, 'initrd-src');
  mkdirSync(join(initrd, 'etc'), { recursive: true });
  writeFileSync(join(initrd, 'init'), '#!/bin/sh\necho hello\n');
  writeFileSync(join(initrd, 'etc', 'issue'), 'installer\n');
  put('install.img', sh('find . | LC_ALL=C sort | cpio -o -H newc --quiet | bzip2 -9', initrd));
  const efi = join(dir, 'efiboot.img');
  execFileSync('rm', ['-f', efi]);
  execFileSync('mkfs.vfat', ['-i', '12345678', '-C', efi, '1440'], { stdio: 'ignore' });
  const cfgCopy = join(dir, 'grub-copy.cfg');
  const efibootGrubCfg = menus.efibootGrubCfg === undefined ? `search --file --set /install.img\n${GRUB_CFG}` : menus.efibootGrubCfg;
  writeFileSync(join(dir, 'bootx64.efi'), Buffer.alloc(5000, 7));
  for (const d of ['::EFI', '::EFI/BOOT', '::EFI/xenserver']) execFileSync('mmd', ['-i', efi, d]);
  execFileSync('mcopy', ['-i', efi, join(dir, 'bootx64.efi'), '::EFI/BOOT/BOOTX64.EFI']);
  if (efibootGrubCfg !== null) {
    writeFileSync(cfgCopy, efibootGrubCfg);
    execFileSync('mcopy', ['-i', efi, cfgCopy, '::EFI/xenserver/grub.cfg']);
  }
  const efiImage = menus.efiImage ?? 'boot/efiboot.img';
  put(efiImage, readFileSync(efi));
  for (const [p, data] of Object.entries(extra)) put(p, data);
  const out = join(dir, 'installer.iso');
  execFileSync(
    'xorriso',
    [
      '-as', 'mkisofs', ...(names === 'plain' ? ['--norock', '-iso-level', '2'] : ['-r', '-J', '-joliet-long']), '-V', volumeId,
      '-b', 'boot/isolinux/isolinux.bin', '-c', 'boot/isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
      '-eltorito-alt-boot', '-e', efiImage, '-no-emul-boot',
      '-isohybrid-mbr', ISOHDPFX, '-isohybrid-gpt-basdat',
      '-o', out, src,
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: '946684800' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out;
}

export const ANSWERFILE = `<?xml version="1.0"?>
<installation mode="fresh" srtype="ext">
  <primary-disk>sda</primary-disk>
  <keymap>us</keymap>
  <root-password type="plaintext">pw</root-password>
  <source type="local"/>
  <admin-interface name="eth0" proto="dhcp"/>
  <timezone>Europe/London</timezone>
</installation>
`;
