import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, test } from 'vitest';
import { UPDATE_PACKS_CANNOT_COMBINE } from '../../schemas/pack-members';
import { projectManifestSchema } from '../../schemas/manifest';
import { inferTargets } from '../../plugin/targets';
import { installerGenerator, STARTING_ANSWERFILE } from '../installer/generator';
import { parseAnswerfile } from '../../core/xenserver/installer/answerfile';
import { bundleGenerator } from './generator';

const PACK = { vendorCode: 'acme', vendorName: 'Acme', text: 'Acme', version: '1.0', productVersion: '7.0.0' };

/** A workspace with two legacy packs, an update pack, a broken manifest and a named project. */
function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  const write = (path: string, value: unknown) => tree.write(path, typeof value === 'string' ? value : JSON.stringify(value));
  write('packs/acme-nic/suppack.json', { pack: { ...PACK, label: 'acme-nic' }, prebuilt: ['x.rpm'] });
  write('packs/tools/suppack.json', { pack: { ...PACK, label: 'acme-tools' }, prebuilt: ['x.rpm'] });
  write('packs/tools/project.json', { name: 'acme-tools' });
  write('packs/upd/suppack.json', {
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1.0', description: 'u', baseRequires: 'xenserver-release >= 8.2.0' },
    prebuilt: ['x.rpm'],
  });
  write('packs/broken/suppack.json', '{ "pack": ');
  return tree;
}

const errorOf = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('nx g suppack:bundle', () => {
  test("by default every legacy pack of the workspace, by name; a manifest that validates and gets a combine-packs target", () => {
    const tree = workspace();
    bundleGenerator(tree, { name: 'acme-all' });
    const m = readJson(tree, 'bundles/acme-all/suppack.json');
    expect(m).toEqual({ kind: 'bundle', name: 'acme-all', volumeId: 'ACME-ALL', packs: ['acme-nic', 'acme-tools'] });
    const parsed = projectManifestSchema.parse(m);
    const members = new Map([
      ['acme-nic', { root: 'packs/acme-nic', manifest: projectManifestSchema.parse(readJson(tree, 'packs/acme-nic/suppack.json')) }],
      ['acme-tools', { root: 'packs/tools', manifest: projectManifestSchema.parse(readJson(tree, 'packs/tools/suppack.json')) }],
    ]);
    expect(Object.keys(inferTargets('bundles/acme-all', parsed, { members: (n) => members.get(n), projectName: 'acme-all' }))).toEqual(['combine-packs']);
    // the plugin is registered as init would
    expect(readJson(tree, 'nx.json').plugins).toEqual([expect.objectContaining({ plugin: 'suppack/plugin' })]);
  });

  test('named members, ISO files among them, keep their order', () => {
    const tree = workspace();
    bundleGenerator(tree, { name: 'b', packs: 'acme-tools, isos/vendor.iso,acme-nic', volumeId: 'ACME DRIVERS', directory: 'media/b' });
    expect(readJson(tree, 'media/b/suppack.json')).toEqual({ kind: 'bundle', name: 'b', volumeId: 'ACME DRIVERS', packs: ['acme-tools', 'isos/vendor.iso', 'acme-nic'] });
  });

  test('unknown member (with the closest project), an update pack, a duplicate: one line, nothing written', () => {
    const tree = workspace();
    expect(errorOf(() => bundleGenerator(tree, { name: 'b', packs: ['acme-nik', 'upd', 'acme-nic', 'acme-nic'] }))).toBe(
      `suppack:bundle: --packs: "acme-nik" is no suppack project of the workspace; did you mean acme-nic?; project "upd" ${UPDATE_PACKS_CANNOT_COMBINE}; "acme-nic" is listed twice`,
    );
    expect(tree.exists('bundles/b/suppack.json')).toBe(false);
  });

  test('no legacy pack in the workspace, an existing directory, bad options: each a one-line error', () => {
    expect(errorOf(() => bundleGenerator(createTreeWithEmptyWorkspace(), { name: 'b' }))).toBe(
      'suppack:bundle: --packs: the workspace has no legacy pack project to take: create one first (nx g suppack:pack), or name pack ISO files',
    );
    const tree = workspace();
    bundleGenerator(tree, { name: 'b' });
    expect(errorOf(() => bundleGenerator(tree, { name: 'b' }))).toBe('suppack:bundle: --directory: bundles/b already exists; choose another --directory or --name');
    expect(errorOf(() => bundleGenerator(tree, { name: 'c', directory: '.' }))).toBe(
      "suppack:bundle: --directory: expected a directory under the workspace root, not the root itself (it holds the workspace's own files)",
    );
    expect(errorOf(() => installerGenerator(tree, { name: 'i', baseIso: 'x.iso', directory: './' }))).toBe(
      "suppack:installer: --directory: expected a directory under the workspace root, not the root itself (it holds the workspace's own files)",
    );
    expect(tree.exists('suppack.json')).toBe(false);
    expect(errorOf(() => bundleGenerator(tree, { name: 'B!', volumeId: 'x'.repeat(40) }))).toBe(
      [
        'suppack:bundle: --name: expected lowercase letters, digits, "_" or "-", starting with a letter (it names the project and its ISO)',
        'suppack:bundle: --volumeId: expected at most 32 characters (the ISO volume id)',
      ].join('\n'),
    );
  });
});

