/**
 * Every boot menu of an installer ISO (docs/cli/rebuild-iso.md, "Boot menus"): isolinux.cfg and
 * EFI/<vendor>/grub*.cfg on the ISO, and every isolinux/syslinux/grub menu inside the FAT images
 * that El Torito boots (boot/efiboot.img and any other image the boot catalog points at).
 */
import { openFat, type FatImage } from '../../formats/fat';
import type { IsoImage } from '../../formats/iso';
import { catalogEntries } from '../../formats/iso/eltorito';
import { menuSyntaxOf, parseBootMenu, type BootMenu } from './boot-menu';
import type { InstallerLayout } from './layout';
import { openInput } from '../../base/open-input';

const MAX_MENU_BYTES = 1 << 20;
const MAX_FAT_IMAGE_BYTES = 64 << 20;

export interface IsoMenu {
  /** As reports name it: the ISO path, or `<image>:<path inside it>`. */
  file: string;
  menu: BootMenu;
  /** Where the text lives: on the ISO, or inside the FAT image `image`. */
  image?: string;
  path: string;
}

export interface FatBootImage {
  /** The image's path on the ISO. */
  path: string;
  bytes: Buffer;
  fat: FatImage;
}

/**
 * The menus, in a stable order: isolinux.cfg, the EFI grub*.cfg files, then each FAT image's
 * menus. `errorPrefix` (the ISO as the user named it) starts the `file` of parse errors.
 */
export async function readInstallerMenus(
  iso: IsoImage,
  isoPath: string,
  layout: Pick<InstallerLayout, 'isolinuxCfg' | 'grubCfgs' | 'efiBootImg'>,
): Promise<{ menus: IsoMenu[]; images: FatBootImage[] }> {
  const menus: IsoMenu[] = [];
  for (const path of [...(layout.isolinuxCfg ? [layout.isolinuxCfg] : []), ...layout.grubCfgs]) {
    const text = (await iso.readFile(path, MAX_MENU_BYTES)).toString('utf8');
    menus.push({ file: path, path, menu: parseBootMenu(text, menuSyntaxOf(path) ?? 'grub', `${isoPath}: ${path}`) });
  }
  const images = await fatBootImages(iso, isoPath, layout.efiBootImg);
  for (const img of images) {
    for (const path of img.fat.list()) {
      const syntax = menuSyntaxOf(path);
      if (syntax === undefined) continue;
      const text = img.fat.readFile(path)!.toString('utf8');
      menus.push({ file: `${img.path}:${path}`, image: img.path, path, menu: parseBootMenu(text, syntax, `${isoPath}: ${img.path}: ${path}`) });
    }
  }
  return { menus, images };
}

/**
 * The FAT images El Torito boots: `known` (boot/efiboot.img, which must be FAT) and every file
 * the boot catalog loads that reads as a FAT image (the BIOS isolinux.bin does not).
 */
async function fatBootImages(iso: IsoImage, isoPath: string, known: string | undefined): Promise<FatBootImage[]> {
  const paths = new Set<string>(known ? [known] : []);
  const lba = iso.volume.bootCatalogLba;
  if (lba !== undefined) {
    const catalog = Buffer.alloc(iso.volume.blockSize);
    const fh = await openInput(isoPath);
    try {
      await fh.read(catalog, 0, catalog.length, lba * iso.volume.blockSize);
    } finally {
      await fh.close();
    }
    let refs: ReturnType<typeof catalogEntries> = [];
    try {
      refs = catalogEntries(catalog);
    } catch {
      // a broken catalog is the append's business (it reports it); no FAT images from it here
    }
    const byLba = new Map(iso.entries().filter((e) => e.kind === 'file' && e.extents.length > 0).map((e) => [e.extents[0]!.lba, e.path]));
    for (const r of refs) {
      const path = byLba.get(r.loadLba);
      if (path !== undefined) paths.add(path);
    }
  }
  const out: FatBootImage[] = [];
  for (const path of [...paths].sort()) {
    const entry = iso.lookup(path);
    if (!entry || entry.size > MAX_FAT_IMAGE_BYTES || entry.size < 512) continue;
    const bytes = await iso.readFile(path, MAX_FAT_IMAGE_BYTES);
    if (path === known) {
      out.push({ path, bytes, fat: openFat(bytes, `${isoPath}: ${path}`) });
    } else if (looksLikeFat(bytes)) {
      try {
        out.push({ path, bytes, fat: openFat(bytes, `${isoPath}: ${path}`) });
      } catch {
        // a boot image that only looks like FAT: no menus in it
      }
    }
  }
  return out;
}

/** A boot sector with the 55 AA signature and a FAT BPB's bytes per sector (Microsoft FAT spec 3.1). */
function looksLikeFat(b: Buffer): boolean {
  const bps = b.readUInt16LE(11);
  return b[510] === 0x55 && b[511] === 0xaa && [512, 1024, 2048, 4096].includes(bps) && b[13] !== 0 && b[16] !== 0;
}
