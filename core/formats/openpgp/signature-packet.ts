/** Byte layout of v4 signature packets (RFC 4880 5.2.3): encode for signing, decode for self-signatures. */
import { SuppackError } from '../../base/errors';
import { decodeSubpackets, type Subpacket } from './packets';

/** Signature types used here (RFC 4880 5.2.1). */
export const SIG_TYPE = {
  BINARY: 0x00,
  SUBKEY_BINDING: 0x18,
  DIRECT_KEY: 0x1f,
  SUBKEY_REVOCATION: 0x28,
  KEY_REVOCATION: 0x20,
} as const;

/** RFC 4880 5.2.1: 0x10..0x13 certify a user ID. */
export function isCertification(type: number): boolean {
  return type >= 0x10 && type <= 0x13;
}

/**
 * RFC 4880 5.2.3: the hashed part of a v4 signature: version 4, signature type, public-key
 * algorithm, hash algorithm, u16 length of the hashed subpackets, the hashed subpackets.
 */
export function encodeSignatureHashedPart(sigType: number, pubkeyAlgorithm: number, hashAlgorithm: number, hashed: Buffer): Buffer {
  if (hashed.length > 0xffff) throw new SuppackError('hashed subpacket area is too long');
  const head = Buffer.from([4, sigType, pubkeyAlgorithm, hashAlgorithm, hashed.length >> 8, hashed.length & 0xff]);
  return Buffer.concat([head, hashed]);
}

/** RFC 4880 5.2.4: the trailer hashed after the hashed part of a v4 signature: 0x04, 0xFF, u32 length of that part. */
export function signatureTrailer(hashedPartLength: number): Buffer {
  const t = Buffer.alloc(6);
  t[0] = 4;
  t[1] = 0xff;
  t.writeUInt32BE(hashedPartLength, 2);
  return t;
}

/** RFC 4880 5.2.3: hashed part, u16 length + unhashed subpackets, left 16 bits of the hash, algorithm MPIs. */
export function encodeSignatureBody(hashedPart: Buffer, unhashed: Buffer, hashLeft16: Buffer, mpis: Buffer[]): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(unhashed.length, 0);
  return Buffer.concat([hashedPart, len, unhashed, hashLeft16.subarray(0, 2), ...mpis]);
}

export interface SignatureInfo {
  version: number;
  type: number;
  pubkeyAlgorithm: number;
  hashAlgorithm: number;
  hashed: Subpacket[];
  unhashed: Subpacket[];
  /** Signature creation time (subpacket 2), 0 when absent. */
  created: number;
}

/** RFC 4880 5.2.3 (v4) and 5.2.2 (v3, no subpackets): the fields needed to read self-signatures. */
export function decodeSignature(body: Buffer, field: string): SignatureInfo {
  const fail = (what: string): never => {
    throw new SuppackError(what, { field });
  };
  if (body.length < 1) fail('empty signature packet');
  const version = body[0]!;
  if (version === 3) {
    // 5.2.2: version, 5 (hashed length), type, creation time u32, key ID, algorithms.
    if (body.length < 19) fail('truncated v3 signature');
    return { version, type: body[2]!, pubkeyAlgorithm: body[15]!, hashAlgorithm: body[16]!, hashed: [], unhashed: [], created: body.readUInt32BE(3) };
  }
  if (version !== 4) return { version, type: -1, pubkeyAlgorithm: 0, hashAlgorithm: 0, hashed: [], unhashed: [], created: 0 };
  if (body.length < 6) fail('truncated signature packet');
  const hashedLen = body.readUInt16BE(4);
  if (6 + hashedLen + 2 > body.length) fail('truncated signature packet (hashed subpackets)');
  const hashed = decodeSubpackets(body.subarray(6, 6 + hashedLen), field);
  const unhashedLen = body.readUInt16BE(6 + hashedLen);
  const uStart = 8 + hashedLen;
  if (uStart + unhashedLen > body.length) fail('truncated signature packet (unhashed subpackets)');
  const unhashed = decodeSubpackets(body.subarray(uStart, uStart + unhashedLen), field);
  const ct = hashed.find((s) => s.type === 2 && s.data.length === 4);
  return { version, type: body[1]!, pubkeyAlgorithm: body[2]!, hashAlgorithm: body[3]!, hashed, unhashed, created: ct ? ct.data.readUInt32BE(0) : 0 };
}

/** RFC 4880 5.2.3.21: the first octet of the key flags subpacket, undefined when the signature has none. */
export function keyFlags(sig: SignatureInfo): number | undefined {
  const kf = sig.hashed.find((s) => s.type === 27);
  return kf === undefined ? undefined : (kf.data[0] ?? 0);
}