describe('nx g suppack:installer', () => {
  test('every legacy pack by default, the answerfile written as a starting one the installer grammar accepts, a rebuild-iso target', () => {
    const tree = workspace();
    installerGenerator(tree, { name: 'acme-installer', baseIso: 'iso/xenserver.iso', answerfile: 'answerfile.xml' });
    const m = readJson(tree, 'installers/acme-installer/suppack.json');
    expect(m).toEqual({
      kind: 'installer',
      baseIso: 'iso/xenserver.iso',
      packs: ['acme-nic', 'acme-tools'],
      answerfile: 'answerfile.xml',
      output: 'acme-installer.iso',
    });
    expect(tree.read('installers/acme-installer/answerfile.xml', 'utf8')).toBe(STARTING_ANSWERFILE);
    expect(parseAnswerfile(STARTING_ANSWERFILE, 'answerfile.xml').model.warnings).toEqual([]);
    const members = new Map([
      ['acme-nic', { root: 'packs/acme-nic', manifest: projectManifestSchema.parse(readJson(tree, 'packs/acme-nic/suppack.json')) }],
      ['acme-tools', { root: 'packs/tools', manifest: projectManifestSchema.parse(readJson(tree, 'packs/tools/suppack.json')) }],
    ]);
    expect(Object.keys(inferTargets('installers/acme-installer', projectManifestSchema.parse(m), { members: (n) => members.get(n) }))).toEqual(['rebuild-iso']);
  });

  test('an existing answerfile is kept; --baseIso is required and must be an ISO inside the project', () => {
    const tree = workspace();
    tree.write('installers/i/mine.xml', '<installation/>');
    expect(errorOf(() => installerGenerator(tree, { name: 'i', baseIso: 'iso/x.iso', answerfile: 'mine.xml', packs: 'acme-nic' }))).toBe(
      'suppack:installer: --directory: installers/i already exists; choose another --directory or --name',
    );
    installerGenerator(tree, { name: 'j', baseIso: 'x.iso', packs: 'acme-nic', directory: 'installers/i2' });
    expect(readJson(tree, 'installers/i2/suppack.json').packs).toEqual(['acme-nic']);
    expect(errorOf(() => installerGenerator(tree, { name: 'k' } as never))).toBe(
      'suppack:installer: --baseIso: required, expected the installer ISO to start from (relative to the project directory)',
    );
    expect(errorOf(() => installerGenerator(tree, { name: 'k', baseIso: '../x.iso' }))).toBe(
      'suppack:installer: --baseIso: expected a path relative to the project directory, with "/" between directories and no ".." or control characters',
    );
  });
});
