/**
 * Checking a detached OpenPGP v4 signature over a document (RFC 4880 5.2.3, 5.2.4) against the
 * keys of a public key file, as `gpg --verify` with that key does: RSA PKCS#1 v1.5 and Ed25519
 * (legacy EdDSA), binary document signatures (type 0x00). What verify uses for update.xml.asc
 * and repodata/repomd.xml.asc against the key on the medium.
 */
import { createPublicKey, verify as cryptoVerify, createHash, type KeyObject } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { dearmor, isArmored } from './armor';
import { toBase64Url } from './mpi';
import { decodePackets, PACKET_TAG } from './packets';
import { decodePublicKey, PUBKEY_ALGO, type PublicKey } from './public-key';
import { decodeSignature, signatureTrailer, SIG_TYPE } from './signature-packet';

/** RFC 4880 9.4 hash ids → node:crypto names. */
const HASHES: Readonly<Record<number, string>> = { 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
/** RFC 8410 SubjectPublicKeyInfo prefix for an Ed25519 public key: the 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Every primary key and subkey of an armored or binary public key file. */
export function readPublicKeys(data: Buffer, source: string): PublicKey[] {
  const binary = isArmored(data)
    ? Buffer.concat(dearmor(data.toString('latin1')).filter((b) => b.type === 'PGP PUBLIC KEY BLOCK').map((b) => b.data))
    : data;
  if (binary.length === 0) throw new SuppackError('no OpenPGP public key found', { file: source });
  const keys: PublicKey[] = [];
  for (const p of decodePackets(binary)) {
    if (p.tag !== PACKET_TAG.PUBLIC_KEY && p.tag !== PACKET_TAG.PUBLIC_SUBKEY) continue;
    try {
      keys.push(decodePublicKey(p.body, `packet at offset ${p.offset}`));
    } catch {
      // A key this reader cannot decode cannot have made a signature it can check.
    }
  }
  if (keys.length === 0) throw new SuppackError('no OpenPGP public key found', { file: source });
  return keys;
}

/** Why the signature does not verify, or undefined when it does. Never throws for a bad signature. */
export function detachedSignatureProblem(keys: readonly PublicKey[], signature: Buffer, data: Buffer): string | undefined {
  let binary: Buffer;
  try {
    binary = isArmored(signature) ? Buffer.concat(dearmor(signature.toString('latin1')).filter((b) => b.type === 'PGP SIGNATURE').map((b) => b.data)) : signature;
  } catch (e) {
    return e instanceof SuppackError ? `not a readable signature (${e.message})` : 'not a readable signature';
  }
  let body: Buffer | undefined;
  try {
    body = decodePackets(binary).find((p) => p.tag === PACKET_TAG.SIGNATURE)?.body;
  } catch (e) {
    return e instanceof SuppackError ? `not a readable signature (${e.message})` : 'not a readable signature';
  }
  if (body === undefined) return 'holds no OpenPGP signature';
  let info;
  try {
    info = decodeSignature(body, 'signature');
  } catch (e) {
    return e instanceof SuppackError ? `not a readable signature (${e.message})` : 'not a readable signature';
  }
  if (info.version !== 4) return `a v${info.version} signature, expected v4`;
  if (info.type !== SIG_TYPE.BINARY) return `signature type 0x${info.type.toString(16)}, expected 0x00 (binary document)`;
  const hash = HASHES[info.hashAlgorithm];
  if (hash === undefined) return `hash algorithm ${info.hashAlgorithm} is not supported`;
  const issuers = [...info.hashed, ...info.unhashed]
    .filter((s) => (s.type === 33 && s.data.length === 21) || (s.type === 16 && s.data.length === 8))
    .map((s) => (s.type === 33 ? s.data.subarray(1).toString('hex') : s.data.toString('hex')).toUpperCase());
  const key = keys.find((k) => issuers.some((i) => k.fingerprint === i || k.keyId === i));
  if (key === undefined) return `made by key ${issuers[0] ?? '(no issuer)'}, which the public key on the medium does not hold`;
  const hashedLen = body.readUInt16BE(4);
  const hashedPart = body.subarray(0, 6 + hashedLen);
  const unhashedLen = body.readUInt16BE(6 + hashedLen);
  let at = 8 + hashedLen + unhashedLen;
  const left16 = body.subarray(at, at + 2);
  at += 2;
  const mpis: Buffer[] = [];
  while (at + 2 <= body.length && mpis.length < 2) {
    const bits = body.readUInt16BE(at);
    const end = at + 2 + Math.ceil(bits / 8);
    if (end > body.length) return 'truncated signature';
    mpis.push(body.subarray(at + 2, end));
    at = end;
  }
  const trailer = signatureTrailer(hashedPart.length);
  const digest = createHash(hash).update(data).update(hashedPart).update(trailer).digest();
  if (!digest.subarray(0, 2).equals(left16)) return 'BAD signature: the document or the signature was changed';
  const m = key.material;
  let ok = false;
  try {
    if (m.kind === 'rsa' && (key.algorithm === PUBKEY_ALGO.RSA || key.algorithm === PUBKEY_ALGO.RSA_SIGN) && info.pubkeyAlgorithm === key.algorithm) {
      const pub: KeyObject = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: toBase64Url(m.n), e: toBase64Url(m.e) } });
      const s = mpis[0] ?? Buffer.alloc(0);
      const padded = Buffer.concat([Buffer.alloc(Math.max(0, m.n.length - s.length)), s]);
      ok = cryptoVerify(hash, Buffer.concat([data, hashedPart, trailer]), pub, padded);
    } else if (m.kind === 'ed25519' && info.pubkeyAlgorithm === PUBKEY_ALGO.EDDSA_LEGACY && mpis.length === 2) {
      const pub = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, m.point]), format: 'der', type: 'spki' });
      const pad = (b: Buffer) => Buffer.concat([Buffer.alloc(Math.max(0, 32 - b.length)), b]);
      ok = cryptoVerify(null, digest, pub, Buffer.concat([pad(mpis[0]!), pad(mpis[1]!)]));
    } else {
      return `key ${key.keyId}: its algorithm ${key.algorithm} cannot be checked here`;
    }
  } catch {
    ok = false;
  }
  return ok ? undefined : 'BAD signature: the document or the signature was changed';
}
