/** OpenPGP packet framing (RFC 4880 4.2) and signature subpackets (RFC 4880 5.2.3.1). */
import { SuppackError } from '../../base/errors';

/** Packet tags used here (RFC 4880 4.3). */
export const PACKET_TAG = {
  SIGNATURE: 2,
  SECRET_KEY: 5,
  PUBLIC_KEY: 6,
  SECRET_SUBKEY: 7,
  MARKER: 10,
  TRUST: 12,
  USER_ID: 13,
  PUBLIC_SUBKEY: 14,
  USER_ATTRIBUTE: 17,
} as const;

export interface Packet {
  tag: number;
  body: Buffer;
  /** Offset of the packet header in the input, for error messages. */
  offset: number;
}

/**
 * RFC 4880 4.2: splits `data` into packets. Accepts old-format (4.2.1) and new-format (4.2.2)
 * headers, including new-format partial body lengths (4.2.2.4).
 */
export function decodePackets(data: Buffer, field = 'OpenPGP packets'): Packet[] {
  const packets: Packet[] = [];
  let at = 0;
  while (at < data.length) {
    const offset = at;
    const ctb = data[at++]!;
    const fail = (what: string): never => {
      throw new SuppackError(what, { field: `${field} at offset ${offset}` });
    };
    if ((ctb & 0x80) === 0) fail(`not an OpenPGP packet (first octet 0x${ctb.toString(16).padStart(2, '0')} lacks bit 7)`);
    const need = (n: number): void => {
      if (at + n > data.length) fail('truncated packet header');
    };
    let tag: number;
    let body: Buffer;
    if ((ctb & 0x40) === 0) {
      // 4.2.1 old format: tag in bits 5..2, length type in bits 1..0.
      tag = (ctb >> 2) & 0x0f;
      const lengthType = ctb & 3;
      let len: number;
      if (lengthType === 3) len = data.length - at;
      else {
        const n = 1 << lengthType;
        need(n);
        len = data.readUIntBE(at, n);
        at += n;
      }
      if (at + len > data.length) fail(`truncated packet: ${len} body octets announced, ${data.length - at} left`);
      body = data.subarray(at, at + len);
      at += len;
    } else {
      // 4.2.2 new format: tag in bits 5..0, then one-, two-, five-octet or partial lengths.
      tag = ctb & 0x3f;
      const parts: Buffer[] = [];
      for (;;) {
        need(1);
        const l0 = data[at++]!;
        let len: number;
        let partial = false;
        if (l0 < 192) len = l0;
        else if (l0 < 224) {
          need(1);
          len = ((l0 - 192) << 8) + data[at++]! + 192;
        } else if (l0 === 255) {
          need(4);
          len = data.readUInt32BE(at);
          at += 4;
        } else {
          len = 1 << (l0 & 0x1f);
          partial = true;
        }
        if (at + len > data.length) fail(`truncated packet: ${len} body octets announced, ${data.length - at} left`);
        parts.push(data.subarray(at, at + len));
        at += len;
        if (!partial) break;
      }
      body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    }
    packets.push({ tag, body, offset });
  }
  return packets;
}

/**
 * RFC 4880 4.2.1: an old-format packet header, as GnuPG writes for signatures (every OpenPGP
 * implementation, rpm 4.11 included, reads it): tag << 2 | length type, then a 1-, 2- or 4-octet length.
 */
export function encodePacket(tag: number, body: Buffer): Buffer {
  if (tag > 15) throw new SuppackError(`packet tag ${tag} needs a new-format header`);
  const lengthType = body.length < 0x100 ? 0 : body.length < 0x10000 ? 1 : 2;
  const n = 1 << lengthType;
  const header = Buffer.alloc(1 + n);
  header[0] = 0x80 | (tag << 2) | lengthType;
  header.writeUIntBE(body.length, 1, n);
  return Buffer.concat([header, body]);
}

/** Signature subpacket types (RFC 4880 5.2.3.1; 33 from RFC 4880bis / RFC 9580 5.2.3.35). */
export const SUBPACKET = {
  CREATION_TIME: 2,
  KEY_EXPIRATION_TIME: 9,
  ISSUER: 16,
  KEY_FLAGS: 27,
  ISSUER_FINGERPRINT: 33,
} as const;

export interface Subpacket {
  type: number;
  critical: boolean;
  data: Buffer;
}

/** RFC 4880 5.2.3.1: subpacket = length (1, 2 or 5 octets), type (bit 7 = critical), data. */
export function encodeSubpacket(type: number, data: Buffer, critical = false): Buffer {
  const n = data.length + 1;
  let len: Buffer;
  if (n < 192) len = Buffer.from([n]);
  else if (n < 8384) len = Buffer.from([((n - 192) >> 8) + 192, (n - 192) & 0xff]);
  else {
    len = Buffer.alloc(5);
    len[0] = 0xff;
    len.writeUInt32BE(n, 1);
  }
  return Buffer.concat([len, Buffer.from([(critical ? 0x80 : 0) | type]), data]);
}

/** RFC 4880 5.2.3.1: decodes a subpacket area (without its 2-octet length prefix). */
export function decodeSubpackets(area: Buffer, field: string): Subpacket[] {
  const out: Subpacket[] = [];
  let at = 0;
  while (at < area.length) {
    const l0 = area[at++]!;
    let len: number;
    if (l0 < 192) len = l0;
    else if (l0 < 255) {
      if (at >= area.length) break;
      len = ((l0 - 192) << 8) + area[at++]! + 192;
    } else {
      if (at + 4 > area.length) break;
      len = area.readUInt32BE(at);
      at += 4;
    }
    if (len < 1 || at + len > area.length) throw new SuppackError('malformed signature subpacket length', { field });
    out.push({ type: area[at]! & 0x7f, critical: (area[at]! & 0x80) !== 0, data: area.subarray(at + 1, at + len) });
    at += len;
  }
  return out;
}
