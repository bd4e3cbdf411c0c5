/**
 * XML bytes → text, taking the encodings the installer's parser takes (docs/answerfile.md,
 * "Encodings"): minidom over Python's pyexpat over expat. Expat knows UTF-8, UTF-16 (BOM or `<?`
 * in 16 bits), ISO-8859-1 and US-ASCII; pyexpat lends it any Python codec that maps each byte to
 * one character (core/formats/xml/encodings-data.ts), a byte the codec leaves undefined being malformed.
 * Only the text is decoded here: the bytes themselves are never rewritten.
 */
import { SuppackError } from '../../base/errors';
import { SINGLE_BYTE_CODECS } from './encodings-data';

/** Python's codec name lookup: lower case, runs of punctuation (but '.') as one '_' (encodings.normalize_encoding). */
function pythonCodecName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

let byAlias: Map<string, readonly [string, string]> | undefined;
function pythonCodec(name: string): readonly [string, string] | undefined {
  if (byAlias === undefined) {
    byAlias = new Map();
    for (const [codec, aliases, high] of SINGLE_BYTE_CODECS) for (const a of aliases) byAlias.set(a, [codec, high]);
  }
  const n = pythonCodecName(name);
  return byAlias.get(n) ?? byAlias.get(n.replace(/\./g, '_'));
}

/** The encoding named by the XML declaration at the start of 8-bit bytes, if any. */
function declaredEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const decl = /^<\?xml[ \t\r\n][^>]*?\?>/.exec(head)?.[0];
  return decl === undefined ? undefined : /[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/.exec(decl)?.[2];
}

function fail(source: string, what: string): never {
  throw new SuppackError(`not well-formed XML: ${what}`, { file: source });
}

function strictUtf8(bytes: Buffer, source: string, why: string, base: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstBadUtf8(bytes);
    return fail(source, `byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${base + bad} is not UTF-8 (${why})`);
  }
}

function firstBadUtf8(bytes: Buffer): number {
  // The longest prefix a streaming decoder takes without error ends at the first bad byte.
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  // An incomplete sequence before it: name its lead byte.
  let k = lo;
  while (k > 0 && lo - k < 3 && (bytes[k - 1] & 0xc0) === 0x80) k--;
  if (k > 0 && bytes[k - 1] >= 0xc0) {
    const need = bytes[k - 1] >= 0xf0 ? 4 : bytes[k - 1] >= 0xe0 ? 3 : 2;
    if (lo - (k - 1) < need) return k - 1;
  }
  return lo;
}

/** Decode XML bytes as the installer's parser would, or throw a one-line SuppackError naming `source`. */
export function decodeXmlBytes(bytes: Buffer, source: string): { text: string; encoding: string } {
  // Byte order marks and 16-bit `<?` (XML 1.0 appendix F), as expat detects them.
  const u = bytes;
  const utf16 = u.length >= 2 && ((u[0] === 0xff && u[1] === 0xfe) || (u[0] === 0xfe && u[1] === 0xff) || (u.length >= 4 && ((u[0] === 0x3c && u[1] === 0 && u[2] === 0x3f && u[3] === 0) || (u[0] === 0 && u[1] === 0x3c && u[2] === 0 && u[3] === 0x3f))));
  if (utf16) {
    const le = u[0] === 0xff || u[0] === 0x3c;
    if (u.length % 2 !== 0) fail(source, 'UTF-16 text of an odd number of bytes');
    const text = new TextDecoder(le ? 'utf-16le' : 'utf-16be', { ignoreBOM: false }).decode(u);
    const name = /^\ufeff?<\?xml[ \t\r\n][^>]*?[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/.exec(text)?.[2];
    if (name !== undefined && !/^utf-16(le|be)?$/i.test(name)) fail(source, `the text is UTF-16 but the XML declaration says encoding="${name}"`);
    return { text: text.replace(/^\ufeff/, ''), encoding: 'UTF-16' };
  }
  // A UTF-8 byte order mark is skipped; a declared encoding still applies to what follows (as expat does).
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const b = bom ? bytes.subarray(3) : bytes;
  const name = declaredEncoding(b);
  // XML 1.0 [81] EncName, which expat enforces before any lookup.
  if (name !== undefined && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(name)) fail(source, `encoding="${name}" in the XML declaration is not an encoding name (expected a letter, then letters, digits, '.', '_' or '-')`);
  if (name === undefined || /^utf-8$/i.test(name)) {
    const text = strictUtf8(b, source, name === undefined ? 'no encoding= in the XML declaration, so UTF-8 is expected' : 'declared UTF-8', bytes.length - b.length);
    return { text, encoding: 'UTF-8' };
  }
  if (/^utf-16(le|be)?$/i.test(name)) fail(source, `the XML declaration says encoding="${name}" but the text is not UTF-16`);
  // expat's own ISO-8859-1 and US-ASCII, then pyexpat's single-byte Python codecs.
  const codec = /^iso-8859-1$/i.test(name) ? pythonCodec('latin_1') : /^us-ascii$/i.test(name) ? pythonCodec('ascii') : pythonCodec(name);
  if (codec === undefined) {
    fail(source, `unknown encoding="${name}" in the XML declaration, expected UTF-8, UTF-16, ISO-8859-1, US-ASCII or another one-byte-per-character encoding Python knows (e.g. windows-1252, ISO-8859-15, KOI8-R)`);
  }
  const high = codec[1];
  let text = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x80) {
      text += String.fromCharCode(c);
      continue;
    }
    const ch = high[c - 0x80];
    if (ch === '\ufffd') fail(source, `byte 0x${c.toString(16)} at offset ${bytes.length - b.length + i} is not defined in encoding="${name}"`);
    text += ch;
  }
  return { text, encoding: codec[0] };
}
