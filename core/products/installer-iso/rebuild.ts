/**
 * rebuild-iso (docs/formats/xenserver.md §4, the DDK's rebuild-iso.sh / rebuild.functions): a XenServer installer
 * ISO plus legacy packs, an answerfile and extra files becomes a new installer ISO. Instead of
 * extracting and rebuilding, the input is copied and one session is appended (docs/formats/containers.md §3), so
 * the BIOS and UEFI boot of the input survives and the cost is close to a file copy. The copy
 * starts first and runs while the changes are prepared (changes.ts):
 *  - packs go to `packages.<label>/`, named in XS-REPOSITORY-LIST (legacy installers);
 *  - the answerfile goes into install.img at /answerfile.xml, in a gzip newc member after its data
 *    or a raw newc cpio before it (no recompression; install.img grows in place where it can,
 *    core/formats/iso/append/placement.ts), and `answerfile=file:///answerfile.xml install` joins the dom0 arguments of
 *    the install entries (or the entries named) of isolinux.cfg, EFI/<vendor>/grub*.cfg and the
 *    menus inside the El Torito FAT images (core/xenserver/installer/boot-menu.ts, menus.ts);
 *  - driver RPMs (the DDK's pushinitrd) go into install.img the same way, in a member before the
 *    answerfile's: their /lib/modules/<kver>/ and /lib/firmware/ files and the module indexes that
 *    the real depmod regenerates over install.img's own modules (core/xenserver/installer/drivers.ts).
 */
import { SuppackError } from '../../base/errors';
import { beginAppendSession } from '../../formats/iso/append';

export type { IncludeSpec, MenuReport, RebuildIsoBuild, RebuildIsoResult } from './types';
import type { MenuReport, RebuildIsoBuild, RebuildIsoResult } from './types';
import { removingNewDirsOnFailure } from '../../base/make-dir';
import { dirname } from 'node:path';

/** The lines every adapter prints (CLI, Nx, gulp): per menu, the entries patched, then each left and why. */
export function menuReportLines(menus: readonly MenuReport[]): string[] {
  return menus.flatMap((m) => [
    `${m.file}: answerfile parameters added to ${m.patched.length > 0 ? m.patched.map((e) => JSON.stringify(e)).join(', ') : 'no entry'}`,
    ...m.left.map((l) => `${m.file}: left ${JSON.stringify(l.entry)}: ${l.reason}`),
  ]);
}

export async function rebuildIso(o: RebuildIsoBuild): Promise<RebuildIsoResult> {
  return removingNewDirsOnFailure(dirname(o.output), () => rebuildIsoIn(o));
}

async function rebuildIsoIn(o: RebuildIsoBuild): Promise<RebuildIsoResult> {
  if (o.bootEntries !== undefined) {
    if (o.answerfile === undefined) throw new SuppackError('boot entries are named but there is no answerfile: expected an answerfile for them', { field: 'boot entries' });
    const bad = o.bootEntries.find((n) => n.trim() === '');
    if (o.bootEntries.length === 0 || bad !== undefined) throw new SuppackError('expected at least one entry name, none empty', { field: 'boot entries' });
  }
  const session = await beginAppendSession(o.input, o.output);
  try {
    // Loaded while the copy runs: the answerfile schema (zod) alone takes about 0.1 s to load.
    const { rebuildChanges } = await import('./changes');
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
