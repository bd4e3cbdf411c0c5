/**
 * The secret part of a v4 Secret-Key / Secret-Subkey packet (RFC 4880 5.5.3): S2K usage,
 * decryption with the passphrase, integrity check, and the node:crypto private key it holds.
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { decodeMpi, fromBigInt, toBase64Url, toBigInt } from './mpi';
import type { PublicKey } from './public-key';
import { cipherFor, decodeS2k, deriveKey } from './s2k';

/** How the secret fields are stored (RFC 4880 5.5.3 "string-to-key usage"). */
export type Protection =
  | { usage: 0 }
  | { usage: 254 | 255; cipher: number; s2k: ReturnType<typeof decodeS2k>['s2k']; iv: Buffer; data: Buffer };

export interface SecretKeyParts {
  /** The encrypted (or clear, usage 0) secret fields including their check value. */
  protection: Protection;
  /** Present for usage 0: the clear secret fields followed by the 2-octet checksum. */
  clear?: Buffer;
}

/** RFC 4880 5.5.3: reads the S2K usage and what follows the public fields of a secret key packet. */
export function decodeProtection(body: Buffer, pub: PublicKey, field: string): SecretKeyParts {
  const fail = (what: string): never => {
    throw new SuppackError(what, { field });
  };
  let at = pub.end;
  if (at >= body.length) fail('the key packet has no secret part');
  const usage = body[at++]!;
  if (usage === 0) return { protection: { usage: 0 }, clear: body.subarray(at) };
  if (usage === 253) fail('the secret key is protected with AEAD (S2K usage 253), which is not supported; re-export it with GnuPG 2.2 or with --s2k-cipher-algo AES256');
  if (usage !== 254 && usage !== 255) return fail(`legacy secret key protection (S2K usage ${usage}) is not supported; re-export the key with a current GnuPG`);
  if (at >= body.length) fail('truncated secret key packet');
  const cipherId = body[at++]!;
  const { s2k, end } = decodeS2k(body, at, field);
  at = end;
  if (s2k.type === 101) {
    // GnuPG stubs carry no IV and no secret fields.
    return { protection: { usage, cipher: cipherId, s2k, iv: Buffer.alloc(0), data: Buffer.alloc(0) } };
  }
  const cipher = cipherFor(cipherId, field);
  if (at + cipher.blockSize > body.length) fail('truncated secret key packet (IV)');
  const iv = body.subarray(at, at + cipher.blockSize);
  return { protection: { usage, cipher: cipherId, s2k, iv, data: body.subarray(at + cipher.blockSize) } };
}

/** Thrown text for a GnuPG stub (S2K 101). */
function stubMessage(mode: number): string {
  if (mode === 2) return "the secret key is on a smartcard (GnuPG divert-to-card stub, S2K 101): signing needs the key itself, export it from the card's original backup";
  return 'the secret key has no secret part (GnuPG stub, S2K 101: the key is offline or was exported with --export-secret-subkeys)';
}

/**
 * Decrypts (when needed) and checks the secret fields: usage 254 ends with SHA-1 of the fields,
 * usage 0 and 255 with their 16-bit sum (RFC 4880 5.5.3). A mismatch after decryption means a
 * wrong passphrase. Returns the secret MPIs as magnitudes.
 */
