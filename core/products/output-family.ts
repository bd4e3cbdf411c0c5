import { printableLine } from '../base/printable';

/**
 * The files a pack command may write under one name (docs/security.md, "Outputs after a kill"): `<name>.iso`
 * and the checksums that describe it, `<name>.iso.md5` (legacy and combined packs),
 * `<name>.iso.sha256` (update packs) and `<name>.metadata.md5` (legacy packs). Writing a set
 * under a name removes the members of an earlier set of that name that it does not write, so
 * that no checksum is left beside an ISO it does not describe. A tarball is not a member: a
 * `<name>.tar.gz` may be the user's own.
 */
export function packOutputFamily(iso: string): string[] {
  const stem = iso.endsWith('.iso') ? iso.slice(0, -'.iso'.length) : undefined;
  return [iso, `${iso}.md5`, `${iso}.sha256`, ...(stem !== undefined ? [`${stem}.metadata.md5`] : [])];
}

/** One line per file removed by a set's commit, for the user (the names escaped, core/base/printable.ts). */
export function removedNotice(removed: readonly string[]): string {
  return removed.map((p) => `suppack: removed ${printableLine(p)}: an earlier build's under this name, not part of the set written now\n`).join('');
}
