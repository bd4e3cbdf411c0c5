/**
 * The answerfile a rebuild put into install.img (docs/formats/xenserver.md §4): in a gzip newc member after the
 * image's data (the newest rebuild's is last), or in one before it when the rebuild grew the
 * image at its start (core/formats/iso/append/placement.ts). Only the image's two ends are read: at the
 * end, a few KiB, then as far back as the gzip trailer there says a member can reach.
 */
import type { IsoImage } from '../../formats/iso';
import { appendedMemberSpan, findAppendedMember, findLeadingMember } from './initrd';
import { decodeXmlBytes } from '../../formats/xml/encoding';
import { openInput } from '../../base/open-input';

/** The most of install.img's end, and of its start, read when looking for members. */
const TAIL_BYTES = 16 << 20;
const PROBE_BYTES = 4096;
const HEAD_BYTES = 64 << 10;

/** The answerfile's text in its declared encoding (docs/answerfile.md), or as UTF-8 when that fails. */
function answerfileText(data: Buffer): string {
  try {
    return decodeXmlBytes(data, 'answerfile.xml').text;
  } catch {
    return data.toString('utf8');
  }
}

/** The content of /answerfile.xml that the kernel ends up with, or null when no rebuild put one there. */
export async function injectedAnswerfile(iso: IsoImage, isoPath: string, installImg = 'install.img'): Promise<string | null> {
  const img = iso.lookup(installImg);
  const first = img?.extents[0];
  const last = img?.extents.at(-1);
  if (!img || !first || !last || img.size === 0) return null;
  const fh = await openInput(isoPath);
  const at = last.lba * iso.volume.blockSize;
  const read = async (from: number, to: number): Promise<Buffer> => {
    const buf = Buffer.alloc(to - from);
    await fh.read(buf, 0, buf.length, at + from);
    return buf;
  };
  try {
    // Walk back over the members rebuilds appended (drivers, answerfile), newest first.
    for (let end = last.length, walked = 0; end > 0 && walked < TAIL_BYTES; ) {
      let probe = await read(Math.max(0, end - PROBE_BYTES), end);
      // Zeros after the image (padding): step back over them, keeping 8 in case they end a trailer.
      while (end > PROBE_BYTES && walked < TAIL_BYTES && probe.every((b) => b === 0)) {
        end -= PROBE_BYTES - 8;
        walked += PROBE_BYTES - 8;
        probe = await read(Math.max(0, end - PROBE_BYTES), end);
      }
      const span = appendedMemberSpan(probe);
      if (span === undefined) break;
      const n = Math.min(span, end, TAIL_BYTES - walked);
      const buf = n <= probe.length ? probe.subarray(probe.length - n) : await read(end - n, end);
      const found = findAppendedMember(buf);
      // A member that is the whole image is the image itself, not an addition to it.
      if (!found || (found.offset === 0 && n === end && img.extents.length === 1)) break;
      const file = found.files.find((f) => f.path === 'answerfile.xml');
      if (file) return answerfileText(file.data);
      walked += n - found.offset;
      end -= n - found.offset;
    }
    const h = Math.min(HEAD_BYTES, first.length);
    const head = Buffer.alloc(h);
    await fh.read(head, 0, h, first.lba * iso.volume.blockSize);
    const lead = findLeadingMember(head);
    if (!lead || lead.end >= img.size) return null;
    const file = lead.files.find((f) => f.path === 'answerfile.xml');
    return file ? answerfileText(file.data) : null;
  } finally {
    await fh.close();
  }
}
