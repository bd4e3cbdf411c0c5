/**
 * Reads a transferable secret key (RFC 4880 11.2, what `gpg --export-secret-keys [--armor]` writes),
 * picks the key to sign with and decrypts it; reads the fingerprints of a public key file (11.1).
 */
import type { KeyObject } from 'node:crypto';
import { SuppackError, withFile } from '../../base/errors';
import { dearmor, isArmored } from './armor';
import { decodePackets, PACKET_TAG, type Packet } from './packets';
import { algorithmName, decodePublicKey, PUBKEY_ALGO, type PublicKey, v4Fingerprint } from './public-key';
import { decodeProtection, ed25519PrivateKey, rsaPrivateKey, secretFields, type SecretKeyParts } from './secret-key';
import { decodeSignature, isCertification, keyFlags, SIG_TYPE, type SignatureInfo } from './signature-packet';

/** A decrypted OpenPGP key ready for signDetached. Its fields never include secret material. */
export interface SigningKey {
  /** v4 fingerprint of the key that signs (a subkey or the primary), 40 uppercase hex digits. */
  readonly fingerprint: string;
  /** The low 64 bits of `fingerprint`, 16 uppercase hex digits (what `rpm -Kv` prints in lower case, last 8). */
  readonly keyId: string;
  readonly algorithm: 'rsa' | 'ed25519';
  /** Creation time of the signing key, unix seconds. */
  readonly created: number;
  readonly primaryFingerprint: string;
  readonly userIds: string[];
  /** The OpenPGP public-key algorithm ID signatures carry (RFC 4880 9.1: 1 RSA, 22 EdDSA). */
  readonly pubkeyAlgorithm: number;
  /** node:crypto private key. */
  readonly privateKey: KeyObject;
}

/** FLAG "may be used to sign data" (RFC 4880 5.2.3.21). */
const KEY_FLAG_SIGN = 0x02;
const EXPORT_HINT = 'export it with gpg --export-secret-keys --armor <key id>';

interface KeyEntry {
  pub: PublicKey;
  body: Buffer;
  field: string;
  sigs: SignatureInfo[];
}

interface TransferableKey {
  primary: KeyEntry;
  userIds: string[];
  subkeys: KeyEntry[];
}

/**
 * Reads an armored or binary transferable secret key and returns the key to sign with: the newest
 * subkey whose binding signature has the sign flag, else the primary key. Errors are SuppackErrors
 * naming `opts.source`; they never contain the passphrase or key material. The passphrase is the
 * bytes the S2K hashes, as gpg hashes them; a string stands for its UTF-8 bytes.
 */
export function readSigningKey(data: Buffer, opts: { source: string; passphrase?: Buffer | string; passphraseSource?: string }): SigningKey {
  const passphrase = typeof opts.passphrase === 'string' ? Buffer.from(opts.passphrase, 'utf8') : opts.passphrase;
  return withFile(opts.source, () => {
    const packets = loadPackets(data, 'PGP PRIVATE KEY BLOCK', 'secret key');
    const keys = splitKeys(packets);
    if (keys.length > 1) {
      throw new SuppackError(`holds ${keys.length} secret keys (${keys.map((k) => k.primary.pub.keyId).join(', ')}), expected one: ${EXPORT_HINT}`);
    }
    const key = keys[0]!;
    const chosen = chooseSigningKey(key);
    return unlock(chosen, key, passphrase, opts.passphraseSource);
  });
}

/** Fingerprints (40 uppercase hex) of every primary key and subkey in an armored or binary public key file, in file order. */
export function readPublicKeyFingerprints(data: Buffer, source: string): string[] {
  return withFile(source, () => {
    const packets = loadPackets(data, 'PGP PUBLIC KEY BLOCK', 'public key');
    const out: string[] = [];
    for (const p of packets) {
      if (p.tag === PACKET_TAG.SECRET_KEY || p.tag === PACKET_TAG.SECRET_SUBKEY) {
        throw new SuppackError('contains SECRET key material; publish only the public key (gpg --export --armor <key id>)');
      }
      if (p.tag !== PACKET_TAG.PUBLIC_KEY && p.tag !== PACKET_TAG.PUBLIC_SUBKEY) continue;
      if (p.body[0] !== 4) {
        throw new SuppackError(`key packet version ${p.body[0]} is not supported, expected 4`, { field: `packet at offset ${p.offset}` });
      }
      out.push(v4Fingerprint(p.body));
    }
    if (out.length === 0) throw new SuppackError('no OpenPGP public key found: export one with gpg --export --armor <key id>');
    return out;
  });
}

