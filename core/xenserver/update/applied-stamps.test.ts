/**
 * What xapi reads back on the host after an update is applied (docs/formats/xenserver.md §2.3,
 * docs/update-packs.md "What xapi reads on the host"): the update RPM is installed with the
 * hosts' own rpm (4.11.3, testing/old-rpm.ts) into a private root, scriptlets on (rpm chroots
 * into the root, so it gets a /bin/sh: dash, and bash, which is dom0's /bin/sh), and every
 * file of /var/update/applied is read with the model of xapi's parse_update_info
 * (xapi-update-info.ts). xapi itself cannot run here; its reading rules are what is modelled.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { updatePackMetadata } from '../../products/update-pack/pack';
import { addShellToRoot, privateRpmRoot, rpmInRoot } from '../../../testing/old-rpm';
import { updatePackSchema, type UpdatePackInput } from '../../../schemas/update-pack';
import { isXapiUuid, xapiParseUpdateInfo } from './xapi-update-info';
import { rolledUpStamp } from './update-xml';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-applied-stamps-'));
const roots: string[] = [];
afterAll(() => {
  for (const r of [dir, ...roots]) rmSync(r, { recursive: true, force: true });
});

const UUID = '6854ab19-f807-4444-b94f-3ce7d64efe50';
const R1 = '11111111-2222-3333-4444-555555555555';
const R2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
/** Everything a shell here-document or double quotes would have changed, and UTF-8. */
const AWKWARD = [
  'Acme NIC $HOME ${PATH} $(id) `uname` \\$ \\n 100% %s %%',
  "it's \"quoted\" <b>&amp; & < > ]]>",
  'Grüße, 日本語, 🙂\ttab',
  'EOF',
  '',
  'last line',
].join('\n');

async function installUpdate(extra: Partial<UpdatePackInput>, shell: string) {
  const pack = updatePackSchema.parse({ uuid: UUID, label: 'acme-nic', version: '3.8.7+1.xcpng8.2', description: AWKWARD, ...extra });
  const meta = await updatePackMetadata(pack, [rpms['hello-lib']!], { key: 'keys/RPM-GPG-KEY-acme' }, 1_700_000_000);
  const update = meta.generated.find((g) => g.fileName.startsWith('update-'))!;
  const file = join(dir, `${pack.uuid}-${roots.length}-${update.fileName}`);
  writeFileSync(file, update.bytes);
  const root = privateRpmRoot('4.11');
  roots.push(root);
  addShellToRoot(root, shell);
  mkdirSync(join(root, 'run'));
  // The payload's requirements are not the point: --nodeps; scriptlets stay on.
  const r = rpmInRoot('4.11', root, ['-i', '--nodeps', file]);
  expect(r.output).toBe('');
  expect(r.status).toBe(0);
  const applied = join(root, 'var/update/applied');
  const stamps = new Map(readdirSync(applied).map((n) => [n, readFileSync(join(applied, n))]));
  return { pack, meta, stamps, root };
}

