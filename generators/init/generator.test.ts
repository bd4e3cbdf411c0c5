import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { expect, test } from 'vitest';
import { parsePluginOptions, STAGES } from '../../schemas/plugin-options';
import { initGenerator } from './generator';

const ENTRY = {
  plugin: 'suppack/plugin',
  options: {
    renderSpecTargetName: 'render-spec',
    buildSrctarballsTargetName: 'build-srctarballs',
    buildRpmsTargetName: 'build-rpms',
    collectRpmsTargetName: 'collect-rpms',
    lintTargetName: 'lint',
    packMetadataTargetName: 'pack-metadata',
    buildIsoTargetName: 'build-iso',
    bundleTargetName: 'bundle',
    combinePacksTargetName: 'combine-packs',
    rebuildIsoTargetName: 'rebuild-iso',
  },
};

test('adds the plugin from its own subpath with every target name written out, once', () => {
  const tree = createTreeWithEmptyWorkspace();
  initGenerator(tree, {});
  expect(readNxJson(tree)?.plugins).toEqual([ENTRY]);
  // the options it writes are valid and name every stage as itself
  expect(parsePluginOptions(ENTRY.options)).toEqual(Object.fromEntries(STAGES.map((s) => [s, s])));
  const after = tree.read('nx.json', 'utf8');
  initGenerator(tree, {});
  expect(tree.read('nx.json', 'utf8')).toBe(after);
});

test('an existing entry, "suppack" or "suppack/plugin", string or object form with options, counts as registered', () => {
  for (const entry of ['suppack', 'suppack/plugin', { plugin: 'suppack', options: { buildIsoTargetName: 'iso' } }, { plugin: 'suppack/plugin' }]) {
    const tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx/js', entry] });
    initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual(['@nx/js', entry]);
  }
});

test('keeps the other plugins and adds nx.json when there is none', () => {
  const tree = createTreeWithEmptyWorkspace();
  updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/vite/plugin', options: {} }] });
  initGenerator(tree, {});
  expect(readNxJson(tree)?.plugins).toEqual([{ plugin: '@nx/vite/plugin', options: {} }, ENTRY]);

  tree.delete('nx.json');
  initGenerator(tree, {});
  expect(readNxJson(tree)?.plugins).toEqual([ENTRY]);
});

test('unknown options are rejected', () => {
  expect(() => initGenerator(createTreeWithEmptyWorkspace(), { bogus: true } as never)).toThrow('suppack:init: unknown option: --bogus');
});

test('generators.json: init is hidden, of x-type init (run by nx add, not listed)', () => {
  const generators = JSON.parse(readFileSync(join(__dirname, '../../generators.json'), 'utf8')) as { generators: Record<string, unknown> };
  expect(generators.generators.init).toMatchObject({ hidden: true, 'x-type': 'init' });
});
