import { readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { expect, test } from 'vitest';
import { initGenerator } from './generator';

test('adds { plugin: "suppack" } to nx.json plugins, once', () => {
  const tree = createTreeWithEmptyWorkspace();
  initGenerator(tree, {});
  expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'suppack' }]);
  const after = tree.read('nx.json', 'utf8');
  initGenerator(tree, {});
  expect(tree.read('nx.json', 'utf8')).toBe(after);
});

test('an existing entry, string or object form with options, counts as registered', () => {
  for (const entry of ['suppack', { plugin: 'suppack', options: { targetNames: { 'build-iso': 'iso' } } }]) {
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
  expect(readNxJson(tree)?.plugins).toEqual([{ plugin: '@nx/vite/plugin', options: {} }, { plugin: 'suppack' }]);

  tree.delete('nx.json');
  initGenerator(tree, {});
  expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'suppack' }]);
});

test('unknown options are rejected', () => {
  expect(() => initGenerator(createTreeWithEmptyWorkspace(), { bogus: true } as never)).toThrow('suppack:init: unknown option: --bogus');
});
