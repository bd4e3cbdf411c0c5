/**
 * Header strings as createrepo_c writes them into repodata (docs/formats/containers.md §5, "Text
 * that is not UTF-8"). rpm keeps a header's strings as bytes, and an RPM built from an ISO-8859-1
 * spec (rpm 4.11 takes one) carries them. createrepo_c writes a string as it is when it is UTF-8
 * with no C0 control character but tab, LF and CR; any other string is read as ISO-8859-1, with
 * the C0 controls but those three left out and the bytes 0x80-0xBF too (C1 codes: it takes the
 * string for misencoded cp-1252). So "Caf\xe9" is written "Café", where reading it as UTF-8 gave
 * "Caf\ufffd", and a control character never makes the XML unreadable.
 */
import { isUtf8 } from 'node:buffer';

const keptControl = (b: number): boolean => b === 0x09 || b === 0x0a || b === 0x0d;

export function createrepoText(bytes: Buffer): string {
  if (isUtf8(bytes) && !bytes.some((b) => b < 0x20 && !keptControl(b))) return bytes.toString('utf8');
  let text = '';
  for (const b of bytes) {
    if ((b < 0x20 && !keptControl(b)) || (b >= 0x80 && b < 0xc0)) continue;
    text += String.fromCharCode(b);
  }
  return text;
}
