/** The public part of a v4 key packet (RFC 4880 5.5.2), its fingerprint and key ID (RFC 4880 12.2). */
import { createHash } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { decodeMpi } from './mpi';

/** Public-key algorithm IDs (RFC 4880 9.1; 22 from RFC 4880bis / RFC 9580 9.1). */
export const PUBKEY_ALGO = {
  RSA: 1,
  RSA_ENCRYPT: 2,
  RSA_SIGN: 3,
  ELGAMAL: 16,
  DSA: 17,
  ECDH: 18,
  ECDSA: 19,
  EDDSA_LEGACY: 22,
  X25519: 25,
  X448: 26,
  ED25519: 27,
  ED448: 28,
} as const;

const ALGO_NAMES: Record<number, string> = {
  1: 'RSA',
  2: 'RSA (encrypt-only)',
  3: 'RSA (sign-only)',
  16: 'Elgamal',
  17: 'DSA',
  18: 'ECDH',
  19: 'ECDSA',
  22: 'EdDSA',
  25: 'X25519',
  26: 'X448',
  27: 'Ed25519',
  28: 'Ed448',
};

export function algorithmName(id: number): string {
  return ALGO_NAMES[id] ?? `public-key algorithm ${id}`;
}

/** draft-koch-eddsa-for-openpgp: OID 1.3.6.1.4.1.11591.15.1 (Ed25519) in DER content octets. */
export const ED25519_OID: Readonly<Buffer> = Buffer.from('2b06010401da470f01', 'hex');

export type PublicMaterial =
  | { kind: 'rsa'; n: Buffer; e: Buffer }
  | { kind: 'ed25519'; /** the 32-byte public key (the MPI point without its 0x40 prefix) */ point: Buffer }
  | { kind: 'other'; reason: string };

export interface PublicKey {
  version: number;
  /** Unix seconds. */
  created: number;
  algorithm: number;
  material: PublicMaterial;
  /** Offset just past the public fields inside the packet body (where a secret key's S2K usage starts). */
  end: number;
  /** 40 uppercase hex digits. */
  fingerprint: string;
  /** The low 64 bits of the fingerprint, 16 uppercase hex digits. */
  keyId: string;
}

/**
 * RFC 4880 5.5.2: version 4, creation time u32, algorithm u8, algorithm-specific MPIs
 * (RSA: n, e; DSA: p, q, g, y; Elgamal: p, g, y; RFC 6637 ECDSA/ECDH and legacy EdDSA: OID, point).
 */
export function decodePublicKey(body: Buffer, field: string): PublicKey {
  const fail = (what: string): never => {
    throw new SuppackError(what, { field });
  };
  if (body.length < 6) fail('truncated key packet');
  const version = body[0]!;
  if (version !== 4) fail(`key packet version ${version} is not supported, expected 4 (what GnuPG 2.x writes)`);
  const created = body.readUInt32BE(1);
  const algorithm = body[5]!;
  let at = 6;
  const mpis = (n: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const m = decodeMpi(body, at, field);
      out.push(m.value);
      at = m.end;
    }
    return out;
  };
  const oid = (): Buffer => {
    if (at >= body.length) fail('truncated curve OID');
    const len = body[at]!;
    if (len === 0 || len === 0xff || at + 1 + len > body.length) fail('bad curve OID length');
    const o = body.subarray(at + 1, at + 1 + len);
    at += 1 + len;
    return o;
  };
  const fixed = (n: number): Buffer => {
    if (at + n > body.length) fail('truncated key material');
    const b = body.subarray(at, at + n);
    at += n;
    return b;
  };
  let material: PublicMaterial;
  switch (algorithm) {
    case PUBKEY_ALGO.RSA:
    case PUBKEY_ALGO.RSA_SIGN: {
      const [n, e] = mpis(2) as [Buffer, Buffer];
      material = { kind: 'rsa', n, e };
      break;
    }
    case PUBKEY_ALGO.RSA_ENCRYPT:
      mpis(2);
      material = { kind: 'other', reason: 'the key is RSA encrypt-only' };
      break;
    case PUBKEY_ALGO.DSA:
      mpis(4);
      material = { kind: 'other', reason: 'DSA signing keys are not supported (use RSA or Ed25519)' };
      break;
    case PUBKEY_ALGO.ELGAMAL:
      mpis(3);
      material = { kind: 'other', reason: 'Elgamal is an encryption algorithm' };
      break;
    case PUBKEY_ALGO.ECDSA:
      oid();
      mpis(1);
      material = { kind: 'other', reason: 'ECDSA signing keys are not supported (use RSA or Ed25519)' };
      break;
    case PUBKEY_ALGO.ECDH: {
      oid();
      mpis(1);
      // RFC 6637 9: KDF parameters, a length octet then that many octets.
      const kdfLen = fixed(1)[0]!;
      fixed(kdfLen);
      material = { kind: 'other', reason: 'ECDH is an encryption algorithm' };
      break;
    }
    case PUBKEY_ALGO.EDDSA_LEGACY: {
      const curve = oid();
      const [point] = mpis(1) as [Buffer];
      if (!curve.equals(ED25519_OID)) material = { kind: 'other', reason: `EdDSA curve OID ${curve.toString('hex')} is not supported (only Ed25519)` };
      else if (point.length !== 33 || point[0] !== 0x40) fail('Ed25519 public point must be 0x40 followed by 32 octets');
      else material = { kind: 'ed25519', point: point.subarray(1) };
      break;
    }
    case PUBKEY_ALGO.X25519:
      fixed(32);
      material = { kind: 'other', reason: 'X25519 is an encryption algorithm' };
      break;
    case PUBKEY_ALGO.X448:
      fixed(56);
      material = { kind: 'other', reason: 'X448 is an encryption algorithm' };
      break;
    case PUBKEY_ALGO.ED25519:
      fixed(32);
      material = { kind: 'other', reason: 'RFC 9580 Ed25519 (algorithm 27) keys are not supported; GnuPG 2.2/2.4 write EdDSA (22)' };
      break;
    case PUBKEY_ALGO.ED448:
      fixed(57);
      material = { kind: 'other', reason: 'Ed448 is not supported' };
      break;
    default:
      // The length of unknown public fields is unknown: the key is unusable, but its packet can be skipped.
      at = body.length;
      material = { kind: 'other', reason: `${algorithmName(algorithm)} is not supported` };
  }
  const fingerprint = v4Fingerprint(body.subarray(0, at));
  return { version, created, algorithm, material: material!, end: at, fingerprint, keyId: fingerprint.slice(-16) };
}

/** RFC 4880 12.2: v4 fingerprint = SHA-1(0x99, u16 length, public key packet body), uppercase hex. */
export function v4Fingerprint(publicBody: Buffer): string {
  const prefix = Buffer.alloc(3);
  prefix[0] = 0x99;
  prefix.writeUInt16BE(publicBody.length, 1);
  return createHash('sha1').update(prefix).update(publicBody).digest('hex').toUpperCase();
}
