/** What rebuild-iso takes and reports: shared by rebuild.ts and changes.ts (no import loop). */
import type { InjectedDriver } from '../../xenserver/installer/drivers';

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
