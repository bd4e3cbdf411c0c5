/**
 * The RPM header's fixed layouts, defined once for the reader (header.ts, digests.ts, sign.ts) and
 * the writer (header-write.ts): the header intro and the 16-byte index entry, which is also the
 * shape of a region trailer (docs/formats/containers.md 4; rpm's format_header.md). All big-endian.
 */

/** Header intro: magic 8E AD E8 01, 4 reserved bytes, index length, data length. */
export const INTRO = { magic: 0, reserved: 4, indexLength: 8, dataLength: 12, size: 16 } as const;

/** Index entry: tag u32, type u32, offset s32 (into the data store), count u32. */
export const ENTRY = { tag: 0, type: 4, offset: 8, count: 12, size: 16 } as const;

export interface IndexEntry {
  tag: number;
  type: number;
  /** Signed: a region trailer's offset is -16 × (entries in the region). */
  offset: number;
  count: number;
}

export function decodeIndexEntry(buf: Buffer, at: number): IndexEntry {
  return {
    tag: buf.readUInt32BE(at + ENTRY.tag),
    type: buf.readUInt32BE(at + ENTRY.type),
    offset: buf.readInt32BE(at + ENTRY.offset),
    count: buf.readUInt32BE(at + ENTRY.count),
  };
}

export function writeIndexEntry(buf: Buffer, at: number, e: IndexEntry): void {
  buf.writeUInt32BE(e.tag, at + ENTRY.tag);
  buf.writeUInt32BE(e.type, at + ENTRY.type);
  buf.writeInt32BE(e.offset, at + ENTRY.offset);
  buf.writeUInt32BE(e.count, at + ENTRY.count);
}
