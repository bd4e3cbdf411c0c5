/**
 * The update pack's two cached stages (pack-metadata, build-iso: what the Nx targets run) write
 * the same ISO and .sha256, signatures included, as the product's one call (buildUpdatePack: what
 * `suppack build-update` and the gulp plugin run): one product, the same outputs from every adapter.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildUpdatePack } from './pack';
import { buildUpdateIsoFromMetadata, writeUpdatePackMetadata } from './stages';
import { updatePackSchema } from '../../../schemas/update-pack';
import { generateKey, gpgHome, removeGpgHome } from '../../formats/openpgp/testing';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-update-stages-'));
const EPOCH = 1_700_000_000;
let home: string;
let secret: string;
let pub: string;
let passphrase: string;

beforeAll(() => {
  home = gpgHome();
  const k = generateKey(home, { uid: 'Acme Signing <sign@acme.example>', algo: 'rsa2048', passphrase: 'correct horse' });
  pub = join(dir, 'RPM-GPG-KEY-acme');
  secret = join(dir, 'secret.asc');
  writeFileSync(pub, k.publicArmored);
  writeFileSync(secret, k.secretArmored);
  passphrase = join(dir, 'pass');
  writeFileSync(passphrase, 'correct horse\n');
});
afterAll(() => {
  removeGpgHome(home);
  rmSync(dir, { recursive: true, force: true });
});

describe.each([false, true])('driver disk %s', (driverDisk) => {
  it('pack-metadata then build-iso write the bytes buildUpdatePack writes', async () => {
    const pack = updatePackSchema.parse({
      uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50',
      label: 'acme-fw',
      version: '2.0.1',
      description: 'Acme firmware update',
      afterApply: ['restartHost'],
      key: pub,
      driverDisk,
    });
    const payload = [rpms['acme-firmware'], rpms['hello-lib']];
    const files = { key: pub };
    const signing = { keyFile: secret, passphraseFile: passphrase };
    const root = join(dir, `disk-${driverDisk}`);

    const oneCall = join(root, 'cli');
    mkdirSync(oneCall, { recursive: true });
    const expected = await buildUpdatePack({ pack, rpms: payload, files, signing, output: oneCall, epoch: EPOCH });

    const rpmsDir = join(root, 'rpms');
    mkdirSync(rpmsDir, { recursive: true });
    for (const r of payload) copyFileSync(r, join(rpmsDir, basename(r)));
    await writeUpdatePackMetadata({ pack, rpmsDir, files, epoch: EPOCH, outDir: join(root, 'metadata') });
    const staged = await buildUpdateIsoFromMetadata({ pack, rpmsDir, files, epoch: EPOCH, metadataDir: join(root, 'metadata'), outDir: join(root, 'iso'), signing });

    expect(readdirSync(join(root, 'iso')).sort()).toEqual([basename(expected.iso), `${basename(expected.iso)}.sha256`].sort());
    expect(readFileSync(staged.iso).equals(readFileSync(expected.iso))).toBe(true);
    expect(readFileSync(staged.sha256, 'utf8')).toBe(readFileSync(`${expected.iso}.sha256`, 'utf8'));
  });
});
