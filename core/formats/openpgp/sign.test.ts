import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dearmor } from './armor';
import { readSigningKey, type SigningKey } from './key';
import { armorSignature, signatureTime, signDetached } from './sign';
import { type GeneratedKey, generateKey, gpgHome, gpgOk, gpgVerify, removeGpgHome } from './testing';

interface Case {
  name: string;
  algo: string;
  passphrase: string;
  subkey?: string;
  usage?: string;
  expect: 'rsa' | 'ed25519';
}

const CASES: Case[] = [
  { name: 'rsa2048, passphrase', algo: 'rsa2048', passphrase: 'rsa secret 1', expect: 'rsa' },
  { name: 'rsa3072, no passphrase', algo: 'rsa3072', passphrase: '', expect: 'rsa' },
  { name: 'ed25519, passphrase', algo: 'ed25519', passphrase: 'ed secret', expect: 'ed25519' },
  { name: 'ed25519, no passphrase', algo: 'ed25519', passphrase: '', expect: 'ed25519' },
  { name: 'rsa3072 cert-only primary + ed25519 signing subkey', algo: 'rsa3072', usage: 'cert', passphrase: 'sub pw', subkey: 'ed25519', expect: 'ed25519' },
  { name: 'ed25519 primary + rsa2048 signing subkey', algo: 'ed25519', passphrase: 'p2', subkey: 'rsa2048', expect: 'rsa' },
];

const DATA = Buffer.from('<?xml version="1.0"?>\n<update name="acme"/>\n\0binary\xff\n', 'latin1');
let home: string;
const keys = new Map<string, { gen: GeneratedKey; key: SigningKey; fprs: string[] }>();

beforeAll(() => {
  home = gpgHome();
  CASES.forEach((c, i) => {
    const gen = generateKey(home, { uid: `Test ${i} <t${i}@example.com>`, algo: c.algo, usage: c.usage, passphrase: c.passphrase, subkey: c.subkey });
    const colons = gpgOk(home, ['--with-colons', '--list-secret-keys', gen.fpr]).toString();
    const fprs = [...colons.matchAll(/^fpr:(?:[^:]*:){8}([0-9A-F]{40}):/gm)].map((m) => m[1]!);
    keys.set(c.name, { gen, key: readSigningKey(gen.secretArmored, { source: `key${i}.asc`, passphrase: c.passphrase }), fprs });
  });
});
afterAll(() => removeGpgHome(home));

describe.each(CASES)('signDetached with $name', (c) => {
  it('reads the expected signing key', () => {
    const { gen, key, fprs } = keys.get(c.name)!;
    expect(key.algorithm).toBe(c.expect);
    expect(key.primaryFingerprint).toBe(gen.fpr);
    // The subkey when there is one, else the primary.
    expect(key.fingerprint).toBe(c.subkey !== undefined ? fprs[1] : fprs[0]);
    expect(key.keyId).toBe(key.fingerprint.slice(-16));
    expect(key.userIds).toEqual([`Test ${CASES.indexOf(c)} <t${CASES.indexOf(c)}@example.com>`]);
    expect(key.created).toBeGreaterThan(1_600_000_000);
  });

  it('gpg --verify accepts the armored signature and rejects it for changed data', () => {
    const { gen, key } = keys.get(c.name)!;
    const time = signatureTime(key, 0);
    const asc = armorSignature(signDetached(key, DATA, { time }));
    const ok = gpgVerify(gen.publicArmored, asc, DATA);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`[GNUPG:] GOODSIG ${key.keyId}`);
    // VALIDSIG <signing fpr> <date> <timestamp> <expire> <version> <reserved> <pk algo> <hash algo> <class> <primary fpr>
    const validsig = new RegExp(`VALIDSIG ${key.fingerprint} \\S+ ${time} 0 4 0 ${key.pubkeyAlgorithm} 8 00 ${key.primaryFingerprint}`);
    expect(ok.stdout).toMatch(validsig);
    const bad = gpgVerify(gen.publicArmored, asc, Buffer.concat([DATA, Buffer.from('x')]));
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain('BADSIG');
  });

  it('is deterministic, and the binary export gives the same key and bytes', () => {
    const { gen, key } = keys.get(c.name)!;
    const time = key.created + 1000;
    const a = signDetached(key, DATA, { time });
    const b = signDetached(key, DATA, { time });
    expect(b.equals(a)).toBe(true);
    const fromBinary = readSigningKey(gen.secretBinary, { source: 'key.gpg', passphrase: c.passphrase });
    expect(fromBinary.fingerprint).toBe(key.fingerprint);
    expect(signDetached(fromBinary, DATA, { time }).equals(a)).toBe(true);
    expect(signDetached(key, DATA, { time: time + 1 }).equals(a)).toBe(false);
  });

  it('gpg --list-packets shows a v4 binary signature with the given time, SHA-256 and the issuer subpackets', () => {
    const { key } = keys.get(c.name)!;
    const time = key.created + 12345;
    const out = gpgOk(home, ['--list-packets'], signDetached(key, DATA, { time })).toString();
    expect(out).toContain(`:signature packet: algo ${key.pubkeyAlgorithm}, keyid ${key.keyId}`);
    expect(out).toContain(`version 4, created ${time}, md5len 0, sigclass 0x00`);
    expect(out).toContain('digest algo 8,');
    expect(out).toMatch(/hashed subpkt 2 len 4 \(sig created/);
    expect(out).toContain(`hashed subpkt 33 len 21 (issuer fpr v4 ${key.fingerprint})`);
    expect(out).toContain(`subpkt 16 len 8 (issuer key ID ${key.keyId})`);
    expect(out).not.toMatch(/hashed subpkt (?!2 |33 )/);
  });
});

describe('armorSignature', () => {
  it('writes no armor headers, 76-column lines and a CRC-24 that round-trips', () => {
    const { key } = keys.get(CASES[1]!.name)!;
    const packet = signDetached(key, DATA, { time: key.created });
    const asc = armorSignature(packet);
    const lines = asc.split('\n');
    expect(lines[0]).toBe('-----BEGIN PGP SIGNATURE-----');
    expect(lines[1]).toBe('');
    expect(asc.endsWith('\n-----END PGP SIGNATURE-----\n')).toBe(true);
    expect(lines.at(-3)).toMatch(/^=[A-Za-z0-9+/]{4}$/);
    const body = lines.slice(2, -3);
    expect(body.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(76);
    expect(dearmor(asc)).toEqual([{ type: 'PGP SIGNATURE', data: packet }]);
    // gpg --dearmor agrees on the bytes.
    expect(gpgOk(home, ['--dearmor'], asc).equals(packet)).toBe(true);
  });
});

describe('signatureTime', () => {
  it('is the epoch, raised to the key creation time when older', () => {
    const { key } = keys.get(CASES[0]!.name)!;
    expect(signatureTime(key, 946684800)).toBe(key.created);
    expect(signatureTime(key, key.created + 10)).toBe(key.created + 10);
  });

  it('signDetached rejects a time that does not fit in 32 bits', () => {
    const { key } = keys.get(CASES[0]!.name)!;
    expect(() => signDetached(key, DATA, { time: 2 ** 32 })).toThrow(/unix seconds/);
    expect(() => signDetached(key, DATA, { time: -1 })).toThrow(/unix seconds/);
  });
});
