/**
 * Issue 19 item 2: no message, output or log of a signing run contains the secret key or the
 * passphrase, whichever way they are given (SUPPACK_SIGNING_KEY inline armored / base64 / as a
 * path, the secret key file option; the passphrase file option, SUPPACK_SIGNING_PASSPHRASE_FILE,
 * SUPPACK_SIGNING_PASSPHRASE), on every error path of loading the key. Checked on the core
 * error and on everything the real CLI (dist/cli/main.js, `npm run build`) prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { generateKey, gpgHome, gpgOk, removeGpgHome, type GeneratedKey } from '../../formats/openpgp/testing';
import { loadUpdateSigning, SIGNING_KEY_ENV, SIGNING_PASSPHRASE_ENV, SIGNING_PASSPHRASE_FILE_ENV, type SigningSource } from './signing';

const rpms = inject('fixtureRpms');
const CLI = join(__dirname, '../../../dist/cli/main.js');
const PASS = 'Tr0ub4dor&3-horse-staple-19';
let home: string;
let dir: string;
let key: GeneratedKey;
let clear: GeneratedKey;
let other: GeneratedKey;
/** Every representation of secret material a run may see; no message may contain a window of one. */
let secrets: string[];
/**
 * The keys' public material, lower-cased: the public key packets as hex, base64 and latin1, and the
 * fingerprints. An exported secret key holds its public key, user ids and self-signatures too (the
 * issuer fingerprint among them), so a window of a secret's representation that is also public is
 * no leak: an error naming the key's fingerprint once matched 12 of its digits in the secret's hex.
 */
let publicLower: string;

beforeAll(() => {
  home = gpgHome();
  dir = mkdtempSync(join(tmpdir(), 'suppack-secrets-'));
  key = generateKey(home, { uid: 'Secret Test <s@example.com>', algo: 'rsa2048', passphrase: PASS });
  clear = generateKey(home, { uid: 'Clear Test <c@example.com>', algo: 'rsa2048', passphrase: '' });
  other = generateKey(home, { uid: 'Other <o@example.com>', algo: 'ed25519', passphrase: PASS });
  const armoredBody = (k: GeneratedKey) =>
    k.secretArmored
      .toString('latin1')
      .split('\n')
      .filter((l) => /^[A-Za-z0-9+/=]+$/.test(l))
      .join('');
  secrets = [PASS];
  const pub: string[] = [];
  for (const k of [key, clear, other]) {
    secrets.push(armoredBody(k), k.secretBinary.toString('base64'), k.secretBinary.toString('hex'), k.secretBinary.toString('latin1'));
    secrets.push(k.secretArmored.toString('base64'));
    const body = k.publicArmored
      .toString('latin1')
      .split('\n')
      .filter((l) => /^[A-Za-z0-9+/]+=*$/.test(l) && !l.startsWith('='))
      .join('');
    const binary = Buffer.from(body, 'base64');
    pub.push(k.fpr, body, binary.toString('hex'), binary.toString('base64'), binary.toString('latin1'), k.publicArmored.toString('base64'));
  }
  publicLower = pub.join('\n').toLowerCase();
});
afterAll(() => {
  removeGpgHome(home);
  rmSync(dir, { recursive: true, force: true });
});

/** The first 12-character window of a secret found in `text`, or undefined. */
function leak(text: string): string | undefined {
  for (const s of secrets) {
    if (s === PASS) {
      if (text.includes(PASS)) return PASS;
      continue;
    }
    for (let i = 0; i + 12 <= s.length; i += 4) {
      const w = s.slice(i, i + 12);
      if (text.includes(w) && !publicLower.includes(w.toLowerCase())) return w;
    }
  }
  return undefined;
}

