/** Test-only helpers: throwaway GnuPG homes, key generation and export, gpg --verify. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
