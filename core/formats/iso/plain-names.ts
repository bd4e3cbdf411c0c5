/**
 * An image with ISO 9660 names only (no Rock Ridge, no Joliet) stores them in upper case
 * (`INSTALL.IMG;1`, ECMA-119 7.5); Linux mounts it with map=normal, showing them in lower case,
 * and rebuild-iso matches installer names without regard to case (core/xenserver/installer/layout.ts).
 * `caseInsensitiveNames` gives inspect and verify the same view: on such an image a lookup that
 * finds no exact name takes the entry whose path differs only in case. Other images are returned
 * as they are (Rock Ridge and Joliet names are case-sensitive on the host).
 */
import type { IsoDirent, IsoImage } from './reader';

export function caseInsensitiveNames(iso: IsoImage): IsoImage {
  if (iso.volume.rockRidge || iso.volume.joliet) return iso;
  const byKey = new Map<string, IsoDirent>();
  for (const e of iso.entries()) {
    const key = e.path.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, e);
  }
  const lookup = (path: string): IsoDirent | undefined =>
    iso.lookup(path) ?? byKey.get(path.split('/').filter((s) => s !== '' && s !== '.').join('/').toLowerCase());
  const real = (path: string): string => lookup(path)?.path ?? path;
  return {
    volume: iso.volume,
    entries: () => iso.entries(),
    lookup,
    readdir: (path) => iso.readdir(real(path)),
    createReadStream: (path) => iso.createReadStream(typeof path === 'string' ? real(path) : path),
    readFile: (path, maxBytes) => iso.readFile(real(path), maxBytes),
    close: () => iso.close(),
  };
}
