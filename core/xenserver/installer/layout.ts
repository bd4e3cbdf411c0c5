/**
 * Recognising a XenServer / XCP-ng installer ISO from its file list (docs/formats/xenserver.md §5): `install.img`
 * at the root, a BIOS menu `boot/isolinux/isolinux.cfg` and/or UEFI menus `EFI/<vendor>/grub*.cfg`.
 */
import { SuppackError } from '../../base/errors';
import { REPOSITORY_LIST } from './repository-list';

export interface InstallerLayout {
  /** `boot/isolinux/isolinux.cfg`, when the ISO boots from BIOS. */
  isolinuxCfg?: string;
  /** Every `EFI/<dir>/grub*.cfg` (grub.cfg, grub-usb.cfg, ...), sorted. */
  grubCfgs: string[];
  /** The installer ramdisk, `install.img`. */
  installImg: string;
  /** `boot/efiboot.img`, the El Torito EFI image that may hold its own grub.cfg copy (docs/formats/xenserver.md §4). */
  efiBootImg?: string;
  /** Top-level `packages.*` directories (legacy packs already on the medium), sorted. */
  packDirs: string[];
  /** `XS-REPOSITORY-LIST`, when present. */
  repositoryList?: string;
}

/**
 * `paths`: the files of the ISO, relative to its root (a leading `/` and directory entries ending in
 * `/` are accepted). Names are matched without regard to case; the paths are returned as given.
 */
export function detectInstallerLayout(paths: string[], file?: string): InstallerLayout {
  const entries = paths.map((p) => ({ given: p, key: p.replace(/^\/+/, '').toLowerCase() }));
  const find = (key: string): string | undefined => entries.find((e) => e.key === key)?.given;
  const installImg = find('install.img');
  const isolinuxCfg = find('boot/isolinux/isolinux.cfg');
  const grubCfgs = entries
    .filter((e) => /^efi\/[^/]+\/grub[^/]*\.cfg$/.test(e.key))
    .map((e) => e.given)
    .sort();
  const missing: string[] = [];
  if (installImg === undefined) missing.push('no install.img at the root');
  if (isolinuxCfg === undefined && grubCfgs.length === 0) missing.push('no boot menu (boot/isolinux/isolinux.cfg or EFI/*/grub*.cfg)');
  if (installImg === undefined || missing.length > 0) {
    throw new SuppackError(`not a XenServer installer ISO: ${missing.join(' and ')}`, { file });
  }
  const packDirs = new Set<string>();
  for (const p of paths) {
    const rel = p.replace(/^\/+/, '');
    const slash = rel.indexOf('/');
    if (slash > 0 && /^packages\./i.test(rel)) packDirs.add(rel.slice(0, slash));
  }
  const layout: InstallerLayout = { installImg, grubCfgs, packDirs: [...packDirs].sort() };
  if (isolinuxCfg !== undefined) layout.isolinuxCfg = isolinuxCfg;
  const efiBootImg = find('boot/efiboot.img');
  if (efiBootImg !== undefined) layout.efiBootImg = efiBootImg;
  const repositoryList = find(REPOSITORY_LIST.toLowerCase());
  if (repositoryList !== undefined) layout.repositoryList = repositoryList;
  return layout;
}
