/**
 * Computing the project graph loads the plugin alone: `suppack/plugin` pulls in the schemas and
 * core/graph.ts and the six small modules behind it (errors, opening an input, the manifest reader, the stage directories, the stage descriptors, member resolution), never the pipelines (ISO, RPM, installer code) or @nx/devkit before
 * Nx calls it. Checked on the build (dist/), as Nx loads it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DIST, loadedBy } from '../testing/loaded';

test('suppack/plugin loads no pipeline code and no @nx/devkit', () => {
  expect(existsSync(join(DIST, 'plugin/index.js')), 'run npm run build first').toBe(true);
  const loaded = loadedBy('plugin/index.js');
  const ours = loaded.filter((p) => p.startsWith(DIST)).map((p) => p.slice(DIST.length + 1));
  expect(ours.filter((p) => p.startsWith('core/')).sort()).toEqual([
    'core/base/errors.js',
    'core/base/open-input.js',
    'core/base/printable.js',
    'core/graph.js',
    'core/products/layout.js',
    'core/products/manifest-file.js',
    'core/products/members.js',
    'core/products/stages.js',
  ]);
  expect(ours.every((p) => /^(plugin|schemas|core)\//.test(p))).toBe(true);
  expect(loaded.filter((p) => p.includes('/node_modules/@nx/') || p.includes('/node_modules/nx/'))).toEqual([]);
});

test('the package root (library users, and "plugin": "suppack") loads without touching @nx/devkit', () => {
  const loaded = loadedBy('index.js');
  expect(loaded.filter((p) => p.includes('/node_modules/@nx/') || p.includes('/node_modules/nx/'))).toEqual([]);
});
