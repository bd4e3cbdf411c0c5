/** The 96-byte RPM lead (docs/formats/containers.md §4; the rpm manual's format_lead.md). Only its magic matters. */
import { SuppackError } from '../../base/errors';

export const LEAD_SIZE = 96;
export const LEAD_MAGIC: Readonly<Buffer> = Buffer.from([0xed, 0xab, 0xee, 0xdb]);

/**
 * rpm format_lead.md: magic[4], major u8, minor u8, type u16 (0 binary), archnum u16, name[66]
 * NUL-terminated, osnum u16 (1 linux), signature_type u16 (5 header-style), reserved[16].
 * Big-endian. Written by write.ts; the reader checks the magic only (rpm ignores the rest).
 */
export const LEAD = { magic: 0, major: 4, minor: 5, type: 6, archnum: 8, name: 10, nameSize: 66, osnum: 76, signatureType: 78, reserved: 80 } as const;

/**
 * Checks the lead at the start of `buf` (which holds the first bytes of a `fileSize`-byte file).
 * Throws for an empty file, a bad magic, or a file shorter than the lead.
 */
export function checkLead(buf: Buffer, fileSize: number): void {
  const field = 'lead';
  if (fileSize === 0) throw new SuppackError('not an RPM file (empty file)', { field });
  const n = Math.min(buf.length, LEAD_MAGIC.length);
  if (!buf.subarray(0, n).equals(LEAD_MAGIC.subarray(0, n)) || fileSize < LEAD_MAGIC.length) {
    throw new SuppackError('not an RPM file (bad lead magic)', { field });
  }
  if (fileSize < LEAD_SIZE) {
    throw new SuppackError(`truncated RPM: expected at least ${LEAD_SIZE} bytes for the lead, file has ${fileSize}`, { field });
  }
  if (buf.length < LEAD_SIZE) {
    throw new SuppackError(`needs ${LEAD_SIZE} bytes, only ${buf.length} available`, { field });
  }
}