/** Binary packets of `data`, de-armoring blocks of `wanted` type first when the input is ASCII armor. */
function loadPackets(data: Buffer, wanted: string, what: 'secret key' | 'public key'): Packet[] {
  const hint = what === 'secret key' ? EXPORT_HINT : 'export it with gpg --export --armor <key id>';
  let binary: Buffer;
  if (isArmored(data)) {
    const blocks = dearmor(data.toString('latin1'));
    const ok = blocks.filter((b) => b.type === wanted || (what === 'secret key' && b.type === 'PGP SECRET KEY BLOCK'));
    if (ok.length === 0) {
      const found = blocks.map((b) => b.type).join(', ') || 'none';
      if (what === 'secret key' && blocks.some((b) => b.type === 'PGP PUBLIC KEY BLOCK')) {
        throw new SuppackError(`is a public key, expected a secret key: ${EXPORT_HINT}`);
      }
      throw new SuppackError(`expected an armored "${wanted}", found ${found}: ${hint}`);
    }
    binary = Buffer.concat(ok.map((b) => b.data));
  } else {
    binary = data;
  }
  if (binary.length === 0 || (binary[0]! & 0x80) === 0) {
    throw new SuppackError(`not an OpenPGP ${what} (neither ASCII armor nor binary OpenPGP packets): ${hint}`);
  }
  const packets = decodePackets(binary);
  const first = packets[0]!;
  const keyTag = what === 'secret key' ? PACKET_TAG.SECRET_KEY : PACKET_TAG.PUBLIC_KEY;
  if (first.tag !== keyTag && !(what === 'public key' && first.tag === PACKET_TAG.SECRET_KEY)) {
    if (what === 'secret key' && packets.some((p) => p.tag === PACKET_TAG.PUBLIC_KEY)) {
      throw new SuppackError(`is a public key, expected a secret key: ${EXPORT_HINT}`);
    }
    throw new SuppackError(`not an OpenPGP ${what}: the first packet has tag ${first.tag}, expected ${keyTag}: ${hint}`);
  }
  return packets;
}

/** RFC 4880 11.2: Secret-Key, signatures, User IDs with their certifications, Secret-Subkeys each with its binding signature. */
function splitKeys(packets: Packet[]): TransferableKey[] {
  const keys: TransferableKey[] = [];
  let current: TransferableKey | undefined;
  let sigsOf: KeyEntry | undefined;
  for (const p of packets) {
    const field = `packet at offset ${p.offset}`;
    switch (p.tag) {
      case PACKET_TAG.SECRET_KEY: {
        const entry: KeyEntry = { pub: decodePublicKey(p.body, field), body: p.body, field, sigs: [] };
        current = { primary: entry, userIds: [], subkeys: [] };
        keys.push(current);
        sigsOf = entry;
        break;
      }
      case PACKET_TAG.PUBLIC_KEY:
        throw new SuppackError(`mixes public and secret keys (public key packet at offset ${p.offset}): ${EXPORT_HINT}`);
      case PACKET_TAG.SECRET_SUBKEY: {
        // Subkeys we never sign with may use algorithms this reader does not know: skip them quietly.
        let pub: PublicKey;
        try {
          pub = decodePublicKey(p.body, field);
        } catch {
          sigsOf = undefined;
          break;
        }
        const entry: KeyEntry = { pub, body: p.body, field, sigs: [] };
        current!.subkeys.push(entry);
        sigsOf = entry;
        break;
      }
      case PACKET_TAG.USER_ID:
        current!.userIds.push(p.body.toString('utf8'));
        sigsOf = current!.primary;
        break;
      case PACKET_TAG.PUBLIC_SUBKEY:
      case PACKET_TAG.USER_ATTRIBUTE:
        sigsOf = p.tag === PACKET_TAG.USER_ATTRIBUTE ? current!.primary : undefined;
        break;
      case PACKET_TAG.SIGNATURE:
        if (sigsOf !== undefined) {
          try {
            sigsOf.sigs.push(decodeSignature(p.body, field));
          } catch {
            // A signature we cannot read (e.g. a future version) cannot grant or revoke the sign flag.
          }
        }
        break;
      default:
      // Trust (12), marker (10) and other packets carry nothing we need.
    }
  }
  return keys;
}

