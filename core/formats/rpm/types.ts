/** What suppack knows about one RPM file, read from its lead, signature header and main header. */

/** RPMSENSE_* dependency flags (rpm include/rpm/rpmds.h). */
export const RPMSENSE = {
  LESS: 2,
  GREATER: 4,
  EQUAL: 8,
  SENSEMASK: 15,
  POSTTRANS: 32,
  PREREQ: 64,
  PRETRANS: 128,
  INTERP: 256,
  SCRIPT_PRE: 512,
  SCRIPT_POST: 1024,
  SCRIPT_PREUN: 2048,
  SCRIPT_POSTUN: 4096,
  MISSINGOK: 1 << 19,
  RPMLIB: 1 << 24,
  CONFIG: 1 << 28,
} as const;

export interface RpmDependency {
  name: string;
  /** RPMSENSE_* bits. */
  flags: number;
  /** `[epoch:]version[-release]`, or '' when unversioned. */
  version: string;
}

export interface RpmFile {
  /** Absolute path as installed, e.g. `/lib/modules/4.19.0+1/updates/acme.ko`. */
  path: string;
  /** st_mode bits (type and permissions), e.g. 0o100644. */
  mode: number;
  size: number;
  /** Symlink target, '' for other files. */
  linkTo: string;
  /** RPMFILE_* flags (config 1, doc 2, ghost 64, ...). */
  flags: number;
  user: string;
  group: string;
  /** Hex digest as stored in the header ('' for directories and links). */
  digest: string;
}

export interface ByteRange {
  /** Offset of the first byte. */
  start: number;
  /** Offset just past the last byte. */
  end: number;
}

export interface RpmInfo {
  /** The path the RPM was read from, as given by the caller. */
  path: string;
  /** Size of the .rpm file in bytes. */
  fileSize: number;
  name: string;
  /** Absent when the package has no EPOCH tag. */
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  group: string;
  summary: string;
  description: string;
  license: string;
  url?: string;
  vendor?: string;
  packager?: string;
  buildTime?: number;
  buildHost?: string;
  /** SOURCERPM; absent on source RPMs. */
  sourceRpm?: string;
  isSource: boolean;
  /** Installed size (SIZE, or LONGSIZE for large packages). */
  size: number;
  provides: RpmDependency[];
  requires: RpmDependency[];
  conflicts: RpmDependency[];
  obsoletes: RpmDependency[];
  files: RpmFile[];
  /** Scriptlet bodies by rpm's name for them (prein, postin, preun, postun, pretrans, posttrans). */
  scripts: Partial<Record<'prein' | 'postin' | 'preun' | 'postun' | 'pretrans' | 'posttrans', string>>;
  /** The signature header (from its 8E AD E8 magic to the end of its padding). */
  signatureRange: ByteRange;
  /** The main header, as createrepo's `rpm:header-range` (start = its magic, end = payload offset). */
  headerRange: ByteRange;
  /** Offset of the compressed cpio payload. */
  payloadOffset: number;
  /** PAYLOADCOMPRESSOR: gzip | bzip2 | xz | lzma | zstd. */
  payloadCompressor: string;
}
