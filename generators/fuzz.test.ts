/**
 * The generators under options drawn from their own schemas (testing/fuzz/arbitrary.ts: odd but
 * valid names, versions, paths and hostile text where an option takes any): each run either
 * refuses with one line and writes nothing, or writes a project that works: its files under its
 * own directory (and the plugin in nx.json), a suppack.json the schema accepts, and targets that
 * hold what the fuzz suite checks of every inference (testing/fuzz/target-invariants.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { isSuppackError } from '../core/base/errors';
import { parseProjectManifestText } from '../core/products/manifest-file';
import { inferTargets } from '../plugin/targets';
import { bundleGeneratorSchema, installerGeneratorSchema, packGeneratorSchema } from '../schemas/generators';
import type { z } from 'zod';
import { random, seedOf } from '../testing/random';
import { arbitraryDocument, valuePool } from '../testing/fuzz/arbitrary';
import { targetProblems } from '../testing/fuzz/target-invariants';
import { bundleGenerator } from './bundle/generator';
import { installerGenerator } from './installer/generator';
import { packGenerator } from './pack/generator';

const CASES = 120;
const scratch = mkdtempSync(join(tmpdir(), 'suppack-generator-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Options as users give them, whose values the drawn ones start from. */
const pool = valuePool(
  [
    { name: 'acme-nic', type: 'driver', format: 'legacy', vendorCode: 'acme', vendorName: 'Acme Corporation', text: 'Acme NIC', packVersion: '1.0', productVersion: '7.0.0', kernel: '4.19.0+1', kernelBuildDir: '/usr/src/linux-headers-4.19.0+1', directory: 'packs/acme-nic' },
    { name: 'acme-tools', type: 'userspace', format: 'update', vendorName: 'Acme', text: 'Acme tools', packVersion: '1.0.0', uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', kernelDevelRpm: 'kernels/kernel-devel-4.19.19-8.0.20.x86_64.rpm' },
    { name: 'acme-all', packs: 'acme-nic', volumeId: 'ACME ALL', directory: 'bundles/acme-all' },
    { name: 'acme-installer', baseIso: 'iso/xenserver.iso', packs: ['acme-nic'], answerfile: 'answerfile.xml', directory: 'installers/acme' },
  ].map((o) => Buffer.from(JSON.stringify(o))),
);

/** A workspace with one legacy pack, acme-nic, for bundles and installers to name. */
async function workspace(): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace();
  await packGenerator(tree, { name: 'acme-nic', type: 'driver', vendorCode: 'acme', vendorName: 'Acme', text: 'Acme NIC', kernel: '4.19.0+1' });
  return tree;
}

const generators: Array<[string, z.ZodType, (tree: Tree, options: never) => unknown]> = [
  ['pack', packGeneratorSchema, packGenerator],
  ['bundle', bundleGeneratorSchema, bundleGenerator],
  ['installer', installerGeneratorSchema, installerGenerator],
];

describe.each(generators)('%s generator, options drawn from its schema', (name, schema, generate) => {
  it(`${CASES} cases: a one-line refusal that writes nothing, or a project that validates and infers sound targets`, async () => {
    let made = 0;
    for (let i = 0; i < CASES; i++) {
      const { value: options } = arbitraryDocument(schema, random(seedOf('generators', name, i)), pool);
      const what = `case ${i}: ${JSON.stringify(options).slice(0, 300)}`;
      const tree = await workspace();
      const before = new Set(tree.listChanges().map((c) => c.path));
      const nxJson = tree.read('nx.json', 'utf8');
      try {
        await generate(tree, options as never);
      } catch (e) {
        expect(isSuppackError(e), `${what}: ${String(e)}`).toBe(true);
        expect((e as Error).message.split('\n').length, what).toBe(1);
        expect(tree.listChanges().map((c) => c.path).filter((p) => !before.has(p)), what).toEqual([]);
        expect(tree.read('nx.json', 'utf8'), what).toBe(nxJson);
        continue;
      }
      made++;
      const written = tree.listChanges().map((c) => c.path).filter((p) => !before.has(p));
      const manifests = written.filter((p) => posix.basename(p) === 'suppack.json');
      expect(manifests, what).toHaveLength(1);
      const root = posix.dirname(manifests[0]!);
      expect(written.filter((p) => !p.startsWith(`${root}/`)), what).toEqual([]);
      const manifest = parseProjectManifestText(tree.read(manifests[0]!, 'utf8')!, manifests[0]!);
      const member = parseProjectManifestText(tree.read('packs/acme-nic/suppack.json', 'utf8')!, 'packs/acme-nic/suppack.json');
      const targets = inferTargets(root, manifest, { members: (n) => (n === 'acme-nic' ? { root: 'packs/acme-nic', manifest: member } : undefined) });
      expect(targetProblems(targets, scratch), what).toEqual([]);
    }
    // the drawn options are mostly ones the generator takes
    expect(made, name).toBeGreaterThan(CASES / 3);
  }, 120_000);
});
