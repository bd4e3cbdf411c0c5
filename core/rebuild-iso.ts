/**
 * rebuild-iso (formats.md 4, the DDK's rebuild-iso.sh / rebuild.functions): a XenServer installer
 * ISO plus legacy packs, an answerfile and extra files becomes a new installer ISO. Instead of
 * extracting and rebuilding, the input is copied and one session is appended (iso-rpm.md 3), so
 * the BIOS and UEFI boot of the input survives and the cost is close to a file copy. The copy
 * starts first and runs while the changes are prepared (rebuild-iso-changes.ts):
 *  - packs go to `packages.<label>/`, named in XS-REPOSITORY-LIST (legacy installers);
 *  - the answerfile goes into install.img at /answerfile.xml, in a gzip newc member after its data
 *    or a raw newc cpio before it (no recompression; install.img grows in place where it can,
 *    core/iso/append-placement.ts), and `answerfile=file:///answerfile.xml install` joins the dom0 arguments of
 *    the install entries (or the entries named) of isolinux.cfg, EFI/<vendor>/grub*.cfg and the
 *    menus inside the El Torito FAT images (core/installer/boot-menu.ts, menus.ts);
 *  - driver RPMs (the DDK's pushinitrd) go into install.img the same way, in a member before the
 *    answerfile's: their /lib/modules/<kver>/ and /lib/firmware/ files and the module indexes that
 *    the real depmod regenerates over install.img's own modules (core/installer/drivers.ts).
 */
import { SuppackError } from './errors';
import { beginAppendSession } from './iso/append';
import type { InjectedDriver } from './installer/drivers';

export interface IncludeSpec {
  /** A file or directory on disk. */
  from: string;
  /** Where it goes in the ISO (relative, POSIX); default its base name at the root. */
  to?: string;
}

export interface RebuildIsoBuild {
  /** The installer ISO to start from. */
  input: string;
  output: string;
  /** Legacy pack ISOs (or combined ones) to add. */
  packs?: readonly string[];
  answerfile?: string;
  /**
   * The boot entries that get the answerfile parameters, by name (isolinux LABEL, GRUB title) or
   * GRUB path (`submenu>title`); default every install entry (never a shell entry).
   */
  bootEntries?: readonly string[];
  /** Driver RPMs whose kernel modules and firmware go into install.img, with regenerated module indexes. */
  drivers?: readonly string[];
  include?: readonly IncludeSpec[];
  /** Default: the input's volume id. */
  volumeId?: string;
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

export interface RebuildIsoResult {
  iso: string;
  /** Pack directories added, in XS-REPOSITORY-LIST order. */
  packDirs: string[];
  /** With an answerfile: each boot menu, the entries that got its parameters and those left, with why. */
  menus: MenuReport[];
  /** The drivers put into install.img, in the order given. */
  drivers: InjectedDriver[];
  /** What the installer would ignore or read otherwise than it looks in the answerfile, as `FILE: path: message` (docs/answerfile.md). */
  answerfileWarnings: string[];
}

/** One boot menu (an ISO path, or `<FAT image>:<path>`) after the answerfile parameters were added. */
export interface MenuReport {
  file: string;
  /** Entry paths (`title`, or `submenu>title`) that carry the parameters. */
  patched: string[];
  left: Array<{ entry: string; reason: string }>;
}

/** The lines every adapter prints (CLI, Nx, gulp): per menu, the entries patched, then each left and why. */
export function menuReportLines(menus: readonly MenuReport[]): string[] {
  return menus.flatMap((m) => [
    `${m.file}: answerfile parameters added to ${m.patched.length > 0 ? m.patched.map((e) => JSON.stringify(e)).join(', ') : 'no entry'}`,
    ...m.left.map((l) => `${m.file}: left ${JSON.stringify(l.entry)}: ${l.reason}`),
  ]);
}

export async function rebuildIso(o: RebuildIsoBuild): Promise<RebuildIsoResult> {
  if (o.bootEntries !== undefined) {
    if (o.answerfile === undefined) throw new SuppackError('boot entries are named but there is no answerfile: expected an answerfile for them', { field: 'boot entries' });
    const bad = o.bootEntries.find((n) => n.trim() === '');
    if (o.bootEntries.length === 0 || bad !== undefined) throw new SuppackError('expected at least one entry name, none empty', { field: 'boot entries' });
  }
  const session = await beginAppendSession(o.input, o.output);
  try {
    // Loaded while the copy runs: the answerfile schema (zod) alone takes about 0.1 s to load.
    const { rebuildChanges } = await import('./rebuild-iso-changes');
    const { changes, result, close } = await rebuildChanges(o);
    try {
      await session.commit(changes, {
        epoch: o.epoch,
        ...(o.volumeId !== undefined ? { volumeId: o.volumeId } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
    } finally {
      await close();
    }
    return result;
  } catch (e) {
    await session.abort();
    throw e;
  }
}
