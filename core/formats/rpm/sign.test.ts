import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readSigningKey, type SigningKey } from '../openpgp';
import { generateKey, gpgHome, gpgOk, removeGpgHome } from '../openpgp/testing';
import { decodeHeader } from './header';
import { encodeHeader, type HeaderInput, padTo8 } from './header-write';
import { LEAD_SIZE } from './lead';
import { readRpm } from './read';
import { signRpm } from './sign';
import { REGION_TAG, SIG_TAG } from './tags';
import { rpmQuery } from './testing';
import { writeRpm } from './write';

const rpms = inject('fixtureRpms');
let dir: string;
let home: string;
const keys: Record<'rsa' | 'ed25519', { key: SigningKey; pub: string }> = {} as never;

function rpm(dbpath: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync('rpm', ['--dbpath', dbpath, ...args], { env: { ...process.env, LC_ALL: 'C' } });
  return { status: r.status, out: r.stdout.toString() + r.stderr.toString() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-rpmsign-'));
  home = gpgHome();
  for (const [algo, name] of [['rsa2048', 'rsa'], ['ed25519', 'ed25519']] as const) {
    const gen = generateKey(home, { uid: `RPM ${name} <rpm-${name}@example.com>`, algo, passphrase: 'pw' });
    const pub = join(dir, `${name}.pub.asc`);
    writeFileSync(pub, gen.publicArmored);
    keys[name] = { key: readSigningKey(gen.secretArmored, { source: 'k.asc', passphrase: 'pw' }), pub };
  }
  await writeRpm(
    {
      name: 'native-hello',
      version: '1.0',
      release: '1',
      arch: 'noarch',
      summary: 'native',
      description: 'made by core/formats/rpm/write.ts',
      license: 'MIT',
      buildTime: 1700000000,
      files: [{ path: '/opt/native/hello.txt', mode: 0o100644, content: Buffer.from('hello\n') }],
    },
    join(dir, 'native-hello-1.0-1.noarch.rpm'),
  );
});
afterAll(() => {
  removeGpgHome(home);
  rmSync(dir, { recursive: true, force: true });
});

const inputs = (): Array<[string, string]> => [
  ['fixture xs-hello', rpms['xs-hello']!],
  ['core/formats/rpm/write.ts output', join(dir, 'native-hello-1.0-1.noarch.rpm')],
];

describe.each(['rsa', 'ed25519'] as const)('signRpm with an %s key', (algo) => {
  it.each([0, 1])('input %i: rpm -Kv verifies the header signature, bytes and size are kept', async (i) => {
    const [label, input] = inputs()[i]!;
    const { key, pub } = keys[algo];
    const out = join(dir, `${algo}-${i}.signed.rpm`);
    const time = key.created + 60;
    await signRpm(input, out, key, time);

    const before = readFileSync(input);
    const after = readFileSync(out);
    const a = await readRpm(input);
    const b = await readRpm(out);
    expect(after.length, label).toBe(before.length);
    expect(b.headerRange).toEqual(a.headerRange);
    expect(after.subarray(0, LEAD_SIZE).equals(before.subarray(0, LEAD_SIZE))).toBe(true);
    expect(after.subarray(a.headerRange.start).equals(before.subarray(a.headerRange.start))).toBe(true);

    const sig = decodeHeader(after, LEAD_SIZE, 'signature');
    const tag = algo === 'rsa' ? SIG_TAG.RSA : SIG_TAG.DSA;
    const packet = sig.bin(tag)!;
    expect(packet).toBeDefined();
    expect(sig.has(algo === 'rsa' ? SIG_TAG.DSA : SIG_TAG.RSA)).toBe(false);
    const oldSig = decodeHeader(before, LEAD_SIZE, 'signature');
    // As rpmsign: the header keeps its size (even without the pad to 8); RESERVEDSPACE pays for the
    // packet and its index entry, give or take the alignment pads of the INT32 tags.
    expect(sig.end).toBe(oldSig.end);
    const shrink = oldSig.bin(SIG_TAG.RESERVEDSPACE)!.length - sig.bin(SIG_TAG.RESERVEDSPACE)!.length;
    expect(Math.abs(shrink - packet.length - 16)).toBeLessThan(8);
    for (const t of [SIG_TAG.SHA1, SIG_TAG.SHA256, SIG_TAG.SIZE, SIG_TAG.MD5, SIG_TAG.PAYLOADSIZE]) {
      expect(sig.entries.get(t)?.value, `tag ${t}`).toEqual(oldSig.entries.get(t)?.value);
    }
    const listed = gpgOk(home, ['--list-packets'], packet).toString();
    expect(listed).toContain(`version 4, created ${time}, md5len 0, sigclass 0x00`);

    const db = mkdtempSync(join(dir, 'db-'));
    const unknown = rpm(db, ['-Kv', out]);
    expect(unknown.out).toContain(`key ID ${key.keyId.slice(-8).toLowerCase()}: NOKEY`);
    const imp = rpm(db, ['--import', pub]);
    expect(imp.status, imp.out).toBe(0);
    const k = rpm(db, ['-Kv', out]);
    expect(k.status, k.out).toBe(0);
    const name = algo === 'rsa' ? 'RSA' : 'EdDSA';
    expect(k.out).toContain(`Header V4 ${name}/SHA256 Signature, key ID ${key.keyId.slice(-8).toLowerCase()}: OK`);
    expect(k.out).not.toMatch(/NOKEY|BAD|NOTTRUSTED|NOTFOUND/);
    expect(rpmQuery(out, '%{NAME}')).toBe(rpmQuery(input, '%{NAME}'));
    expect(rpmQuery(out, '%{SIGPGP:pgpsig}|%{DSAHEADER:pgpsig}|%{RSAHEADER:pgpsig}')).toContain(key.keyId.slice(-16).toLowerCase());
  });
});

