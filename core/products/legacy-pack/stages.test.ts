import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { legacyPackSchema, type LegacyPackInput } from '../../../schemas/legacy-pack';
import { SuppackError } from '../../base/errors';
import { buildLegacyPack } from './pack';
import { buildLegacyIsoFromMetadata, writeLegacyPackMetadata } from './stages';
import { parseXsPackages } from '../../xenserver/legacy';

const rpms = inject('fixtureRpms');
const EPOCH = 1_600_000_000;
const PACK: LegacyPackInput = {
  vendorCode: 'acme',
  vendorName: 'Acme Corp.',
  label: 'acme-pack',
  text: 'Acme pack',
  version: '1.0',
  build: '7',
  memoryMb: 10,
  productVersion: '7.0.0',
};
const pack = (over: Partial<LegacyPackInput> = {}) => legacyPackSchema.parse({ ...PACK, ...over });
const NAMES = ['xs-hello', 'acme-tool', 'hello-lib', 'acme-firmware', 'acme-modules'];

/** A collect-rpms style directory holding copies of the named fixtures. */
function rpmsDir(names = NAMES) {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-stages-'));
  const rpmDir = join(dir, 'rpms');
  mkdirSync(rpmDir);
  for (const n of names) copyFileSync(rpms[n], join(rpmDir, basename(rpms[n])));
  return { dir, rpmDir };
}

async function stages(over: Partial<LegacyPackInput> = {}) {
  const { dir, rpmDir } = rpmsDir();
  const p = pack(over);
  await writeLegacyPackMetadata({ pack: p, rpmsDir: rpmDir, outDir: join(dir, 'metadata') });
  const out = await buildLegacyIsoFromMetadata({ pack: p, metadataDir: join(dir, 'metadata'), rpmsDir: rpmDir, outDir: join(dir, 'iso'), epoch: EPOCH });
  return { dir, rpmDir, out, p };
}

describe('pack-metadata then build-iso', () => {
  for (const reorder of [true, false]) {
    it(`write the bytes buildLegacyPack writes for the RPMs in file name order (reorder ${reorder})`, async () => {
      const { dir, rpmDir, out, p } = await stages({ reorder });
      const sorted = readdirSync(rpmDir).sort().map((f) => join(rpmDir, f));
      const cli = join(dir, 'cli');
      await buildLegacyPack({ pack: p, rpms: sorted, outDir: cli, epoch: EPOCH });
      expect(readdirSync(join(dir, 'iso')).sort()).toEqual(['acme-pack.iso', 'acme-pack.iso.md5', 'acme-pack.metadata.md5']);
      for (const f of ['acme-pack.iso', 'acme-pack.iso.md5', 'acme-pack.metadata.md5']) {
        expect(readFileSync(join(dir, 'iso', f)).equals(readFileSync(join(cli, f))), f).toBe(true);
      }
      expect(out.iso).toBe(join(dir, 'iso', 'acme-pack.iso'));
      const order = parseXsPackages(readFileSync(join(dir, 'metadata', 'XS-PACKAGES'), 'utf8'), 'XS-PACKAGES').map((x) => x.file);
      expect(order.indexOf('hello-lib-1.2-3.noarch.rpm') < order.indexOf('xs-hello-1.0-1.noarch.rpm')).toBe(true);
      if (!reorder) expect(order).toEqual([...order].sort());
    });
  }

  it('pack-metadata writes exactly XS-REPOSITORY and XS-PACKAGES, replacing older files', async () => {
    const { dir, rpmDir } = rpmsDir(['hello-lib']);
    mkdirSync(join(dir, 'metadata'));
    writeFileSync(join(dir, 'metadata', 'leftover'), 'x');
    await writeLegacyPackMetadata({ pack: pack(), rpmsDir: rpmDir, outDir: join(dir, 'metadata') });
    expect(readdirSync(join(dir, 'metadata')).sort()).toEqual(['XS-PACKAGES', 'XS-REPOSITORY']);
    expect(readFileSync(join(dir, 'metadata', 'XS-REPOSITORY'), 'utf8')).toMatch(/originator="acme"/);
  });

  it('refuses an RPM that changed since pack-metadata, naming XS-PACKAGES and the package', async () => {
    const { dir, rpmDir, p } = await stages();
    const victim = basename(rpms['acme-tool']);
    copyFileSync(rpms['many-files'], join(rpmDir, victim));
    const err = await buildLegacyIsoFromMetadata({ pack: p, metadataDir: join(dir, 'metadata'), rpmsDir: rpmDir, outDir: join(dir, 'iso'), epoch: EPOCH }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SuppackError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(new RegExp(`^${join(dir, 'metadata', 'XS-PACKAGES')}: package\\[\\d\\]: ${victim.replace(/[.+]/g, '\\$&')} has \\d+ bytes, the metadata says \\d+: stale metadata, run the pack-metadata target again$`));
    // the earlier ISO is still there
    expect(readdirSync(join(dir, 'iso'))).toContain('acme-pack.iso');
  });

  it('refuses an RPM of the same size with other bytes, found as it is copied into the ISO (one read), and leaves the earlier ISO', async () => {
    const { dir, rpmDir, p } = await stages();
    const victim = join(rpmDir, basename(rpms['acme-tool']));
    const before = readFileSync(join(dir, 'iso', 'acme-pack.iso'));
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(victim, bytes);
    const err = await buildLegacyIsoFromMetadata({ pack: p, metadataDir: join(dir, 'metadata'), rpmsDir: rpmDir, outDir: join(dir, 'iso'), epoch: EPOCH }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toMatch(
      new RegExp(`^${join(dir, 'metadata', 'XS-PACKAGES')}: package\\[\\d\\]: ${basename(victim).replace(/[.+]/g, '\\$&')} has md5 [0-9a-f]{32}, the metadata says [0-9a-f]{32}: stale metadata`),
    );
    expect(readFileSync(join(dir, 'iso', 'acme-pack.iso')).equals(before)).toBe(true);
    expect(readdirSync(join(dir, 'iso')).sort()).toEqual(['acme-pack.iso', 'acme-pack.iso.md5', 'acme-pack.metadata.md5']);
  });

  it('refuses an RPM XS-PACKAGES does not list, a missing one, and a pack whose metadata changed', async () => {
    const { dir, rpmDir, p } = await stages();
    const iso = (pk = p) => buildLegacyIsoFromMetadata({ pack: pk, metadataDir: join(dir, 'metadata'), rpmsDir: rpmDir, outDir: join(dir, 'iso2'), epoch: EPOCH });
    copyFileSync(rpms['many-files'], join(rpmDir, 'extra.rpm'));
    await expect(iso()).rejects.toThrow(/XS-PACKAGES: does not list extra.rpm of .*: stale, run the pack-metadata target again$/);
    writeFileSync(join(rpmDir, 'extra.rpm'), '');
    await expect(iso(pack({ label: 'other' }))).rejects.toThrow(/XS-REPOSITORY: does not match the pack metadata of the manifest: stale/);
    await expect(
      buildLegacyIsoFromMetadata({ pack: p, metadataDir: join(dir, 'nothing'), rpmsDir: rpmDir, outDir: join(dir, 'iso2'), epoch: EPOCH }),
    ).rejects.toThrow(/nothing\/XS-REPOSITORY: missing: expected the output of pack-metadata/);
    await expect(writeLegacyPackMetadata({ pack: p, rpmsDir: join(dir, 'none'), outDir: join(dir, 'm') })).rejects.toThrow(
      /none: missing: expected the RPMs of collect-rpms/,
    );
  });
});