function file(name: string, data: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** One key source: the env and options that give it. */
interface KeySource {
  name: string;
  env: NodeJS.ProcessEnv;
  keyFile?: string;
}

function keySources(k: GeneratedKey, tag: string): KeySource[] {
  return [
    { name: 'SUPPACK_SIGNING_KEY armored', env: { [SIGNING_KEY_ENV]: k.secretArmored.toString('utf8') } },
    { name: 'SUPPACK_SIGNING_KEY base64 of binary', env: { [SIGNING_KEY_ENV]: k.secretBinary.toString('base64') } },
    { name: 'SUPPACK_SIGNING_KEY base64 of armor (wrapped)', env: { [SIGNING_KEY_ENV]: k.secretArmored.toString('base64').replace(/.{76}/g, '$&\n') } },
    { name: 'SUPPACK_SIGNING_KEY path to armored', env: { [SIGNING_KEY_ENV]: file(`${tag}-a.asc`, k.secretArmored) } },
    { name: 'SUPPACK_SIGNING_KEY path to binary', env: { [SIGNING_KEY_ENV]: file(`${tag}-b.gpg`, k.secretBinary) } },
    { name: 'key file option, armored', env: {}, keyFile: file(`${tag}-opt.asc`, k.secretArmored) },
    { name: 'key file option, binary', env: {}, keyFile: file(`${tag}-opt.gpg`, k.secretBinary) },
  ];
}

/** One passphrase source with the passphrase `pass`. */
function passSources(pass: string, tag: string): Array<{ name: string; env: NodeJS.ProcessEnv; passphraseFile?: string }> {
  return [
    { name: 'passphrase file option', env: {}, passphraseFile: file(`${tag}-pass`, `${pass}\n`) },
    { name: 'SUPPACK_SIGNING_PASSPHRASE_FILE', env: { [SIGNING_PASSPHRASE_FILE_ENV]: file(`${tag}-pass-env`, `${pass}\n`) } },
    { name: 'SUPPACK_SIGNING_PASSPHRASE', env: { [SIGNING_PASSPHRASE_ENV]: pass } },
  ];
}

interface Scenario {
  name: string;
  publicKey: string;
  source: SigningSource;
  /** What the error must say. */
  expect: RegExp;
}

function scenarios(): Scenario[] {
  const pub = file('pub.asc', key.publicArmored);
  const otherPub = file('other-pub.asc', other.publicArmored);
  const clearPub = file('clear-pub.asc', clear.publicArmored);
  const out: Scenario[] = [];
  const flipped = Buffer.from(key.secretBinary);
  flipped[flipped.length >> 1] ^= 0x08;
  for (const ks of keySources(key, 'k')) {
    for (const ps of passSources(PASS, `p${out.length}`)) {
      const src: SigningSource = { env: { ...ks.env, ...ps.env }, ...(ks.keyFile ? { keyFile: ks.keyFile } : {}), ...(ps.passphraseFile ? { passphraseFile: ps.passphraseFile } : {}) };
      out.push({ name: `${ks.name} + ${ps.name}: public key of another key`, publicKey: otherPub, source: src, expect: /does not hold the signing key/ });
    }
    for (const ps of passSources(`${PASS}-wrong`, `w${out.length}`)) {
      const src: SigningSource = { env: { ...ks.env, ...ps.env }, ...(ks.keyFile ? { keyFile: ks.keyFile } : {}), ...(ps.passphraseFile ? { passphraseFile: ps.passphraseFile } : {}) };
      out.push({ name: `${ks.name} + ${ps.name}: wrong passphrase`, publicKey: pub, source: src, expect: /wrong passphrase/ });
    }
    out.push({ name: `${ks.name}: no passphrase`, publicKey: pub, source: { env: ks.env, ...(ks.keyFile ? { keyFile: ks.keyFile } : {}), noPassphrase: true }, expect: /protected by a passphrase, but no passphrase was given/ });
  }
  for (const ks of keySources(clear, 'c')) {
    for (const ps of passSources(PASS, `cp${out.length}`)) {
      const src: SigningSource = { env: { ...ks.env, ...ps.env }, ...(ks.keyFile ? { keyFile: ks.keyFile } : {}), ...(ps.passphraseFile ? { passphraseFile: ps.passphraseFile } : {}) };
      out.push({ name: `unprotected key, ${ks.name} + ${ps.name}`, publicKey: clearPub, source: src, expect: /not protected by a passphrase, but a passphrase was given/ });
    }
  }
  const passEnv = { [SIGNING_PASSPHRASE_ENV]: PASS };
  out.push(
    { name: 'flipped byte, base64 in SUPPACK_SIGNING_KEY', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: flipped.toString('base64') } }, expect: /damaged/ },
    { name: 'flipped byte, key file', publicKey: pub, source: { env: passEnv, keyFile: file('flipped.gpg', flipped) }, expect: /damaged/ },
    { name: 'truncated base64 key', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: key.secretBinary.subarray(0, 300).toString('base64') } }, expect: /truncated/ },
    { name: 'base64 of random bytes', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: Buffer.from(PASS.repeat(5)).toString('base64') } }, expect: /holds neither an ASCII-armored secret key, nor a base64-encoded one, nor the path of a readable file/ },
    { name: 'a path that does not exist', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: join(dir, `no-${PASS}.asc`) } }, expect: /as a path: no such file or directory/ },
    { name: 'the public key as the secret key', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: key.publicArmored.toString('utf8') } }, expect: /is a public key, expected a secret key/ },
    { name: 'armor with a damaged line', publicKey: pub, source: { env: { ...passEnv, [SIGNING_KEY_ENV]: damagedArmor(key) } }, expect: /CRC-24/ },
    { name: 'passphrase file option missing', publicKey: pub, source: { env: { [SIGNING_KEY_ENV]: key.secretArmored.toString('utf8') }, passphraseFile: join(dir, 'missing-pass') }, expect: /cannot read the passphrase file/ },
    { name: 'SUPPACK_SIGNING_PASSPHRASE_FILE missing', publicKey: pub, source: { env: { [SIGNING_KEY_ENV]: key.secretArmored.toString('utf8'), [SIGNING_PASSPHRASE_FILE_ENV]: join(dir, 'missing-pass-env') } }, expect: /cannot read the passphrase file named by SUPPACK_SIGNING_PASSPHRASE_FILE/ },
    { name: 'no secret key at all', publicKey: pub, source: { env: passEnv }, expect: /no secret key: set SUPPACK_SIGNING_KEY/ },
  );
  return out;
}

