import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSigningKey } from './key';
import { signDetached, armorSignature } from './sign';
import { generateKey, gpgHome, gpgOk, removeGpgHome, type GeneratedKey } from './testing';
import { detachedSignatureProblem, readPublicKeys } from './verify';

let home: string;
const keys: Record<string, GeneratedKey> = {};
beforeAll(() => {
  home = gpgHome();
  keys.rsa = generateKey(home, { uid: 'R <r@x.example>', algo: 'rsa2048', passphrase: '' });
  keys.ed = generateKey(home, { uid: 'E <e@x.example>', algo: 'ed25519', passphrase: '' });
  keys.sub = generateKey(home, { uid: 'S <s@x.example>', algo: 'ed25519', usage: 'cert', passphrase: '', subkey: 'rsa2048' });
});
afterAll(() => removeGpgHome(home));

const DATA = Buffer.from('<update name="x"/>\n');

describe.each(['rsa', 'ed', 'sub'])('detachedSignatureProblem, %s key', (name) => {
  it('accepts our signature and gpg --detach-sign (armored and binary), refuses changed data and a wrong key', () => {
    const k = keys[name]!;
    const pub = readPublicKeys(k.publicArmored, 'pub.asc');
    const ours = signDetached(readSigningKey(k.secretArmored, { source: 's.asc' }), DATA, { time: 1_700_000_000 });
    expect(detachedSignatureProblem(pub, Buffer.from(armorSignature(ours)), DATA)).toBeUndefined();
    expect(detachedSignatureProblem(pub, ours, DATA)).toBeUndefined();
    const gpgSig = gpgOk(home, ['--armor', '--detach-sign', '--local-user', k.fpr, '--output', '-'], DATA);
    expect(detachedSignatureProblem(pub, gpgSig, DATA)).toBeUndefined();
    expect(detachedSignatureProblem(pub, gpgSig, Buffer.from('<update name="y"/>\n'))).toMatch(/^BAD signature/);
    const other = readPublicKeys(keys[name === 'rsa' ? 'ed' : 'rsa']!.publicArmored, 'o.asc');
    expect(detachedSignatureProblem(other, gpgSig, DATA)).toMatch(/^made by key [0-9A-F]{16,40}, which the public key on the medium does not hold$/);
    expect(detachedSignatureProblem(pub, Buffer.from('not a signature'), DATA)).toMatch(/not a readable signature|holds no OpenPGP signature/);
  });
});
