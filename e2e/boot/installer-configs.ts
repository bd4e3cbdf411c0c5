/**
 * Text files of the fixture installer, shaped like XenServer 8.4 media (docs/formats/xenserver.md §5):
 * isolinux.cfg (mboot.c32 entries), EFI/xenserver/grub.cfg (multiboot2/module2), the GRUB early
 * config embedded in BOOTX64.EFI, .treeinfo, EULA and a placeholder legacy main repository.
 */

/** Xen arguments of the default entry. dom0_mem must stay well below QEMU's -m 2048. */
export const XEN_ARGS = 'dom0_mem=max:1024M com1=115200,8n1 console=com1';
/** dom0 kernel arguments: the last console= (hvc0, forwarded by Xen to com1) becomes /dev/console. */
export const DOM0_ARGS = 'console=tty0 console=hvc0';
const SAFE_XEN_ARGS = `nosmp noreboot noirqbalance no-mce iommu=off ${XEN_ARGS}`;
const SAFE_DOM0_ARGS = `nousb ${DOM0_ARGS}`;

/**
 * The rescue shell entry of XenServer's and XCP-ng's menus: `bash-shell` on the dom0 line. A
 * rebuild leaves it without the answerfile parameters (docs/cli/rebuild-iso.md, "Boot menus").
 */
const SHELL_DOM0_ARGS = `${DOM0_ARGS} bash-shell`;

/** Two mboot.c32 install entries (the first is the default), a shell entry and a local-boot entry. */
export function isolinuxCfg(): string {
  return [
    'SERIAL 0 115200',
    'DEFAULT install',
    'PROMPT 1',
    'TIMEOUT 10',
    '',
    'LABEL install',
    '    KERNEL mboot.c32',
    `    APPEND /boot/xen.gz ${XEN_ARGS} --- /boot/vmlinuz ${DOM0_ARGS} --- /install.img`,
    '',
    'LABEL safe',
    '    KERNEL mboot.c32',
    `    APPEND /boot/xen.gz ${SAFE_XEN_ARGS} --- /boot/vmlinuz ${SAFE_DOM0_ARGS} --- /install.img`,
    '',
    'LABEL shell',
    '    KERNEL mboot.c32',
    `    APPEND /boot/xen.gz ${XEN_ARGS} --- /boot/vmlinuz ${SHELL_DOM0_ARGS} --- /install.img`,
    '',
    'LABEL local',
    '    LOCALBOOT 0',
    '',
  ].join('\n');
}

/**
 * The ISO's EFI/xenserver/grub.cfg: two install menuentries and a shell one. `withSearch` gives the copy kept
 * inside efiboot.img, which (as on XCP-ng media) first finds the ISO root itself.
 */
export function grubCfg(withSearch = false): string {
  return [
    'set default=0',
    'set timeout=1',
    ...(withSearch ? ['search --file --set /install.img'] : []),
    '',
    'menuentry "install" {',
    `    multiboot2 /boot/xen.gz ${XEN_ARGS}`,
    `    module2 /boot/vmlinuz ${DOM0_ARGS}`,
    '    module2 /install.img',
    '}',
    '',
    'menuentry "install (safe mode)" {',
    `    multiboot2 /boot/xen.gz ${SAFE_XEN_ARGS}`,
    `    module2 /boot/vmlinuz ${SAFE_DOM0_ARGS}`,
    '    module2 /install.img',
    '}',
    '',
    'menuentry "shell" {',
    `    multiboot2 /boot/xen.gz ${XEN_ARGS}`,
    `    module2 /boot/vmlinuz ${SHELL_DOM0_ARGS}`,
    '    module2 /install.img',
    '}',
    '',
  ].join('\n');
}

/**
 * The config embedded in BOOTX64.EFI. OVMF starts GRUB with cmdpath=(cd0) (docs/boot-testing.md), so
 * it finds the ISO by a file only the ISO has; the efiboot variant then reads the grub.cfg copy
 * inside boot/efiboot.img through a loopback device.
 */
export function grubEarlyCfg(grubCfgInEfiboot: boolean): string {
  const lines = ['search --file --set=root /install.img'];
  if (grubCfgInEfiboot) {
    lines.push(
      'loopback efiboot ($root)/boot/efiboot.img',
      'set prefix=(efiboot)/EFI/xenserver',
      'configfile (efiboot)/EFI/xenserver/grub.cfg',
    );
  } else {
    lines.push('set prefix=($root)/EFI/xenserver', 'configfile ($root)/EFI/xenserver/grub.cfg');
  }
  return `${lines.join('\n')}\n`;
}

/** Modules linked into BOOTX64.EFI (docs/boot-testing.md list plus what the configs above use). */
export const GRUB_MODULES = [
  'iso9660', 'fat', 'part_gpt', 'part_msdos', 'multiboot2', 'gzio', 'search', 'search_fs_file',
  'normal', 'configfile', 'loopback', 'serial', 'terminal', 'efi_gop', 'efi_uga', 'echo', 'test',
  'boot', 'sleep', 'ls', 'cat',
];

export function treeinfo(epoch: number): string {
  return [
    '[platform]',
    'name = XCP',
    'version = 3.4.0',
    '',
    '[branding]',
    'name = XenServer',
    'version = 8.4.0',
    '',
    '[build]',
    'number = fixture',
    '',
    '[general]',
    'name = XenServer 8.4.0 (suppack test fixture)',
    'family = XenServer',
    `timestamp = ${epoch}`,
    'variant = XenServer',
    'version = 8.4.0',
    'packagedir = Packages',
    'arch = x86_64',
    '',
    '[images-x86_64]',
    'kernel = boot/pxelinux/mboot.c32',
    'initrd = boot/vmlinuz',
    'boot.iso = boot/xen.gz',
    '',
  ].join('\n');
}

export const EULA = 'Test fixture installer for suppack end-to-end tests. Not a real XenServer; nothing to agree to.\n';

/** docs/formats/xenserver.md §1.4 shape, no XML declaration, attributes sorted. */
export const MAIN_XS_REPOSITORY =
  '<repository build="fixture" name="main" originator="xs" product="XenServer" version="8.4.0">\n' +
  '  <description>XenServer main repository (test fixture placeholder)</description>\n' +
  '</repository>\n';

export const MAIN_XS_PACKAGES = '<packages>\n</packages>\n';
