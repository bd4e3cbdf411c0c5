/** Test-only helpers: throwaway GnuPG homes, key generation and export, gpg --verify. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';
import { decodePackets, PACKET_TAG } from './packets';
import { decodePublicKey } from './public-key';

export interface GpgResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs gpg with GNUPGHOME=`home` in batch mode; returns status and output. */
export function gpg(home: string, args: string[], input?: Buffer | string): GpgResult {
  const r = spawnSync('gpg', ['--batch', '--no-tty', ...args], {
    input,
    env: { ...process.env, GNUPGHOME: home, LC_ALL: 'C' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}

/** Like gpg() but throws on a non-zero exit status; returns stdout as bytes. */
export function gpgOk(home: string, args: string[], input?: Buffer | string): Buffer {
  const r = spawnSync('gpg', ['--batch', '--no-tty', ...args], { input, env: { ...process.env, GNUPGHOME: home, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** A fresh GnuPG home directory (mode 0700). */
export function gpgHome(prefix = 'suppack-gpg-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Stops the gpg-agent of `home` and removes it. */
export function removeGpgHome(home: string): void {
  spawnSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: home } });
  rmSync(home, { recursive: true, force: true });
}

export interface GeneratedKey {
  /** Primary fingerprint. */
  fpr: string;
  secretArmored: Buffer;
  secretBinary: Buffer;
  publicArmored: Buffer;
}

/**
 * `gpg --quick-gen-key uid algo usage never` with `passphrase` ('' = unprotected), then exports.
 * `subkey` adds a signing subkey of that algorithm with --quick-add-key.
 */
export function generateKey(home: string, opts: { uid: string; algo: string; usage?: string; passphrase: string; subkey?: string }): GeneratedKey {
  const pass = ['--pinentry-mode', 'loopback', '--passphrase', opts.passphrase];
  gpgOk(home, [...pass, '--quick-gen-key', opts.uid, opts.algo, opts.usage ?? 'sign', 'never']);
  const colons = gpgOk(home, ['--with-colons', '--list-secret-keys', opts.uid]).toString();
  const fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{40}):/m.exec(colons)![1]!;
  if (opts.subkey !== undefined) gpgOk(home, [...pass, '--quick-add-key', fpr, opts.subkey, 'sign', 'never']);
  return {
    fpr,
    secretArmored: gpgOk(home, [...pass, '--armor', '--export-secret-keys', fpr]),
    secretBinary: gpgOk(home, [...pass, '--export-secret-keys', fpr]),
    publicArmored: gpgOk(home, ['--armor', '--export', fpr]),
  };
}

/** Imports `publicKey` into a fresh home and runs gpg --verify on the armored signature and the data. */
export function gpgVerify(publicKey: Buffer, signature: string | Buffer, data: Buffer): GpgResult {
  const home = gpgHome('suppack-gpgv-');
  try {
    gpgOk(home, ['--import'], publicKey);
    writeFileSync(join(home, 'sig.asc'), signature);
    writeFileSync(join(home, 'data'), data);
    return gpg(home, ['--status-fd', '1', '--verify', join(home, 'sig.asc'), join(home, 'data')]);
  } finally {
    removeGpgHome(home);
  }
}

/** RFC 4880 4.2.2: a new-format packet header with a five-octet length (exercises the other framing). */
export function newFormatPacket(tag: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = 0xc0 | tag;
  h[1] = 0xff;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

export interface Protect {
  usage: 254 | 255;
  /** RFC 4880 9.2 symmetric algorithm ID and its OpenSSL CFB name. */
  cipher: number;
  openssl: string;
  keySize: number;
  blockSize: number;
  /** RFC 4880 3.7.1: 0 simple, 1 salted, 3 iterated+salted (coded count 0x60 = 65536 octets). */
  s2kType: 0 | 1 | 3;
  hash: number;
  hashName: string;
}

// ---- protect ----
/**
 * Test-only: re-protects an unprotected secret key export (S2K usage 0) with another cipher, hash,
 * S2K type and usage, written independently of s2k.ts so that reading it checks the reader.
 */

const SALT = Buffer.from('0102030405060708', 'hex');
const COUNT_BYTE = 0x60; // (16 + 0) << (6 + 6) = 65536 octets
const IV = Buffer.alloc(16, 0x5a);

function s2kKey(p: Protect, passphrase: Buffer): Buffer {
  const input = p.s2kType === 0 ? passphrase : Buffer.concat([SALT, passphrase]);
  let total = input.length;
  if (p.s2kType === 3) total = Math.max(65536, input.length);
  const out: Buffer[] = [];
  for (let pre = 0; Buffer.concat(out).length < p.keySize; pre++) {
    const h = createHash(p.hashName);
    h.update(Buffer.alloc(pre));
    let left = total;
    while (left > 0) {
      const n = Math.min(left, input.length);
      h.update(input.subarray(0, n));
      left -= n;
    }
    out.push(h.digest());
  }
  return Buffer.concat(out).subarray(0, p.keySize);
}

function s2kSpecifier(p: Protect): Buffer {
  if (p.s2kType === 0) return Buffer.from([0, p.hash]);
  if (p.s2kType === 1) return Buffer.concat([Buffer.from([1, p.hash]), SALT]);
  return Buffer.concat([Buffer.from([3, p.hash]), SALT, Buffer.from([COUNT_BYTE])]);
}

/** Every secret (sub)key packet of `clearExport` (binary, usage 0) re-protected with `p` and `passphrase`, new-format headers. */
export function reprotect(clearExport: Buffer, p: Protect, passphrase: string): Buffer {
  return Buffer.concat(
    decodePackets(clearExport).map(({ tag, body }) => {
      if (tag !== PACKET_TAG.SECRET_KEY && tag !== PACKET_TAG.SECRET_SUBKEY) return newFormatPacket(tag, body);
      const { end } = decodePublicKey(body, 'test');
      if (body[end] !== 0) throw new Error('expected an unprotected key');
      const fields = body.subarray(end + 1, body.length - 2);
      let check: Buffer;
      if (p.usage === 254) check = createHash('sha1').update(fields).digest();
      else {
        check = Buffer.alloc(2);
        check.writeUInt16BE(fields.reduce((a, b) => (a + b) & 0xffff, 0));
      }
      const iv = IV.subarray(0, p.blockSize);
      const c = createCipheriv(p.openssl, s2kKey(p, Buffer.from(passphrase, 'utf8')), iv);
      const enc = Buffer.concat([c.update(Buffer.concat([fields, check])), c.final()]);
      const head = Buffer.from([p.usage, p.cipher]);
      return newFormatPacket(tag, Buffer.concat([body.subarray(0, end), head, s2kSpecifier(p), iv, enc]));
    }),
  );
}
