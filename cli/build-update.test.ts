/**
 * `suppack build-update` with build-update's own flags (docs/formats/xenserver.md §2.1): --rollups=U1,U2, and
 * -k/--key naming a key in the gpg keyring (GnuPG 2.1+, a throwaway GNUPGHOME). The ISO is read
 * back with bsdtar and its update.xml compared byte for byte with build-update's form.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildUpdateCommand } from './build-update';
import { UsageError } from './args';
import { isSuppackError } from '../core/base/errors';
import { generateKey, gpgHome, gpgVerify, removeGpgHome } from '../core/formats/openpgp/testing';
import { run } from '../core/formats/rpm/testing';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-cli-build-update-'));
const UUID = '6854ab19-f807-4444-b94f-3ce7d64efe50';
const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const UID = 'Example Updates (update) <>';
let home: string;
let pub: string;
let pass: string;

beforeAll(() => {
  home = gpgHome();
  const k = generateKey(home, { uid: UID, algo: 'rsa2048', passphrase: 'correct horse' });
  pub = join(dir, 'RPM-GPG-KEY-XS-DDK-TEST');
  writeFileSync(pub, k.publicArmored);
  pass = join(dir, 'pass');
  writeFileSync(pass, 'correct horse\n');
});
afterAll(() => {
  removeGpgHome(home);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(b));
  err.on('data', (b: Buffer) => errChunks.push(b));
  // What cli/main.ts prints for each kind of error (its require() of the command is not for vitest).
  try {
    const code = await buildUpdateCommand(argv, out, err);
    return { code, stdout: Buffer.concat(chunks).toString(), stderr: Buffer.concat(errChunks).toString() };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: '', stderr: `suppack build-update: ${e.message}\n` };
    if (isSuppackError(e)) return { code: 1, stdout: '', stderr: `suppack: error: ${e.message}\n` };
    throw e;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const base = (out: string) => ['--uuid', UUID, '-l', 'example', '-v', '1.0.0', '-d', 'An Example Pack', '-o', out];

function extract(iso: string, name: string): string {
  const to = join(dir, name);
  mkdirSync(to, { recursive: true });
  run('bsdtar', ['-xf', iso, '-C', to]);
  return to;
}

describe('suppack build-update --rollups=U1,U2', () => {
  it("builds, and update.xml is build-update's bytes: a <rollsup> per UUID carrying this update's label", async () => {
    const iso = join(dir, 'rollups.iso');
    const r = await cli([...base(iso), '--base-requires', 'product-version=8.2.0', `--rollups=${U1},${U2}`, rpms['hello-lib']!]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const x = extract(iso, 'rollups');
    const size = run('rpm', ['-qp', '--qf', '%{SIZE}', rpms['hello-lib']!]).trim();
    expect(readFileSync(join(x, 'update.xml'), 'utf8')).toBe(
      `  <update control="control-example" installation-size="${size}" name-label="example" uuid="${UUID}" version="1.0.0">\n` +
        '  <name-description>An Example Pack</name-description>\n' +
        `  <rollsup name-label="example" uuid="${U1}"/>\n` +
        `  <rollsup name-label="example" uuid="${U2}"/>\n` +
        '  </update>\n',
    );
  });

  it('refuses the old --rollup=UUID:LABEL with what to pass instead, and names a bad item', async () => {
    const old = await cli([...base(join(dir, 'x.iso')), `--rollup=${U1}:old`, rpms['hello-lib']!]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('--rollup: gone; give the rolled-up updates as --rollups=UUID,UUID');
    const bad = await cli([...base(join(dir, 'y.iso')), `--rollups=${U1},NOT-A-UUID`, rpms['hello-lib']!]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('suppack: error: --rollups (item 2): expected a lowercase UUID such as 6854ab19-f807-4444-b94f-3ce7d64efe50 (build-update accepts lowercase only)\n');
  });

  it('writes enforce-homogeneity="true" with --enforce-homogeneity', async () => {
    const iso = join(dir, 'homog.iso');
    const r = await cli([...base(iso), '--enforce-homogeneity', rpms['hello-lib']!]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(extract(iso, 'homog'), 'update.xml'), 'utf8')).toMatch(/^ {2}<update enforce-homogeneity="true" installation-size="\d+" name-label="example"/);
  });
});

describe('suppack build-update over an earlier build of another kind', () => {
  it("removes the legacy pack's .iso.md5 left beside the ISO it replaces, and says so on stderr", async () => {
    const out = join(dir, 'family');
    mkdirSync(out);
    writeFileSync(join(out, 'example.iso'), 'a legacy pack');
    writeFileSync(join(out, 'example.iso.md5'), '0123456789abcdef0123456789abcdef  example.iso\n');
    const r = await cli([...base(join(out, 'example.iso')), rpms['hello-lib']!]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`suppack: removed ${join(out, 'example.iso.md5')}: an earlier build's under this name, not part of the set written now\n`);
    expect(readdirSync(out).sort()).toEqual(['example.iso', 'example.iso.sha256']);
  });
});

describe('suppack build-update -o in a place no directory can be made', () => {
  // Node's recursive mkdir never returns for a path under /proc; the output's directory is made
  // with core/base/make-dir.ts, so the command ends with an error naming that directory.
  it('-o under /proc: one error line naming the directory, exit 1', async () => {
    const r = await cli([...base('/proc/suppack-no-such/u.iso'), rpms['hello-lib']!]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'suppack: error: /proc/suppack-no-such: cannot write output: no such file or directory\n' });
  });
});

describe('suppack build-update -k UID (a key in the gpg keyring, as build-update takes it)', () => {
  it('looks the key up with gpg and signs with it', async () => {
    const iso = join(dir, 'signed.iso');
    const r = await cli([...base(iso), '--key', UID, '--keyfile', pub, '--passphrase-file', pass, rpms['hello-lib']!], { GNUPGHOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const x = extract(iso, 'signed');
    expect(gpgVerify(readFileSync(pub), readFileSync(join(x, 'update.xml.asc')), readFileSync(join(x, 'update.xml'))).status).toBe(0);
    expect(readFileSync(join(x, 'update.xml'), 'utf8')).toContain(' key="RPM-GPG-KEY-XS-DDK-TEST" ');
  });

  it('says which user id gpg does not have, or that the passphrase is missing, and never prints key bytes', async () => {
    const none = await cli([...base(join(dir, 'n.iso')), '-k', 'nobody@example.invalid', '--keyfile', pub, '--passphrase-file', pass, rpms['hello-lib']!], { GNUPGHOME: home });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^suppack: error: -k\/--key: gpg exported no secret key for "nobody@example.invalid"/);
    const noPass = await cli([...base(join(dir, 'p.iso')), '-k', UID, '--keyfile', pub, '--no-passphrase', rpms['hello-lib']!], { GNUPGHOME: home });
    expect(noPass.code).toBe(1);
    expect(noPass.stderr).toContain('the key is protected, give its passphrase');
    for (const r of [none, noPass]) {
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).not.toContain('PRIVATE KEY');
    }
  });

  // The Nx targets and gulp take no key option: SUPPACK_SIGNING_KEY_ID names a key in the keyring.
  it('SUPPACK_SIGNING_KEY_ID does what -k UID does, for the Nx targets and gulp; an unknown id names the variable', async () => {
    const iso = join(dir, 'env-uid.iso');
    const env = { GNUPGHOME: home, SUPPACK_SIGNING_KEY_ID: UID, SUPPACK_SIGNING_PASSPHRASE_FILE: pass };
    const r = await cli([...base(iso), '--keyfile', pub, rpms['hello-lib']!], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const x = extract(iso, 'env-uid');
    expect(gpgVerify(readFileSync(pub), readFileSync(join(x, 'update.xml.asc')), readFileSync(join(x, 'update.xml'))).status).toBe(0);
    const none = await cli([...base(join(dir, 'env-none.iso')), '--keyfile', pub, rpms['hello-lib']!], { ...env, SUPPACK_SIGNING_KEY_ID: 'nobody@example.invalid' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^suppack: error: \$SUPPACK_SIGNING_KEY_ID: gpg exported no secret key for "nobody@example.invalid"/);
    const both = await cli([...base(join(dir, 'env-both.iso')), '--keyfile', pub, rpms['hello-lib']!], { ...env, SUPPACK_SIGNING_KEY: pub });
    expect(both).toEqual({ code: 1, stdout: '', stderr: `suppack: error: ${pub}: both SUPPACK_SIGNING_KEY and SUPPACK_SIGNING_KEY_ID are set: set one of them\n` });
  });

  it('says so when gpg is not installed', async () => {
    const empty = join(dir, 'no-bin');
    mkdirSync(empty, { recursive: true });
    const r = await cli([...base(join(dir, 'g.iso')), '-k', UID, '--keyfile', pub, '--passphrase-file', pass, rpms['hello-lib']!], { GNUPGHOME: home, PATH: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a file, and gpg is not installed to look it up');
  });
});
