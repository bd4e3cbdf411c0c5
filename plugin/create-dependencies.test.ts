import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateDependenciesContext } from '@nx/devkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createDependencies } from './create-dependencies';

let ws: string;
beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'suppack-deps-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const write = (rel: string, value: unknown) => {
  mkdirSync(dirname(join(ws, rel)), { recursive: true });
  writeFileSync(join(ws, rel), typeof value === 'string' ? value : JSON.stringify(value));
};
const manifest = (label: string, requires: Array<{ originator: string; name: string }> = []) => ({
  pack: {
    vendorCode: 'acme',
    vendorName: 'Acme',
    label,
    text: label,
    version: '1.0',
    productVersion: '7.0.0',
    requires: requires.map((r) => ({ ...r, test: 'ge', version: '1.0' })),
  },
  prebuilt: ['x.rpm'],
});

/** A context with these projects (name → root), each owning its suppack.json in the file map. */
function context(projects: Record<string, string>): CreateDependenciesContext {
  const projectFileMap: Record<string, Array<{ file: string; hash: string }>> = {};
  for (const [name, root] of Object.entries(projects)) projectFileMap[name] = [{ file: `${root}/suppack.json`, hash: '1' }];
  return {
    externalNodes: {},
    projects: Object.fromEntries(Object.entries(projects).map(([name, root]) => [name, { root }])),
    nxJsonConfiguration: {},
    fileMap: { projectFileMap, nonProjectFiles: [] },
    filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    workspaceRoot: ws,
  };
}

test('a pack requiring another workspace pack (vendorCode:label) depends on it from its suppack.json', async () => {
  write('packs/base/suppack.json', manifest('base'));
  write('packs/addon/suppack.json', manifest('addon', [{ originator: 'acme', name: 'base' }, { originator: 'xs', name: 'main' }]));
  write('packs/other/suppack.json', manifest('other', [{ originator: 'other-vendor', name: 'base' }]));
  const deps = await createDependencies({}, context({ base: 'packs/base', addon: 'packs/addon', other: 'packs/other', lib: 'libs/lib' }));
  expect(deps).toEqual([{ source: 'addon', target: 'base', type: 'static', sourceFile: 'packs/addon/suppack.json' }]);
});

test('broken manifests and projects without one are ignored; a pack requiring itself adds nothing', async () => {
  write('packs/base/suppack.json', manifest('base', [{ originator: 'acme', name: 'base' }]));
  write('packs/broken/suppack.json', '{ nope');
  write('packs/invalid/suppack.json', { pack: { label: 'x' } });
  const deps = await createDependencies({}, context({ base: 'packs/base', broken: 'packs/broken', invalid: 'packs/invalid', plain: 'libs/plain' }));
  expect(deps).toEqual([]);
});

test('a requirement listed twice gives one dependency', async () => {
  write('a/suppack.json', manifest('a'));
  write('b/suppack.json', manifest('b', [{ originator: 'acme', name: 'a' }, { originator: 'acme', name: 'a' }]));
  const deps = await createDependencies(undefined, context({ a: 'a', b: 'b' }));
  expect(deps).toHaveLength(1);
});

test('a bundle or installer depends on the workspace projects its packs name; ISO files and unknown names add nothing', async () => {
  write('packs/nic/suppack.json', manifest('nic'));
  write('packs/fw/suppack.json', manifest('fw'));
  write('bundles/all/suppack.json', { kind: 'bundle', name: 'all', volumeId: 'All', packs: ['nic', 'isos/x.iso', 'fw', 'missing'] });
  write('installers/acme/suppack.json', { kind: 'installer', baseIso: 'base.iso', packs: ['all', 'nic', 'installer'] });
  const deps = await createDependencies(
    {},
    context({ nic: 'packs/nic', fw: 'packs/fw', all: 'bundles/all', installer: 'installers/acme', lib: 'libs/lib' }),
  );
  expect(deps).toEqual([
    { source: 'all', target: 'nic', type: 'static', sourceFile: 'bundles/all/suppack.json' },
    { source: 'all', target: 'fw', type: 'static', sourceFile: 'bundles/all/suppack.json' },
    { source: 'installer', target: 'all', type: 'static', sourceFile: 'installers/acme/suppack.json' },
    { source: 'installer', target: 'nic', type: 'static', sourceFile: 'installers/acme/suppack.json' },
  ]);
});
