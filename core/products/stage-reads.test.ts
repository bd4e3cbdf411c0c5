import { expect, test } from 'vitest';
import { manifestSchema } from '../../schemas/manifest';
import { allowedTreeOf, guardManifest, MANIFEST_READS } from './stage-reads';

const manifest = manifestSchema.parse({
  pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme NIC', version: '1.0', productVersion: '7.0.0' },
  rpms: [{ spec: 's.spec', version: '1.0' }],
});

test('a stage reads what its target hashes; anything else is an internal error naming the field', () => {
  const m = guardManifest(manifest, 'bundle');
  expect(m.pack.label).toBe('acme-nic');
  expect(m.format).toBe('legacy');
  expect(() => (m.pack as { text?: string }).text).toThrow('internal error: the bundle stage read pack.text of suppack.json, which its target does not hash (core/products/stage-reads.ts); please report it');
  expect(() => m.rpms).toThrow(/the bundle stage read rpms of suppack.json/);
  // spreading shows only what the stage may read
  expect(Object.keys({ ...m }).sort()).toEqual(['format', 'kind', 'pack']);
  expect(Object.keys({ ...m.pack })).toEqual(['label']);
});

test('a path names a whole subtree: pack-metadata reads all of pack, build-srctarballs all of rpms', () => {
  expect(guardManifest(manifest, 'pack-metadata').pack).toEqual(manifest.pack);
  expect(guardManifest(manifest, 'build-srctarballs').rpms).toEqual(manifest.rpms);
  expect(MANIFEST_READS['build-srctarballs']).toContain('rpms');
});

test('fields the manifest leaves out read as undefined, as without the guard', () => {
  const m = guardManifest(manifest, 'render-spec');
  expect(m.statusReport).toBeUndefined();
  expect((m.pack as { uuid?: string }).uuid).toBeUndefined();
});

test('a path under a subtree already allowed adds nothing elsewhere; a subtree after its parts covers them', () => {
  expect([...allowedTreeOf(['pack', 'pack.label']).keys()]).toEqual(['pack']);
  expect(allowedTreeOf(['pack', 'pack.label']).get('pack')).toBe(true);
  const t = allowedTreeOf(['pack.label', 'pack.version']);
  expect([...(t.get('pack') as Map<string, unknown>).keys()]).toEqual(['label', 'version']);
});
