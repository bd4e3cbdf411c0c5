/**
 * Test fixture: a XenServer-shaped installation ISO built from Debian parts (docs/boot-testing.md,
 * docs/formats/xenserver.md §4 and §5) that really boots through Xen under QEMU, BIOS and UEFI.
 * Its install.img is a probe (probe-initrd.ts) that reports the dom0 command line and any
 * /answerfile.xml on the serial console, so a rebuilt copy proves what the rebuild changed.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildXcpngStyleIso } from '../../core/formats/iso/append/testing';
import { sourceDateEpoch } from '../../core/base/time';
import { debianParts, ISOHDPFX_BIN, ISOLINUX_BIN, SYSLINUX_BIOS_MODULES, GRUB_EFI_MODULES } from './debian-parts';
import {
  EULA,
  GRUB_MODULES,
  grubCfg,
  grubEarlyCfg,
  isolinuxCfg,
  MAIN_XS_PACKAGES,
  MAIN_XS_REPOSITORY,
  treeinfo,
} from './installer-configs';
import { probeInstallImg } from './probe-initrd';

export interface InstallerIsoOptions {
  /** Work directory: the tree goes to `<dir>/tree`, the ISO to `<dir>/installer.iso`. */
  dir: string;
  /** ISO volume id; default 'XenServer-8.4 install'. */
  volumeId?: string;
  /** Size of a deterministic, incompressible `Packages/filler.bin`; none when 0 or absent. */
  fillerBytes?: number;
  /** Also keep `EFI/xenserver/grub.cfg` inside boot/efiboot.img and have GRUB read that copy (XCP-ng style). */
  grubCfgInEfiboot?: boolean;
  /**
   * Zero-pad install.img to whole 2048-byte blocks (initramfs allows NULs between members), so
   * that a rebuild finds no room in its last block.
   */
  installImgBlockAligned?: boolean;
  /** install.img's compression: bzip2 (XenServer's default) or gzip (`-z gzip`), which the boot loaders unpack. */
  installImgCompression?: 'bzip2' | 'gzip';
  /**
   * How the ISO is mastered: `xorriso -as mkisofs` with isohybrid MBR and GPT (the default), or
   * XCP-ng's create-iso.sh way (docs/formats/xenserver.md §4): genisoimage, then `isohybrid --uefi`.
   */
  mastering?: 'xorriso' | 'xcp-ng';
}

export interface InstallerIso {
  iso: string;
  /** The directory the ISO was made from (kept for inspection). */
  tree: string;
  volumeId: string;
  /** The epoch every timestamp was set to (SOURCE_DATE_EPOCH or core/base/time's default). */
  epoch: number;
  /** Debian package name -> version of the downloaded parts (kernel, Xen, busybox). */
  versions: Record<string, string>;
}

export const DEFAULT_VOLUME_ID = 'XenServer-8.4 install';

const ISOLINUX_MODULES = ['mboot.c32', 'ldlinux.c32', 'libcom32.c32', 'libutil.c32', 'menu.c32'];

