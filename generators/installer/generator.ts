/**
 * `nx g suppack:installer <name> --baseIso=iso/xenserver.iso`: an installer project (the DDK's
 * rebuild-iso.sh) whose suppack.json rebuilds that installer ISO with the workspace's legacy packs
 * (--packs, default every one) and, with --answerfile, an answerfile (a starting one is written
 * when the file is not there yet).
 */
import { posix } from 'node:path';
import type { Tree } from '@nx/devkit';
import { installerGeneratorSchema, type InstallerGeneratorOptions } from '../../schemas/generators';
import { MANIFEST_FILE, projectManifestSchema } from '../../schemas/manifest';
import { parseWithSchema } from '../../schemas/parse';
import { initGenerator } from '../init/generator';
import { assertFreeDirectory, pickMembers } from '../workspace-packs';

const WHERE = 'suppack:installer';

/**
 * A first answerfile: a fresh install on the first disk with DHCP on eth0, the root password
 * locked ("!" as its hash: set one before use). docs/answerfile.md lists every element.
 */
export const STARTING_ANSWERFILE = `<?xml version="1.0"?>
<installation mode="fresh" srtype="ext">
  <primary-disk>sda</primary-disk>
  <keymap>us</keymap>
  <root-password type="hash">!</root-password>
  <source type="local"/>
  <admin-interface name="eth0" proto="dhcp"/>
  <timezone>UTC</timezone>
</installation>
`;

export function installerGenerator(tree: Tree, options: InstallerGeneratorOptions): void {
  const o = parseWithSchema(installerGeneratorSchema, options, { file: WHERE, field: (p) => `--${p.join('.')}` });
  const directory = posix.normalize(o.directory ?? `installers/${o.name}`).replace(/\/+$/, '');
  assertFreeDirectory(tree, directory, { file: WHERE, field: '--directory' });
  const packs = pickMembers(tree, o.packs, { file: WHERE, field: '--packs' });
  initGenerator(tree, {});
  const manifest = {
    kind: 'installer',
    baseIso: o.baseIso,
    packs,
    ...(o.answerfile !== undefined ? { answerfile: o.answerfile } : {}),
    ...(o.volumeId !== undefined ? { volumeId: o.volumeId } : {}),
    output: `${o.name}.iso`,
  };
  const file = posix.join(directory, MANIFEST_FILE);
  parseWithSchema(projectManifestSchema, manifest, { file });
  tree.write(file, `${JSON.stringify(manifest, null, 2)}\n`);
  if (o.answerfile !== undefined && !tree.exists(posix.join(directory, o.answerfile))) {
    tree.write(posix.join(directory, o.answerfile), STARTING_ANSWERFILE);
  }
}

export default installerGenerator;
