/**
 * The answerfile a rebuild put into install.img (formats.md 4): in a gzip newc member after the
 * image's data (the newest rebuild's is last), or in one before it when the rebuild grew the
 * image at its start (core/iso/append-placement.ts). Only the image's two ends are read.
 */
import { promises as fsp } from 'node:fs';
import type { IsoImage } from '../iso';
import { findAppendedMember, findLeadingMember } from './initrd';

/** How much of install.img's end and start is read when looking for members. */
const TAIL_BYTES = 16 << 20;
const HEAD_BYTES = 64 << 10;

/** The content of /answerfile.xml that the kernel ends up with, or null when no rebuild put one there. */
export async function injectedAnswerfile(iso: IsoImage, isoPath: string, installImg = 'install.img'): Promise<string | null> {
  const img = iso.lookup(installImg);
  const first = img?.extents[0];
  const last = img?.extents.at(-1);
  if (!img || !first || !last || img.size === 0) return null;
  const fh = await fsp.open(isoPath, 'r');
  try {
    const n = Math.min(TAIL_BYTES, last.length);
    const tail = Buffer.allocUnsafe(n);
    await fh.read(tail, 0, n, last.lba * iso.volume.blockSize + last.length - n);
    // Walk back over the members rebuilds appended (drivers, answerfile), newest first.
    for (let buf = tail; ; ) {
      const found = findAppendedMember(buf);
      if (!found || (found.offset === 0 && n === img.size)) break;
      const file = found.files.find((f) => f.path === 'answerfile.xml');
      if (file) return file.data.toString('utf8');
      buf = buf.subarray(0, found.offset);
    }
    const h = Math.min(HEAD_BYTES, first.length);
    const head = Buffer.alloc(h);
    await fh.read(head, 0, h, first.lba * iso.volume.blockSize);
    const lead = findLeadingMember(head);
    // A member that is the whole image is the image itself, not an addition to it.
    if (!lead || lead.end >= img.size) return null;
    return lead.files.find((f) => f.path === 'answerfile.xml')?.data.toString('utf8') ?? null;
  } finally {
    await fh.close();
  }
}
