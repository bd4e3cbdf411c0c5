// The passphrase a passphrase file holds is the bytes gpg reads from it: a key made by gpg with a
// passphrase that is not UTF-8 unlocks with the same file, by key file and through gpg's export.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { gpg, gpgHome, gpgOk, removeGpgHome } from '../../formats/openpgp/testing';
import { loadUpdateSigning, passphraseLine } from './signing';

describe('passphraseLine: the first line, as bytes', () => {
  const line = (s: string) => passphraseLine(Buffer.from(s, 'latin1')).toString('latin1');
  test.each([
    ['caf\xe9', 'caf\xe9'],
    ['caf\xe9\n', 'caf\xe9'],
    ['first\nsecond\n', 'first'],
    ['crlf\r\n', 'crlf'],
    ['inner\rcr\n', 'inner\rcr'],
    ['no newline\r', 'no newline\r'],
    ['\n', ''],
    ['', ''],
  ])('%j -> %j', (input, want) => {
    expect(line(input)).toBe(want);
  });
});

describe('a passphrase in ISO-8859-1 bytes, with gpg 2', () => {
  const UID = 'Latin One <latin1@example.invalid>';
  const PASS = Buffer.from('caf\xe9 cr\xe8me', 'latin1'); // not UTF-8
  let home: string;
  let dir: string;
  let fpr: string;
  const file = (name: string, data: Buffer | string) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };

  beforeAll(() => {
    home = gpgHome();
    dir = mkdtempSync(join(tmpdir(), 'suppack-pass-'));
    const passFile = file('made-with', PASS);
    gpgOk(home, ['--pinentry-mode', 'loopback', '--passphrase-file', passFile, '--quick-gen-key', UID, 'rsa2048', 'sign', 'never']);
    fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{40}):/m.exec(gpgOk(home, ['--with-colons', '--list-secret-keys', UID]).toString())![1]!;
  }, 120_000);
  afterAll(() => {
    removeGpgHome(home);
    rmSync(dir, { recursive: true, force: true });
  });

  test('gpg itself takes the bytes of the first line and refuses their UTF-8 reading', () => {
    const exportWith = (pass: Buffer) => gpg(home, ['--pinentry-mode', 'loopback', '--passphrase-file', file('try', pass), '--armor', '--export-secret-keys', fpr]);
    expect(exportWith(Buffer.concat([PASS, Buffer.from('\nsecond line\n')])).stdout).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    expect(exportWith(Buffer.from(PASS.toString('latin1'), 'utf8')).stdout).not.toContain('BEGIN PGP PRIVATE KEY BLOCK');
  });

  test('a key file unlocks with the passphrase file gpg reads', async () => {
    const secret = gpgOk(home, ['--pinentry-mode', 'loopback', '--passphrase-file', file('export', PASS), '--armor', '--export-secret-keys', fpr]);
    const keyFile = file('secret.asc', secret);
    const pub = file('pub.asc', gpgOk(home, ['--armor', '--export', fpr]));
    for (const pass of [PASS, Buffer.concat([PASS, Buffer.from('\n')]), Buffer.concat([PASS, Buffer.from('\r\nsecond line\n')])]) {
      const s = await loadUpdateSigning(pub, { env: {}, keyFile, passphraseFile: file('pass', pass) });
      expect(s.key.primaryFingerprint).toBe(fpr);
    }
    // its UTF-8 reading is another passphrase; the message names the file, never the bytes
    const e = await loadUpdateSigning(pub, { env: {}, keyFile, passphraseFile: file('utf8', PASS.toString('latin1')) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SuppackError);
    expect((e as Error).message).toMatch(/wrong passphrase/);
    expect((e as Error).message).not.toContain('caf');
  });

  test('a key named by user id is exported by gpg with the same bytes', async () => {
    const pub = file('pub2.asc', gpgOk(home, ['--armor', '--export', fpr]));
    const s = await loadUpdateSigning(pub, { env: { GNUPGHOME: home, PATH: process.env['PATH'] ?? '' }, keyUid: UID, passphraseFile: file('uid-pass', Buffer.concat([PASS, Buffer.from('\n')])) });
    expect(s.key.primaryFingerprint).toBe(fpr);
  });
});
