/**
 * `nx g suppack:bundle <name>`: a bundle project (the DDK's combine-supplemental-packs.sh) whose
 * suppack.json combines the workspace's legacy packs (--packs, default every one) into one ISO.
 */
import { posix } from 'node:path';
import type { Tree } from '@nx/devkit';
import { bundleGeneratorSchema, type BundleGeneratorOptions } from '../../schemas/generators';
import { MANIFEST_FILE, projectManifestSchema } from '../../schemas/manifest';
import { parseWithSchema } from '../../schemas/parse';
import { initGenerator } from '../init/generator';
import { assertFreeDirectory, pickMembers } from '../workspace-packs';

const WHERE = 'suppack:bundle';

export function bundleGenerator(tree: Tree, options: BundleGeneratorOptions): void {
  const o = parseWithSchema(bundleGeneratorSchema, options, { file: WHERE, field: (p) => `--${p.join('.')}` });
  const directory = posix.normalize(o.directory ?? `bundles/${o.name}`).replace(/\/+$/, '');
  assertFreeDirectory(tree, directory, { file: WHERE, field: '--directory' });
  const packs = pickMembers(tree, o.packs, { file: WHERE, field: '--packs' });
  initGenerator(tree, {});
  const manifest = { kind: 'bundle', name: o.name, volumeId: o.volumeId ?? o.name.toUpperCase().slice(0, 32), packs };
  const file = posix.join(directory, MANIFEST_FILE);
  parseWithSchema(projectManifestSchema, manifest, { file });
  tree.write(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

export default bundleGenerator;