describe('signRpm edge cases', () => {
  it('is deterministic and replaces an existing signature instead of adding one', async () => {
    const { key } = keys.rsa;
    const input = rpms['xs-hello']!;
    const once = join(dir, 'once.rpm');
    const twice = join(dir, 'twice.rpm');
    await signRpm(input, once, key, key.created);
    await signRpm(once, twice, key, key.created);
    expect(readFileSync(twice).equals(readFileSync(once))).toBe(true);
    const ed = join(dir, 'resigned-ed.rpm');
    await signRpm(once, ed, keys.ed25519.key, keys.ed25519.key.created);
    const sig = decodeHeader(readFileSync(ed), LEAD_SIZE, 'signature');
    expect(sig.has(SIG_TAG.RSA)).toBe(false);
    expect(sig.has(SIG_TAG.DSA)).toBe(true);
    expect(statSync(ed).size).toBe(statSync(input).size);
  });

  it('signs in place when output equals input', async () => {
    const { key, pub } = keys.rsa;
    const path = join(dir, 'inplace.rpm');
    copyFileSync(rpms['hello-lib']!, path);
    await signRpm(path, path, key, key.created);
    const db = mkdtempSync(join(dir, 'db-'));
    rpm(db, ['--import', pub]);
    const k = rpm(db, ['-Kv', path]);
    expect(k.status, k.out).toBe(0);
    expect(k.out).toContain('RSA/SHA256 Signature');
  });

  it('rebuilds the signature header at its natural size when there is no reserved space', async () => {
    const { key, pub } = keys.rsa;
    const input = join(dir, 'native-hello-1.0-1.noarch.rpm');
    const buf = readFileSync(input);
    const info = await readRpm(input);
    // The same RPM with a signature header that has no RESERVEDSPACE (1008).
    const old = decodeHeader(buf, LEAD_SIZE, 'signature');
    const entries: HeaderInput[] = [...old.entries.values()]
      .filter((e) => e.tag !== REGION_TAG.HEADERSIGNATURES && e.tag !== SIG_TAG.RESERVEDSPACE)
      .map((e) => ({ tag: e.tag, type: e.type, value: e.value }) as HeaderInput);
    const sigHeader = padTo8(encodeHeader(entries, REGION_TAG.HEADERSIGNATURES));
    const stripped = join(dir, 'noreserve.rpm');
    writeFileSync(stripped, Buffer.concat([buf.subarray(0, LEAD_SIZE), sigHeader, buf.subarray(info.headerRange.start)]));
    const a = await readRpm(stripped);
    expect(a.headerRange.start).toBe(LEAD_SIZE + sigHeader.length);

    const out = join(dir, 'noreserve.signed.rpm');
    await signRpm(stripped, out, key, key.created);
    const signed = readFileSync(out);
    const b = await readRpm(out);
    const packet = decodeHeader(signed, LEAD_SIZE, 'signature').bin(SIG_TAG.RSA)!;
    const growth = b.headerRange.start - a.headerRange.start;
    expect(Math.abs(growth - (packet.length + 16))).toBeLessThan(16);
    expect(signed.subarray(b.headerRange.start).equals(buf.subarray(info.headerRange.start))).toBe(true);
    expect(decodeHeader(signed, LEAD_SIZE, 'signature').has(SIG_TAG.RESERVEDSPACE)).toBe(false);
    const db = mkdtempSync(join(dir, 'db-'));
    rpm(db, ['--import', pub]);
    const k = rpm(db, ['-Kv', out]);
    expect(k.status, k.out).toBe(0);
    expect(k.out).toContain('RSA/SHA256 Signature');
  });

  it('names the input when it is not an RPM, and writes nothing', async () => {
    const bad = join(dir, 'bad.rpm');
    writeFileSync(bad, 'not an rpm');
    const out = join(dir, 'bad.signed.rpm');
    await expect(signRpm(bad, out, keys.rsa.key, 0)).rejects.toThrow(new RegExp(`^${bad}: lead: not an RPM file`));
    expect(() => statSync(out)).toThrow();
  });
});