function damagedArmor(k: GeneratedKey): string {
  const lines = k.secretArmored.toString('latin1').split('\n');
  const i = lines.findIndex((l) => /^[A-Za-z0-9+/]{60,}$/.test(l));
  lines[i] = lines[i]!.split('').reverse().join('');
  return lines.join('\n');
}

describe('loadUpdateSigning: every error path, every source, no secret in the message', () => {
  it('succeeds with each key source and passphrase source (the base case the errors vary)', async () => {
    const pub = file('ok-pub.asc', key.publicArmored);
    for (const ks of keySources(key, 'ok')) {
      for (const ps of passSources(PASS, 'okp')) {
        const s = await loadUpdateSigning(pub, { env: { ...ks.env, ...ps.env }, ...(ks.keyFile ? { keyFile: ks.keyFile } : {}), ...(ps.passphraseFile ? { passphraseFile: ps.passphraseFile } : {}) });
        expect(s.key.primaryFingerprint, `${ks.name} + ${ps.name}`).toBe(key.fpr);
      }
    }
  });

  // The detector itself: public material is not a leak, the secret material is.
  it('the leak check: a fingerprint in a message is none, a window of the secret key material is', () => {
    for (const k of [key, clear, other]) {
      // the secret export holds the fingerprint (its self-signature's issuer fingerprint), as the public key does
      expect(k.secretBinary.toString('hex')).toContain(k.fpr.toLowerCase());
      expect(leak(`does not hold the signing key ${k.fpr} (${k.fpr.toLowerCase()})`)).toBeUndefined();
    }
    const hex = key.secretBinary.toString('hex');
    const secretOnly = Array.from({ length: Math.floor((hex.length - 12) / 4) }, (_, j) => hex.slice(4 * j, 4 * j + 12)).find((w) => !publicLower.includes(w));
    expect(secretOnly).toBeDefined();
    expect(leak(`error: ${secretOnly}`)).toBe(secretOnly);
  });

  it('fails as expected, in one line, without any window of the key or the passphrase', async () => {
    const all = scenarios();
    expect(all.length).toBeGreaterThan(60);
    for (const s of all) {
      const e = await loadUpdateSigning(s.publicKey, s.source).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, s.name).toBeInstanceOf(SuppackError);
      const message = (e as Error).message;
      expect(message, s.name).toMatch(s.expect);
      expect(message, s.name).not.toMatch(/\n/);
      expect(leak(message), `${s.name}: ${message}`).toBeUndefined();
    }
  });
});

describe('the CLI (dist): build-update prints no secret on stdout or stderr', () => {
  it('for each error path with the key and passphrase in the environment', () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
    const out = join(dir, 'cli-out');
    mkdirSync(out, { recursive: true });
    let runs = 0;
    for (const s of scenarios().filter((x) => x.source.keyFile === undefined && x.source.passphraseFile === undefined && !x.source.noPassphrase)) {
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LC_ALL: 'C', ...s.source.env };
      const r = spawnSync(
        process.execPath,
        [CLI, 'build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=acme', '--version=1.0', '--description=Acme', `--output=${out}`, `--keyfile=${s.publicKey}`, rpms['hello-lib']!],
        { encoding: 'utf8', env, timeout: 60_000 },
      );
      runs++;
      expect(r.status, s.name).toBe(1);
      expect(r.stderr, s.name).toMatch(s.expect);
      expect(r.stderr.trim().split('\n'), s.name).toHaveLength(1);
      expect(leak(r.stdout + r.stderr), `${s.name}: ${r.stderr}`).toBeUndefined();
    }
    expect(runs).toBeGreaterThan(20);
    expect(gpgOk(home, ['--list-secret-keys']).length).toBeGreaterThan(0);
  });
});