export async function buildInstallerIso(opts: InstallerIsoOptions): Promise<InstallerIso> {
  const volumeId = opts.volumeId ?? DEFAULT_VOLUME_ID;
  const epoch = sourceDateEpoch();
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(epoch) };
  const parts = debianParts();
  const tree = join(opts.dir, 'tree');
  const work = join(opts.dir, 'work');
  const iso = join(opts.dir, 'installer.iso');
  rmSync(tree, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  rmSync(iso, { force: true });
  for (const d of ['boot/isolinux', 'EFI/xenserver', 'packages.main', 'Packages']) mkdirSync(join(tree, d), { recursive: true });
  mkdirSync(work, { recursive: true });

  // docs/formats/xenserver.md §5: the BIOS boot chain.
  copyFileSync(ISOLINUX_BIN, join(tree, 'boot/isolinux/isolinux.bin'));
  for (const m of ISOLINUX_MODULES) copyFileSync(join(SYSLINUX_BIOS_MODULES, m), join(tree, 'boot/isolinux', m));
  writeFileSync(join(tree, 'boot/isolinux/isolinux.cfg'), isolinuxCfg());
  copyFileSync(parts.xenGz, join(tree, 'boot/xen.gz'));
  copyFileSync(parts.vmlinuz, join(tree, 'boot/vmlinuz'));
  const probe = probeInstallImg(parts.busybox, epoch, opts.installImgCompression);
  const pad = opts.installImgBlockAligned ? (2048 - (probe.length % 2048)) % 2048 : 0;
  writeFileSync(join(tree, 'install.img'), Buffer.concat([probe, Buffer.alloc(pad)]));

  // The UEFI boot chain.
  writeFileSync(join(tree, 'EFI/xenserver/grub.cfg'), grubCfg());
  const early = join(work, 'early.cfg');
  writeFileSync(early, grubEarlyCfg(opts.grubCfgInEfiboot === true));
  const bootx64 = join(work, 'BOOTX64.EFI');
  execFileSync(
    'grub-mkimage',
    ['-O', 'x86_64-efi', '-d', GRUB_EFI_MODULES, '-p', '/EFI/BOOT', '-c', early, '-o', bootx64, ...GRUB_MODULES],
    { env, stdio: 'pipe' },
  );
  let efibootCfg: string | undefined;
  if (opts.grubCfgInEfiboot) {
    efibootCfg = join(work, 'grub.cfg');
    writeFileSync(efibootCfg, grubCfg(true));
  }
  makeEfibootImg(join(tree, 'boot/efiboot.img'), bootx64, efibootCfg, env);

  // Installer-looking side files.
  writeFileSync(join(tree, '.treeinfo'), treeinfo(epoch));
  writeFileSync(join(tree, 'EULA'), EULA);
  writeFileSync(join(tree, 'packages.main/XS-REPOSITORY'), MAIN_XS_REPOSITORY);
  writeFileSync(join(tree, 'packages.main/XS-PACKAGES'), MAIN_XS_PACKAGES);
  if (opts.fillerBytes && opts.fillerBytes > 0) await writeFiller(join(tree, 'Packages/filler.bin'), opts.fillerBytes);

  setAllMtimes(tree, epoch);
  if (opts.mastering === 'xcp-ng') {
    buildXcpngStyleIso(tree, iso, volumeId, env);
  } else {
    // docs/formats/containers.md §2: with SOURCE_DATE_EPOCH and fixed mtimes, -r makes the image reproducible.
    execFileSync(
      'xorriso',
      [
        '-as', 'mkisofs',
        '-r', '-J', '-joliet-long',
        '-V', volumeId,
        '-b', 'boot/isolinux/isolinux.bin', '-c', 'boot/isolinux/boot.cat',
        '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
        '-eltorito-alt-boot', '-e', 'boot/efiboot.img', '-no-emul-boot',
        '-isohybrid-mbr', ISOHDPFX_BIN, '-isohybrid-gpt-basdat',
        '-o', iso,
        tree,
      ],
      { env, stdio: 'pipe' },
    );
  }
  rmSync(work, { recursive: true, force: true });
  return { iso, tree, volumeId, epoch, versions: parts.versions };
}

/**
 * docs/formats/xenserver.md §4: efiboot.img is a FAT image holding EFI/BOOT/BOOTX64.EFI (and on XCP-ng a
 * grub.cfg copy). mtools honours SOURCE_DATE_EPOCH; -N 0 fixes the serial number. Sized in whole
 * MiB (64 heads x 32 sectors) with room to spare for a patched, longer grub.cfg.
 */
function makeEfibootImg(img: string, bootx64: string, grubCfgCopy: string | undefined, env: NodeJS.ProcessEnv): void {
  const mib = Math.ceil(statSync(bootx64).size / (1 << 20)) + 1;
  const mtools = (cmd: string, args: string[]) => execFileSync(cmd, ['-i', img, ...args], { env, stdio: 'pipe' });
  mtools('mformat', ['-C', '-t', String(mib), '-h', '64', '-s', '32', '-N', '0', '-v', 'EFIBOOT', '::']);
  mtools('mmd', ['::/EFI', '::/EFI/BOOT']);
  mtools('mcopy', [bootx64, '::/EFI/BOOT/BOOTX64.EFI']);
  if (grubCfgCopy) {
    mtools('mmd', ['::/EFI/xenserver']);
    mtools('mcopy', [grubCfgCopy, '::/EFI/xenserver/grub.cfg']);
  }
}

/** A deterministic, incompressible stream (AES-128-CTR of zeros under a fixed key), written 1 MiB at a time. */
async function writeFiller(path: string, bytes: number): Promise<void> {
  const key = createHash('sha256').update('suppack installer fixture filler').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(1 << 20);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let left = bytes; left > 0; left -= zeros.length) yield cipher.update(zeros.subarray(0, Math.min(left, zeros.length)));
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
}

function setAllMtimes(dir: string, epoch: number): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) setAllMtimes(p, epoch);
    utimesSync(p, epoch, epoch);
  }
  utimesSync(dir, epoch, epoch);
}