export function secretFields(parts: SecretKeyParts, pub: PublicKey, passphrase: Buffer | undefined, mpiCount: number, field: string): Buffer[] {
  const fail = (what: string): never => {
    throw new SuppackError(what, { field });
  };
  const p = parts.protection;
  let plain: Buffer;
  if (p.usage === 0) plain = parts.clear!;
  else {
    if (p.s2k.type === 101) return fail(stubMessage(p.s2k.mode));
    if (passphrase === undefined) return fail('the secret key is protected by a passphrase, but no passphrase was given');
    const cipher = cipherFor(p.cipher, field);
    const key = deriveKey(p.s2k, passphrase, cipher.keySize, field);
    // RFC 4880 13.9 / 5.5.3: v4 secret fields are encrypted with plain CFB using the stored IV.
    const d = createDecipheriv(cipher.openssl, key, p.iv);
    plain = Buffer.concat([d.update(p.data), d.final()]);
  }
  let fields: Buffer;
  // A failed check is a wrong passphrase only when the decrypted fields are garbage: when they
  // still parse as exactly the key's MPIs, the passphrase was right and a byte of the key changed.
  const wrong = (): never => {
    if (p.usage === 0) return fail('the clear secret key checksum does not match (damaged key)');
    if (fields !== undefined && parsesAsMpis(fields, mpiCount, field)) {
      return fail(`the secret key is damaged: its secret part fails its ${p.usage === 254 ? 'SHA-1' : 'checksum'} check although the passphrase decrypts it (a changed byte?)`);
    }
    return fail('wrong passphrase');
  };
  if (p.usage === 254) {
    if (plain.length < 20) return wrong();
    fields = plain.subarray(0, plain.length - 20);
    if (!createHash('sha1').update(fields).digest().equals(plain.subarray(plain.length - 20))) return wrong();
  } else {
    if (plain.length < 2) return wrong();
    fields = plain.subarray(0, plain.length - 2);
    if (checksum16(fields) !== plain.readUInt16BE(plain.length - 2)) return wrong();
  }
  const out: Buffer[] = [];
  let at = 0;
  try {
    for (let i = 0; i < mpiCount; i++) {
      const m = decodeMpi(fields, at, field);
      out.push(m.value);
      at = m.end;
    }
  } catch {
    return wrong();
  }
  return out;
}

/** True when `fields` is exactly `count` well-formed MPIs (RFC 4880 3.2) and nothing else. */
function parsesAsMpis(fields: Buffer, count: number, field: string): boolean {
  let at = 0;
  try {
    for (let i = 0; i < count; i++) {
      const m = decodeMpi(fields, at, field);
      const top = m.value[0];
      // The bit count must be that of the magnitude: garbage almost never agrees.
      if (top === undefined || top === 0 || fields.readUInt16BE(at) !== (m.value.length - 1) * 8 + (32 - Math.clz32(top))) return false;
      at = m.end;
    }
  } catch {
    return false;
  }
  return at === fields.length;
}

/** RFC 4880 5.5.3: sum of all octets mod 65536. */
export function checksum16(data: Buffer): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) & 0xffff;
  return sum;
}

/**
 * RSA private key from OpenPGP's n, e, d, p, q, u. OpenPGP's u is p^-1 mod q while JWK's qi is
 * q^-1 mod p, so OpenPGP's q is passed as JWK p and vice versa (RFC 7518 6.3.2).
 */
export function rsaPrivateKey(n: Buffer, e: Buffer, secret: Buffer[], wrong: () => never): KeyObject {
  const [d, p, q, u] = secret.map(toBigInt) as [bigint, bigint, bigint, bigint];
  if (p * q !== toBigInt(n) || p < 2n || q < 2n) return wrong();
  // d·e ≡ 1 (mod p−1) and (mod q−1): catches a changed e (or d) that n = p·q does not.
  const ee = toBigInt(e);
  if ((d * ee) % (p - 1n) !== 1n || (d * ee) % (q - 1n) !== 1n) return wrong();
  const qi = (u * p) % q === 1n ? u : modInverse(p, q);
  const b = (x: bigint): string => toBase64Url(fromBigInt(x));
  return createPrivateKey({
    format: 'jwk',
    key: { kty: 'RSA', n: toBase64Url(n), e: toBase64Url(e), d: b(d), p: b(q), q: b(p), dp: b(d % (q - 1n)), dq: b(d % (p - 1n)), qi: b(qi) },
  });
}

/** RFC 8410 PKCS#8 prefix for an Ed25519 private key: the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** draft-koch-eddsa-for-openpgp: the secret is the 32-byte seed as an MPI. Checks it matches the public point. */
export function ed25519PrivateKey(point: Buffer, secret: Buffer[], wrong: () => never): KeyObject {
  const seed = secret[0]!;
  if (seed.length > 32) return wrong();
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, fromBigInt(toBigInt(seed), 32)]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!spki.subarray(spki.length - 32).equals(point)) return wrong();
  return key;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
