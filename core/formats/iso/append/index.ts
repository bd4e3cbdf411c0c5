/**
 * Rebuild a bootable ISO by appending a session (growisofs on a regular file): the kernel copies
 * the old image (reflink or copy_file_range, like cp) while the changes are prepared; then changed
 * files go over blocks nothing needs any more where they fit (placement.ts), the new tree
 * and the other new files' data are appended after the old data, and the volume descriptors at
 * LBA 16 and the isohybrid MBR/GPT are rewritten for the new size. The El Torito catalog and boot
 * images stay where they are unless replaced, so the isolinux boot info table stays valid.
 *
 * New image (2048-byte blocks):
 *   0–15      System Area of the input, partitions grown (hybrid.ts)
 *   16…       PVD, El Torito boot record, Joliet SVD, terminator (patched copies of the input's)
 *   …start    the input's bytes; replaced files written over their old blocks where they fit,
 *             grown files (an initrd with a member added) grown in place where that is cheaper
 *   start     new El Torito catalog, only when a boot image was moved
 *   …         path tables, ISO (+ Rock Ridge) directories, Joliet directories, new file data,
 *             150 blocks of zeros (like mkisofs -pad)
 *   …end      zeros up to the input's alignment (isohybrid: whole 1 MiB cylinders), backup GPT last
 */
import { startCopy } from '../../../base/copy-file';
import { asOutputError, atomicOutput } from '../../../base/output';
import type { IsoEntry } from '../tree';
import type { IsoWritten } from '../writer';

export type { AppendChanges, AppendOptions, FileExtension } from './types';
import type { AppendChanges, AppendOptions } from './types';
import { checkInputFile } from '../../../base/open-input';
import { withFileAsync } from '../../../base/errors';

/** An appended session being made: the copy of the input runs while the changes are prepared. */
export interface AppendSession {
  readonly input: string;
  /** Plan and write the changes over and after the copy, then rename the output into place. */
  commit(changes: AppendChanges, options: AppendOptions): Promise<IsoWritten>;
  /** Stop the copy and remove the temp file; the output is untouched. */
  abort(): Promise<void>;
}

/**
 * Start an appended session: the output's temp file is made and the kernel copy of the input into
 * it starts now, so that the caller can prepare the changes (and load what it needs) meanwhile.
 */
export async function beginAppendSession(input: string, output: string): Promise<AppendSession> {
  // cp would wait for a FIFO's writer or copy /dev/zero without end: only a regular file is copied
  await withFileAsync(input, () => checkInputFile(input));
  const out = await atomicOutput(output);
  const copy = startCopy(input, out.tmp);
  let ended = false;
  const abort = async () => {
    if (ended) return;
    ended = true;
    await copy.abort();
    await out.discard();
  };
  return {
    input,
    abort,
    commit: async (changes, options) => {
      if (ended) throw new Error('appendSession: the session has ended');
      try {
        // The writer is loaded here, not at startup: the copy has started already.
        const { writeSession } = await import('./write');
        const written = await writeSession(input, output, out.tmp, copy, changes, options);
        await out.commit();
        ended = true;
        return written;
      } catch (e) {
        await abort();
        throw asOutputError(e, output);
      }
    },
  };
}

export async function appendSession(input: string, output: string, changes: AppendChanges, options: AppendOptions): Promise<IsoWritten> {
  const session = await beginAppendSession(input, output);
  return session.commit(changes, options);
}
