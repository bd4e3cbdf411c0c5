import { expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { detectInstallerLayout } from './layout';

/** docs/formats/xenserver.md §5: an XCP-ng 8.x installer ISO. */
const XCPNG = [
  '.treeinfo', 'EULA', 'install.img', 'boot/xen.gz', 'boot/vmlinuz', 'boot/efiboot.img', 'boot/alt/vmlinuz',
  'boot/isolinux/isolinux.bin', 'boot/isolinux/isolinux.cfg', 'boot/isolinux/mboot.c32', 'boot/pxelinux/pxelinux.0',
  'EFI/xenserver/grub.cfg', 'EFI/xenserver/grub-usb.cfg', 'EFI/xenserver/grubx64.efi', 'EFI/BOOT/grubx64.efi',
  'Packages/xcp-ng-release-8.3.0-1.x86_64.rpm', 'repodata/repomd.xml',
];

test('XCP-ng 8.x layout', () => {
  expect(detectInstallerLayout(XCPNG)).toEqual({
    installImg: 'install.img',
    isolinuxCfg: 'boot/isolinux/isolinux.cfg',
    grubCfgs: ['EFI/xenserver/grub-usb.cfg', 'EFI/xenserver/grub.cfg'],
    efiBootImg: 'boot/efiboot.img',
    packDirs: [],
  });
});

test('XS 6.x legacy layout with packs and a list, leading slashes kept as given', () => {
  const paths = ['/install.img', '/boot/isolinux/isolinux.cfg', '/packages.main/XS-REPOSITORY', '/packages.linux/XS-PACKAGES', '/packages.acme/', '/XS-REPOSITORY-LIST', '/packages.txt'];
  expect(detectInstallerLayout(paths)).toEqual({
    installImg: '/install.img',
    isolinuxCfg: '/boot/isolinux/isolinux.cfg',
    grubCfgs: [],
    packDirs: ['packages.acme', 'packages.linux', 'packages.main'],
    repositoryList: '/XS-REPOSITORY-LIST',
  });
});

test('UEFI-only media, several vendors; grub configs elsewhere do not count', () => {
  const l = detectInstallerLayout(['install.img', 'EFI/xenserver/grub.cfg', 'EFI/citrix/grub.cfg', 'EFI/BOOT/x/grub.cfg', 'boot/grub/grub.cfg']);
  expect(l.grubCfgs).toEqual(['EFI/citrix/grub.cfg', 'EFI/xenserver/grub.cfg']);
  expect(l.isolinuxCfg).toBeUndefined();
});

test('says what is missing', () => {
  expect(() => detectInstallerLayout(['boot/isolinux/isolinux.cfg'], 'in.iso')).toThrow(/^in\.iso: not a XenServer installer ISO: no install\.img at the root$/);
  expect(() => detectInstallerLayout(['install.img', 'boot/grub/grub.cfg'])).toThrow(
    /^not a XenServer installer ISO: no boot menu \(boot\/isolinux\/isolinux\.cfg or EFI\/\*\/grub\*\.cfg\)$/,
  );
  expect(() => detectInstallerLayout([])).toThrow(/no install\.img at the root and no boot menu/);
  expect(() => detectInstallerLayout([])).toThrow(SuppackError);
});
