/** The changes and options of an appended session: shared by index.ts and write.ts (no import loop). */
import type { IsoEntry } from '../tree';

/** An old file that grows: bytes added after its data, or the same addition before it. */
export interface FileExtension {
  /** An existing file of the image. */
  path: string;
  /** Bytes appended to the file's data. */
  tail?: Buffer;
  /**
   * The addition as it may go before the data instead, for files whose reader takes it there too
   * (an initramfs member): written at the start, zero-padded to whole blocks. One of tail and head
   * at least; with both, the cheaper place wins.
   */
  head?: Buffer;
}

export interface AppendChanges {
  /** Added or replacing files, directories and symlinks, by image path. */
  files: IsoEntry[];
  /** Image paths removed (with everything under them) before `files` are added. */
  remove?: string[];
  /** Old files that grow; cheaper than replacing them, as they often grow in place. */
  extend?: FileExtension[];
}

export interface AppendOptions {
  /** New volume id (≤ 32 printable ASCII); default: the input's, byte for byte. */
  volumeId?: string;
  /** Seconds since 1970: the date of every directory record of the new tree. */
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}
