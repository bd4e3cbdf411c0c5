/**
 * Header strings as createrepo_c writes them into repodata (docs/formats/containers.md §5, "Text
 * that is not UTF-8"). rpm keeps a header's strings as bytes, and an RPM built from an ISO-8859-1
 * spec (rpm 4.11 takes one) carries them. createrepo_c writes a string as it is when it is UTF-8;
 * any other string is read as ISO-8859-1, leaving out the bytes 0x80-0xBF (C1 codes: it takes
 * the string for misencoded cp-1252). So "Caf\xe9" is written "Café", where reading it as UTF-8
 * gave "Caf\ufffd". What no repodata can carry is refused: UNWRITABLE.
 */
import { isUtf8 } from 'node:buffer';

export function createrepoText(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  for (const b of bytes) if (b < 0x80 || b >= 0xc0) text += String.fromCharCode(b);
  return text;
}

/**
 * What repodata cannot carry: a C0 control character but tab, LF and CR (createrepo_c leaves the
 * package out: "Forbidden control chars found"), and U+FFFE / U+FFFF, which XML 1.0 does not
 * allow (createrepo_c writes them as they are, and no XML parser reads the file then).
 */
export const UNWRITABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
