/**
 * RPM tag numbers suppack reads (rpm include/rpm/rpmtag.h; docs/formats/containers.md §4).
 * The signature header and the main header number their tags independently: 1000 is SIZE in
 * the signature header and NAME in the main header.
 */

/** Region tags: the first index entry of a header, pointing at its 16-byte trailer. */
export const REGION_TAG = {
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
} as const;

export const HEADERI18NTABLE = 100;

/** Signature header tags (RPMSIGTAG_* / RPMTAG_SIG_BASE + n). */
export const SIG_TAG = {
  HEADERSIGNATURES: 62,
  DSA: 267,
  RSA: 268,
  SHA1: 269,
  LONGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256: 273,
  SIZE: 1000,
  PGP: 1002,
  MD5: 1004,
  GPG: 1005,
  PAYLOADSIZE: 1007,
  RESERVEDSPACE: 1008,
} as const;

/** Main header tags (RPMTAG_*). */
export const TAG = {
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  OS: 1021,
  ARCH: 1022,
  PREIN: 1023,
  POSTIN: 1024,
  PREUN: 1025,
  POSTUN: 1026,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILERDEVS: 1033,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  FILEVERIFYFLAGS: 1045,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  RPMVERSION: 1064,
  PREINPROG: 1085,
  POSTINPROG: 1086,
  PREUNPROG: 1087,
  POSTUNPROG: 1088,
  OBSOLETENAME: 1090,
  FILEDEVICES: 1095,
  FILEINODES: 1096,
  FILELANGS: 1097,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  PAYLOADFLAGS: 1126,
  PLATFORM: 1132,
  FILECOLORS: 1140,
  PRETRANS: 1151,
  POSTTRANS: 1152,
  PRETRANSPROG: 1153,
  POSTTRANSPROG: 1154,
  LONGFILESIZES: 5008,
  LONGSIZE: 5009,
  FILEDIGESTALGO: 5011,
  ENCODING: 5062,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
} as const;

export type HeaderKind = 'signature' | 'main';

const SIG_NAMES = invert(SIG_TAG);
const MAIN_NAMES = invert(TAG);

/** `1049 (REQUIRENAME)` for a known tag, `1049` otherwise: for error messages. */
export function describeTag(kind: HeaderKind, tag: number): string {
  const name = (kind === 'signature' ? SIG_NAMES : MAIN_NAMES).get(tag);
  return name === undefined ? `${tag}` : `${tag} (${name})`;
}

function invert(table: Record<string, number>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [name, tag] of Object.entries(table)) if (!m.has(tag)) m.set(tag, name);
  return m;
}
