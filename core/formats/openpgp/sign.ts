/**
 * Detached OpenPGP v4 signatures (RFC 4880 5.2.3, 5.2.4) made with node:crypto, and their armor.
 * RSA PKCS#1 v1.5 and Ed25519 are deterministic, so the same key, data and time give the same bytes.
 */
import { createHash, createSign, sign as cryptoSign } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { armor } from './armor';
import type { SigningKey } from './key';
import { encodeMpi } from './mpi';
import { encodePacket, encodeSubpacket, PACKET_TAG, SUBPACKET } from './packets';
import { encodeSignatureBody, encodeSignatureHashedPart, SIG_TYPE, signatureTrailer } from './signature-packet';

/**
 * SHA-256 (RFC 4880 9.4 id 8): every GnuPG and rpm 4.11 (CentOS 7 dom0) verifies it, and it is
 * long enough for Ed25519 (GnuPG wants at least 256 bits for EdDSA).
 */
const HASH_ALGO_SHA256 = 8;

/**
 * The creation time to put in a signature: max(epoch, key.created). GnuPG rejects a signature
 * made before its key ("key ... was created N seconds in the future" / bad signature time), so a
 * reproducible SOURCE_DATE_EPOCH older than the key is raised to the key's creation time.
 */
export function signatureTime(key: SigningKey, epoch: number): number {
  return Math.max(epoch, key.created);
}

/**
 * One binary v4 signature packet of type 0x00 (binary document) over `data`, hash SHA-256.
 * Hashed subpackets: signature creation time (2) = `opts.time`, issuer fingerprint (33);
 * unhashed: issuer key ID (16). Old-format packet header, as GnuPG writes.
 */
export function signDetached(key: SigningKey, data: Buffer, opts: { time: number; textMode?: false }): Buffer {
  const { time } = opts;
  if (!Number.isInteger(time) || time < 0 || time > 0xffffffff) {
    throw new SuppackError(`signature time must be unix seconds in 0..4294967295, got ${time}`);
  }
  const created = Buffer.alloc(4);
  created.writeUInt32BE(time, 0);
  // RFC 9580 5.2.3.35: issuer fingerprint = key version (4) + 20-octet fingerprint.
  const issuerFpr = Buffer.concat([Buffer.from([4]), Buffer.from(key.fingerprint, 'hex')]);
  const hashed = Buffer.concat([encodeSubpacket(SUBPACKET.CREATION_TIME, created), encodeSubpacket(SUBPACKET.ISSUER_FINGERPRINT, issuerFpr)]);
  const unhashed = encodeSubpacket(SUBPACKET.ISSUER, Buffer.from(key.keyId, 'hex'));
  const hashedPart = encodeSignatureHashedPart(SIG_TYPE.BINARY, key.pubkeyAlgorithm, HASH_ALGO_SHA256, hashed);
  const trailer = signatureTrailer(hashedPart.length);
  // RFC 4880 5.2.4: hash the document, then the hashed part, then the trailer.
  const digest = createHash('sha256').update(data).update(hashedPart).update(trailer).digest();
  let mpis: Buffer[];
  if (key.algorithm === 'rsa') {
    // RFC 4880 5.2.2 / 13.1.3: EMSA-PKCS1-v1_5 with the SHA-256 DigestInfo, one MPI m^d mod n.
    const s = createSign('sha256').update(data).update(hashedPart).update(trailer).sign(key.privateKey);
    mpis = [encodeMpi(s)];
  } else {
    // draft-koch-eddsa-for-openpgp: EdDSA signs the hash digest; R and S as two MPIs.
    const s = cryptoSign(null, digest, key.privateKey);
    mpis = [encodeMpi(s.subarray(0, 32)), encodeMpi(s.subarray(32))];
  }
  const body = encodeSignatureBody(hashedPart, unhashed, digest, mpis);
  return encodePacket(PACKET_TAG.SIGNATURE, body);
}

/** RFC 4880 6.2: "-----BEGIN PGP SIGNATURE-----", no armor headers (deterministic), base64, CRC-24, tail. */
export function armorSignature(packet: Buffer): string {
  return armor('PGP SIGNATURE', packet);
}