describe.each([
  ['dash', '/bin/sh'],
  ['bash (dom0)', '/bin/bash'],
])('the update RPM installed by rpm 4.11.3 with %s as /bin/sh', (_name, shell) => {
  it('leaves a stamp per update that xapi reads as that update: its own (no key=) and each rolled-up one', async () => {
    const { stamps } = await installUpdate({ rollups: [R1, R2], afterApply: ['restartXAPI'] }, shell);
    expect([...stamps.keys()].sort()).toEqual([R1, R2, UUID].sort());
    for (const [name, bytes] of stamps) {
      expect(isXapiUuid(name)).toBe(true);
      const info = xapiParseUpdateInfo(bytes, name);
      expect(info.uuid).toBe(name);
      expect(info.nameLabel).toBe('acme-nic');
      expect(info.version).toBe('3.8.7+1.xcpng8.2');
      // Verbatim: $, backquotes, quotes, %, backslashes, newlines, tab and UTF-8.
      expect(info.nameDescription).toBe(AWKWARD);
      expect(info.key).toBeUndefined();
      expect(info.enforceHomogeneity).toBe(false);
      if (name === UUID) {
        expect(info.rolledUpBy).toBeUndefined();
        expect(info.afterApplyGuidance).toEqual(['restartXAPI']);
        expect(info.installationSize).toBeGreaterThan(0n);
      } else {
        expect(info.rolledUpBy).toEqual({ uuid: UUID, nameLabel: 'acme-nic' });
        expect(info.installationSize).toBe(0n);
        expect(info.afterApplyGuidance).toEqual([]);
      }
    }
  });

  it('writes each rolled-up stamp byte for byte as build-update\'s toprettyxml form', async () => {
    const { stamps } = await installUpdate({ rollups: [R1], description: 'Acme NIC driver' }, shell);
    expect(stamps.get(R1)!.toString('utf8')).toBe(
      '<update installation-size="0" name-label="acme-nic" uuid="11111111-2222-3333-4444-555555555555" version="3.8.7+1.xcpng8.2">\n' +
        '  <name-description>Acme NIC driver</name-description>\n' +
        '  <rolled-up-by name-label="acme-nic" uuid="6854ab19-f807-4444-b94f-3ce7d64efe50"/>\n' +
        '</update>\n\n',
    );
  });

  it('carries enforce-homogeneity into every stamp, which xapi re-reads at each resync', async () => {
    const { stamps, meta, root } = await installUpdate({ rollups: [R1], enforceHomogeneity: true, afterApply: ['restartHost'] }, shell);
    expect(meta.updateXml).toContain(' enforce-homogeneity="true" ');
    // build-update's posttrans held only the reboot stamp with restartHost (docs/formats/xenserver.md §2.3); here both.
    expect(readFileSync(join(root, 'run/reboot-required.hfxs'), 'utf8')).toBe(`${UUID}\n`);
    for (const [name, bytes] of stamps) expect(xapiParseUpdateInfo(bytes, name).enforceHomogeneity).toBe(true);
  });
});

describe('the xapi model (parse_update_info rules)', () => {
  const doc = (s: string) => Buffer.from(s, 'utf8');
  it('refuses what the old rolled-up stamp was: a root other than <update>', () => {
    expect(() => xapiParseUpdateInfo(doc(`<rolled-up-by name-label="a" uuid="${UUID}"/>\n`), R1)).toThrow(
      /INVALID_UPDATE "missing <update> in update.xml"/,
    );
  });
  it('needs uuid, name-label, version and a non-blank <name-description>', () => {
    expect(() => xapiParseUpdateInfo(doc('<update name-label="a" version="1"><name-description>x</name-description></update>'), 'f')).toThrow(/missing <uuid>/);
    expect(() => xapiParseUpdateInfo(doc('<update uuid="u" name-label="a" version="1"><name-description> \n</name-description></update>'), 'f')).toThrow(
      /missing <name-description>/,
    );
    expect(() => xapiParseUpdateInfo(doc('<update uuid="u" name-label="a" version="1"/>'), 'f')).toThrow(/Not_found/);
  });
  it('is lenient where xapi is: bad size → 0, unknown guidance → none, key → basename', () => {
    const info = xapiParseUpdateInfo(
      doc('<update uuid="u" name-label="a" version="1" installation-size="big" after-apply-guidance="restartHost,reboot" key="/etc/K" enforce-homogeneity="TRUE"><name-description>x</name-description></update>'),
      'f',
    );
    expect(info).toMatchObject({ installationSize: 0n, afterApplyGuidance: [], key: 'K', enforceHomogeneity: true });
    const size = (v: string) =>
      xapiParseUpdateInfo(doc(`<update uuid="u" name-label="a" version="1" installation-size="${v}"><name-description>x</name-description></update>`), 'f').installationSize;
    expect([size('1_000'), size('0x10'), size('-5'), size('9223372036854775808'), size('')]).toEqual([1000n, 16n, -5n, 0n, 0n]);
  });
  it('reads the stamp rolledUpStamp() writes', () => {
    const s = rolledUpStamp({ uuid: R1, by: { uuid: UUID, label: 'l', version: '1', description: 'd' } });
    expect(xapiParseUpdateInfo(doc(s), R1)).toMatchObject({ uuid: R1, nameLabel: 'l', version: '1', nameDescription: 'd', rolledUpBy: { uuid: UUID } });
  });
});