/** True when the GnuPG stub marker (S2K 101) says the packet carries no usable secret. */
function isStub(e: KeyEntry): boolean {
  try {
    const { protection } = decodeProtection(e.body, e.pub, e.field);
    return protection.usage !== 0 && protection.s2k.type === 101;
  } catch {
    return false;
  }
}

function newest(sigs: SignatureInfo[]): SignatureInfo | undefined {
  return sigs.reduce<SignatureInfo | undefined>((a, s) => (a === undefined || s.created >= a.created ? s : a), undefined);
}

/** The newest non-revoked subkey whose newest binding signature has the sign flag, else the primary. */
function chooseSigningKey(key: TransferableKey): KeyEntry {
  const signing = key.subkeys.filter((s) => {
    if (s.sigs.some((g) => g.type === SIG_TYPE.SUBKEY_REVOCATION)) return false;
    const binding = newest(s.sigs.filter((g) => g.type === SIG_TYPE.SUBKEY_BINDING));
    const flags = binding === undefined ? undefined : keyFlags(binding);
    return flags !== undefined && (flags & KEY_FLAG_SIGN) !== 0;
  });
  const usable = signing.filter((s) => !isStub(s));
  if (usable.length > 0) {
    return usable.reduce((a, s) => (s.pub.created >= a.pub.created ? s : a));
  }
  const primary = key.primary;
  const self = newest(primary.sigs.filter((g) => isCertification(g.type) || g.type === SIG_TYPE.DIRECT_KEY));
  const flags = self === undefined ? undefined : keyFlags(self);
  if (flags !== undefined && (flags & KEY_FLAG_SIGN) === 0 && signing.length === 0) {
    throw new SuppackError(`key ${primary.pub.keyId} has no signing-capable key (primary key flags lack "sign", no signing subkey): add one with gpg --quick-add-key <fpr> rsa3072 sign`);
  }
  if (signing.length > 0 && isStub(primary)) return signing.reduce((a, s) => (s.pub.created >= a.pub.created ? s : a));
  return primary;
}

/** Decrypts `entry` and wraps it as a SigningKey. */
function unlock(entry: KeyEntry, key: TransferableKey, passphrase: Buffer | undefined, passphraseSource?: string): SigningKey {
  const { pub } = entry;
  const where = `${entry === key.primary ? 'primary key' : 'signing subkey'} ${pub.keyId}`;
  const material = pub.material;
  if (material.kind === 'other') {
    throw new SuppackError(`${algorithmName(pub.algorithm)} key cannot sign here: ${material.reason}`, { field: where });
  }
  const parts: SecretKeyParts = decodeProtection(entry.body, pub, where);
  if (parts.protection.usage === 0 && passphrase !== undefined && passphrase.length > 0) {
    // A passphrase for a key that has none is a mistake (the wrong key, or a key exported
    // unprotected by accident): refuse it rather than sign quietly. An empty one is no
    // passphrase (gpg's own convention). The passphrase is not shown.
    throw new SuppackError(
      `the secret key is not protected by a passphrase, but a passphrase was given${passphraseSource ? ` (${passphraseSource})` : ''}: remove it, or say the key has none (build-update --no-passphrase)`,
      { field: where },
    );
  }
  const secret = secretFields(parts, pub, passphrase, material.kind === 'rsa' ? 4 : 1, where);
  // The secret fields passed their check, so the passphrase is right: a mismatch with the
  // public key means a changed byte in the key.
  const wrong = (): never => {
    throw new SuppackError('the secret key does not match its public key (damaged key)', { field: where });
  };
  const privateKey = material.kind === 'rsa' ? rsaPrivateKey(material.n, material.e, secret, wrong) : ed25519PrivateKey(material.point, secret, wrong);
  return Object.freeze({
    fingerprint: pub.fingerprint,
    keyId: pub.keyId,
    algorithm: material.kind,
    created: pub.created,
    primaryFingerprint: key.primary.pub.fingerprint,
    userIds: [...key.userIds],
    pubkeyAlgorithm: material.kind === 'rsa' ? PUBKEY_ALGO.RSA : PUBKEY_ALGO.EDDSA_LEGACY,
    privateKey,
  });
}
