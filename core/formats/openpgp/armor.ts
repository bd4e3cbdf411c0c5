/** ASCII armor (RFC 4880 section 6): CRC-24, encode of signatures, decode of key blocks. */
import { SuppackError } from '../../base/errors';

/** RFC 4880 6.1: CRC-24 with init 0xB704CE and generator 0x1864CFB. */
export function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/**
 * RFC 4880 6.2: armor `data` as a block of `type` ("PGP SIGNATURE", ...): header line, no armor
 * headers (so the output depends only on the data), blank line, base64 in 76-column lines,
 * "=" + base64 of the CRC-24, tail line.
 */
export function armor(type: string, data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const crc = Buffer.alloc(3);
  crc.writeUIntBE(crc24(data), 0, 3);
  return `-----BEGIN ${type}-----\n\n${lines.join('\n')}\n=${crc.toString('base64')}\n-----END ${type}-----\n`;
}

export interface ArmoredBlock {
  /** The word(s) after BEGIN, e.g. "PGP PRIVATE KEY BLOCK". */
  type: string;
  data: Buffer;
}

/** True when `data` looks like ASCII armor rather than binary packets (RFC 4880 4.2: bit 7 of a packet tag is 1). */
export function isArmored(data: Buffer): boolean {
  const bom = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf;
  return data.length > 0 && ((data[0]! & 0x80) === 0 || bom) && data.includes('-----BEGIN PGP ');
}

/**
 * RFC 4880 6.2: decode every armored block in `text`. Armor headers ("Version: ...") are skipped,
 * the CRC-24 line is checked when present, and text outside the blocks is ignored.
 */
export function dearmor(text: string, field = 'ASCII armor'): ArmoredBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: ArmoredBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = /^-----BEGIN (PGP [A-Z ,/0-9]+)-----\s*$/.exec(lines[i]!);
    if (!begin) continue;
    const type = begin[1]!;
    const where = `${field} line ${i + 1}`;
    i++;
    // Armor headers end at the first blank line (RFC 4880 6.2).
    while (i < lines.length && /^[^\s:]+: /.test(lines[i]!)) i++;
    if (i < lines.length && lines[i]!.trim() === '') i++;
    let body = '';
    let crc: string | undefined;
    for (; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line.startsWith('-----')) break;
      if (line.startsWith('=') && line.length === 5) crc = line.slice(1);
      else body += line;
    }
    if (i >= lines.length || lines[i]!.trim() !== `-----END ${type}-----`) {
      throw new SuppackError(`armored "${type}" block has no matching "-----END ${type}-----" line`, { field: where });
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new SuppackError('armored block contains characters that are not base64', { field: where });
    const data = Buffer.from(body, 'base64');
    if (crc !== undefined) {
      const got = Buffer.from(crc, 'base64');
      if (got.length !== 3 || got.readUIntBE(0, 3) !== crc24(data)) {
        throw new SuppackError('armor checksum (CRC-24) does not match: the armored text is damaged', { field: where });
      }
    }
    blocks.push({ type, data });
  }
  return blocks;
}
