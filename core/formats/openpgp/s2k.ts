/**
 * String-to-key specifiers (RFC 4880 3.7) and the symmetric ciphers that protect v4 secret keys
 * (RFC 4880 9.2), mapped to OpenSSL names through node:crypto.
 */
import { createHash, getCiphers, getHashes } from 'node:crypto';
import { SuppackError } from '../../base/errors';

/** Symmetric algorithm IDs (RFC 4880 9.2) with their OpenSSL CFB cipher and key/block sizes. */
const CIPHERS: Record<number, { name: string; openssl?: string; keySize: number; blockSize: number }> = {
  1: { name: 'IDEA', keySize: 16, blockSize: 8 },
  2: { name: 'TripleDES', openssl: 'des-ede3-cfb', keySize: 24, blockSize: 8 },
  3: { name: 'CAST5', openssl: 'cast5-cfb', keySize: 16, blockSize: 8 },
  4: { name: 'Blowfish', openssl: 'bf-cfb', keySize: 16, blockSize: 8 },
  7: { name: 'AES-128', openssl: 'aes-128-cfb', keySize: 16, blockSize: 16 },
  8: { name: 'AES-192', openssl: 'aes-192-cfb', keySize: 24, blockSize: 16 },
  9: { name: 'AES-256', openssl: 'aes-256-cfb', keySize: 32, blockSize: 16 },
  10: { name: 'Twofish', keySize: 32, blockSize: 16 },
  11: { name: 'Camellia-128', openssl: 'camellia-128-cfb', keySize: 16, blockSize: 16 },
  12: { name: 'Camellia-192', openssl: 'camellia-192-cfb', keySize: 24, blockSize: 16 },
  13: { name: 'Camellia-256', openssl: 'camellia-256-cfb', keySize: 32, blockSize: 16 },
};

/** Hash algorithm IDs (RFC 4880 9.4) with their OpenSSL names. */
export const HASHES: Record<number, { name: string; openssl: string }> = {
  1: { name: 'MD5', openssl: 'md5' },
  2: { name: 'SHA-1', openssl: 'sha1' },
  3: { name: 'RIPEMD-160', openssl: 'ripemd160' },
  8: { name: 'SHA-256', openssl: 'sha256' },
  9: { name: 'SHA-384', openssl: 'sha384' },
  10: { name: 'SHA-512', openssl: 'sha512' },
  11: { name: 'SHA-224', openssl: 'sha224' },
};

export interface Cipher {
  id: number;
  name: string;
  /** The node:crypto CFB cipher name. */
  openssl: string;
  keySize: number;
  blockSize: number;
}

/** The cipher for symmetric algorithm `id`, or a SuppackError saying why it cannot be used here. */
export function cipherFor(id: number, field: string): Cipher {
  const c = CIPHERS[id];
  if (c === undefined) throw new SuppackError(`unknown symmetric cipher ${id} protects the secret key`, { field });
  if (c.openssl === undefined || !getCiphers().includes(c.openssl)) {
    throw new SuppackError(
      `the secret key is protected with ${c.name}, which this Node/OpenSSL build cannot decrypt; re-export it protected with AES (gpg --s2k-cipher-algo AES256 --export-secret-keys)`,
      { field },
    );
  }
  return { id, name: c.name, openssl: c.openssl, keySize: c.keySize, blockSize: c.blockSize };
}

export function hashFor(id: number, field: string): string {
  const h = HASHES[id];
  if (h === undefined) throw new SuppackError(`unknown hash algorithm ${id}`, { field });
  if (!getHashes().includes(h.openssl)) throw new SuppackError(`hash ${h.name} is not available in this Node/OpenSSL build`, { field });
  return h.openssl;
}

export type S2k =
  | { type: 0; hash: number }
  | { type: 1; hash: number; salt: Buffer }
  | { type: 3; hash: number; salt: Buffer; count: number }
  /** GnuPG extension (S2K 101 "GNU"): mode 1 = no secret part (gnu-dummy), 2 = on a smartcard (divert-to-card). */
  | { type: 101; mode: number };

/** RFC 4880 3.7.1: decodes the S2K specifier at `offset`; returns it and the offset just past it. */
export function decodeS2k(buf: Buffer, offset: number, field: string): { s2k: S2k; end: number } {
  const fail = (what: string): never => {
    throw new SuppackError(what, { field });
  };
  const need = (n: number): void => {
    if (offset + n > buf.length) fail('truncated string-to-key specifier');
  };
  need(2);
  const type = buf[offset]!;
  const hash = buf[offset + 1]!;
  switch (type) {
    case 0: // 3.7.1.1 simple: type, hash
      return { s2k: { type: 0, hash }, end: offset + 2 };
    case 1: // 3.7.1.2 salted: type, hash, 8-octet salt
      need(10);
      return { s2k: { type: 1, hash, salt: buf.subarray(offset + 2, offset + 10) }, end: offset + 10 };
    case 3: {
      // 3.7.1.3 iterated and salted: type, hash, salt, coded count c -> (16 + (c & 15)) << ((c >> 4) + 6)
      need(11);
      const c = buf[offset + 10]!;
      const count = (16 + (c & 15)) * 2 ** ((c >> 4) + 6);
      return { s2k: { type: 3, hash, salt: buf.subarray(offset + 2, offset + 10), count }, end: offset + 11 };
    }
    case 101: {
      // GnuPG doc/DETAILS "GNU extensions to the S2K algorithm": 101, hash, "GNU", mode (1 = 1001, 2 = 1002).
      need(6);
      if (buf.toString('latin1', offset + 2, offset + 5) !== 'GNU') fail('S2K 101 without the "GNU" marker');
      return { s2k: { type: 101, mode: buf[offset + 5]! }, end: offset + 6 };
    }
    default:
      return fail(`unsupported string-to-key type ${type}`);
  }
}

/**
 * RFC 4880 3.7.1: derives `keySize` octets from the passphrase. When the key is longer than the
 * hash, further hash contexts are preloaded with 1, 2, ... zero octets and their outputs appended.
 */
export function deriveKey(s2k: Exclude<S2k, { type: 101 }>, passphrase: Buffer, keySize: number, field: string): Buffer {
  const hashName = hashFor(s2k.hash, field);
  const input = s2k.type === 0 ? passphrase : Buffer.concat([s2k.salt, passphrase]);
  // 3.7.1.3: the count is the number of octets hashed, but at least the whole salt+passphrase once.
  const total = s2k.type === 3 ? Math.max(s2k.count, input.length) : input.length;
  const out: Buffer[] = [];
  let have = 0;
  for (let round = 0; have < keySize; round++) {
    const h = createHash(hashName);
    if (round > 0) h.update(Buffer.alloc(round));
    hashRepeated(h, input, total);
    const d = h.digest();
    out.push(d);
    have += d.length;
  }
  return Buffer.concat(out).subarray(0, keySize);
}

/** Feeds `total` octets of `input` repeated (the last copy truncated) into `h`, in ~1 MiB chunks. */
function hashRepeated(h: ReturnType<typeof createHash>, input: Buffer, total: number): void {
  if (input.length === 0) return;
  const copies = Math.max(1, Math.floor((1 << 20) / input.length));
  const chunk = Buffer.concat(new Array<Buffer>(copies).fill(input));
  let left = total;
  while (left >= chunk.length) {
    h.update(chunk);
    left -= chunk.length;
  }
  if (left > 0) h.update(chunk.subarray(0, left));
}
