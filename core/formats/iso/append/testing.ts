/** Test-only helpers for appendSession: bootable isohybrid inputs made with the real xorriso. */
import { randomBytes } from '../../../../testing/random';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {run } from '../testing';

export const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
export const ISOHDPFX = '/usr/lib/ISOLINUX/isohdpfx.bin';

/** A FAT image of `kib` KiB made by mkfs.vfat -C (deterministic volume id). */
export function fatImage(path: string, kib: number): Buffer {
  execFileSync('rm', ['-f', path]);
  execFileSync('mkfs.vfat', ['-i', '12345678', '-C', path, String(kib)], { stdio: 'ignore' });
  return readFileSync(path);
}

/** Files of the input tree, by image path. */
export interface InputTree {
  files: Record<string, Buffer>;
  symlinks: Record<string, string>;
}

/** A XenServer-shaped boot tree: isolinux, its config, an EFI FAT image, packages, a symlink. */
export function makeBootTree(root: string): InputTree {
  const files: Record<string, Buffer> = {
    'boot/isolinux/isolinux.bin': readFileSync(ISOLINUX_BIN),
    'boot/isolinux/isolinux.cfg': Buffer.from('default xe\nlabel xe\n  kernel mboot.c32\n'),
    'boot/efiboot.img': fatImage(join(root, '..', 'efiboot-src.img'), 1024),
    'install.img': randomBytes(1_500_000, 3),
    'Packages/a-package-with-a-rather-long-name-1.0-1.x86_64.rpm': randomBytes(70_000, 4),
    'Packages/b.rpm': randomBytes(10, 5),
    'EULA': Buffer.from('be nice\n'),
    '.treeinfo': Buffer.from('[general]\nfamily = XenServer\n'),
  };
  const symlinks = { 'Packages/latest.rpm': 'b.rpm' };
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  for (const [p, target] of Object.entries(symlinks)) symlinkSync(target, join(root, p));
  mkdirSync(join(root, 'empty-dir'));
  return { files, symlinks };
}

/** xorriso -as mkisofs with the XenServer boot flags; `hybrid` adds the isohybrid MBR and GPT. */
export function buildBootIso(src: string, out: string, opts: { joliet?: boolean; hybrid?: boolean } = {}): string {
  const flags = [
    '-r',
    ...(opts.joliet === false ? [] : ['-J', '-joliet-long']),
    '-V', 'XS-TEST-8.4',
    '-b', 'boot/isolinux/isolinux.bin', '-c', 'boot/isolinux/boot.cat',
    '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
    '-eltorito-alt-boot', '-e', 'boot/efiboot.img', '-no-emul-boot',
    ...(opts.hybrid === false ? [] : ['-isohybrid-mbr', ISOHDPFX, '-isohybrid-gpt-basdat']),
  ];
  const r = execFileSync('xorriso', ['-as', 'mkisofs', ...flags, '-o', out, src], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '946684800' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  void r;
  return out;
}

/**
 * The way XCP-ng masters its installer (docs/formats/xenserver.md §4, create-install-image's create-iso.sh):
 * genisoimage with a BIOS and an EFI El Torito entry, then `isohybrid --uefi` (syslinux-utils),
 * which pads the image to whole 1 MiB cylinders outside the volume space and writes an MBR and a
 * GPT whose first partition covers the volume space only.
 */
export function buildXcpngStyleIso(src: string, out: string, volumeId = 'XCP-ng 8.3', env: NodeJS.ProcessEnv = process.env): string {
  execFileSync(
    'genisoimage',
    ['-quiet', '-o', out, '-r', '-J', '--joliet-long', '-V', volumeId, '-input-charset', 'utf-8',
      '-c', 'boot/isolinux/boot.cat', '-b', 'boot/isolinux/isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
      '-eltorito-alt-boot', '--efi-boot', 'boot/efiboot.img', '-no-emul-boot', src],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  execFileSync('isohybrid', ['--uefi', out], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

/** `xorriso -indev iso -report_el_torito plain -report_system_area plain`, stdout and stderr. */
export function xorrisoReport(iso: string): string {
  const r = run('xorriso', ['-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain']);
  if (r.code !== 0) throw new Error(`xorriso failed: ${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** Report lines starting with `prefix` (e.g. 'El Torito boot img'). */
export function reportLines(report: string, prefix: string): string[] {
  return report.split('\n').filter((l) => l.startsWith(prefix));
}

export function copy(src: string, dest: string): string {
  copyFileSync(src, dest);
  return dest;
}
