import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UPDATE_PACKS_CANNOT_COMBINE } from '../core/xenserver/pack-sources';
import { createNodes, createPackNodeOrReport, readWorkspaceProjects } from './create-nodes';
import { parseJson } from '../core/products/manifest-file';

const pack = { vendorCode: 'acme', vendorName: 'Acme', label: 'good', text: 'Good pack', version: '1.0', productVersion: '7.0.0' };

let ws: string;
let context: CreateNodesContext;
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(ws, rel)), { recursive: true });
  writeFileSync(join(ws, rel), text);
};

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'suppack-nodes-'));
  context = { nxJsonConfiguration: {}, workspaceRoot: ws };
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

/** createNodes, with what the plugin logs captured. */
async function run(files: string[]): Promise<{ results: Array<readonly [string, CreateNodesResult]>; logged: string[] }> {
  const logged: string[] = [];
  const results = await Promise.all(files.map(async (f) => [f, await createPackNodeOrReport(f, {}, context, (m) => logged.push(m))] as const));
  return { results, logged };
}

describe('createNodes', () => {
  test('the glob is every suppack.json', () => {
    expect(createNodes[0]).toBe('**/suppack.json');
  });

  test('a valid manifest becomes a named project with the inferred targets and no machine path', async () => {
    write('packs/good/suppack.json', JSON.stringify({ pack, prebuilt: ['rpms/*.rpm'] }));
    const results = await createNodes[1](['packs/good/suppack.json'], {}, context);
    expect(results).toHaveLength(1);
    const [file, result] = results[0];
    expect(file).toBe('packs/good/suppack.json');
    const project = result.projects!['packs/good'];
    expect(project.name).toBe('good');
    expect(project.root).toBe('packs/good');
    expect(Object.keys(project.targets!)).toEqual(['collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle']);
    expect(project.metadata?.technologies).toEqual(['xenserver']);
    expect(JSON.stringify(result)).not.toContain(ws);
  });

  test('externalDependencies on suppack only when Nx can find it: installed and in the lockfile', async () => {
    write('p/suppack.json', JSON.stringify({ pack, prebuilt: ['x.rpm'] }));
    const external = async () => {
      const [[, r]] = await createNodes[1](['p/suppack.json'], {}, context);
      return r.projects!.p.targets!['build-iso'].inputs!.some((i) => typeof i === 'object' && 'externalDependencies' in i);
    };
    expect(await external()).toBe(false);
    write('node_modules/suppack/package.json', '{"name":"suppack"}');
    expect(await external()).toBe(false);
    write('package-lock.json', '{"packages":{"node_modules/suppack":{"version":"0.1.0"}}}');
    expect(await external()).toBe(true);
  });

  test('a sibling project.json or package.json names the project: no name is set', async () => {
    write('a/suppack.json', JSON.stringify({ pack, prebuilt: ['x.rpm'] }));
    write('a/project.json', '{"name":"from-project-json"}');
    write('b/suppack.json', JSON.stringify({ pack: { ...pack, label: 'other' }, prebuilt: ['x.rpm'] }));
    write('b/package.json', '{"name":"from-package-json"}');
    const results = await createNodes[1](['a/suppack.json', 'b/suppack.json'], {}, context);
    expect(results.map(([, r]) => Object.values(r.projects!)[0].name)).toEqual([undefined, undefined]);
  });

  test('plugin options rename targets', async () => {
    write('p/suppack.json', JSON.stringify({ pack, prebuilt: ['x.rpm'] }));
    const [[, r]] = await createNodes[1](['p/suppack.json'], { buildIsoTargetName: 'iso' }, context);
    expect(Object.keys(r.projects!.p.targets!)).toContain('iso');
  });

  test('invalid JSON: the file, line and column, and what was expected', async () => {
    write('packs/bad/suppack.json', '{\n  "pack": {\n    "label": "x",\n  }\n}\n');
    const { results, logged } = await run(['packs/bad/suppack.json']);
    const message = 'packs/bad/suppack.json: line 4, column 3: invalid JSON: expected double-quoted property name';
    const project = results[0][1].projects!['packs/bad'];
    expect(project.name).toBe('bad');
    expect(Object.keys(project.targets!)).toEqual(['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle']);
    for (const t of Object.values(project.targets!)) {
      expect(t).toMatchObject({ executor: 'suppack:invalid-project', cache: false, options: { errors: [message] } });
    }
    expect(logged).toEqual([
      "suppack: packs/bad/suppack.json: line 4, column 3: invalid JSON: expected double-quoted property name (its targets fail until it is fixed)",
    ]);
  });

  test('a schema error names the file and the field', async () => {
    write('packs/bad/suppack.json', JSON.stringify({ pack: { ...pack, text: 'a description far longer than thirty-two characters' }, prebuilt: ['x.rpm'] }));
    write('packs/bad2/suppack.json', JSON.stringify({ pack, rpms: [{ spec: '/abs.spec', version: '1' }] }));
    const { logged } = await run(['packs/bad/suppack.json', 'packs/bad2/suppack.json']);
    expect([...logged].sort()).toEqual([
      'suppack: packs/bad/suppack.json: line 1, column 72: pack.text: expected at most 32 characters (it becomes the ISO volume id) (its targets fail until it is fixed)',
      'suppack: packs/bad2/suppack.json: line 1, column 142: rpms[0].spec: expected the spec template relative to the project root, with "/" between directories and no ".." or control characters (its targets fail until it is fixed)',
    ]);
  });

  test('one broken manifest does not break the others, and stays in the graph (createNodesFromFiles gets no error)', async () => {
    write('packs/good/suppack.json', JSON.stringify({ pack, prebuilt: ['rpms/*.rpm'] }));
    write('packs/broken/suppack.json', '{ "pack": ');
    const results = await createNodes[1](['packs/broken/suppack.json', 'packs/good/suppack.json'], {}, context);
    const roots = results.flatMap(([, r]) => Object.keys(r.projects ?? {}));
    expect(roots).toEqual(['packs/broken', 'packs/good']);
    expect(results[1][1].projects!['packs/good'].targets!['build-iso'].executor).toBe('suppack:build-iso');
  });

  test('a broken bundle or installer keeps the target of its kind; renamed targets keep their names', async () => {
    write('b/suppack.json', JSON.stringify({ kind: 'bundle', name: 'x' }));
    write('i/suppack.json', JSON.stringify({ kind: 'installer', packs: [] }));
    const [[, b], [, i]] = await createNodes[1](['b/suppack.json', 'i/suppack.json'], { combinePacksTargetName: 'combine' }, context);
    expect(Object.keys(b.projects!.b.targets!)).toEqual(['combine']);
    expect(b.projects!.b.targets!.combine.options.errors).toEqual(['b/suppack.json: line 1, column 1: volumeId: required, expected string', 'b/suppack.json: line 1, column 1: packs: required, expected array']);
    expect(Object.keys(i.projects!.i.targets!)).toEqual(['rebuild-iso']);
  });

  test('two legacy packs with one vendor code and label for one product version break both, naming each other', async () => {
    write('a/suppack.json', JSON.stringify({ pack, prebuilt: ['x.rpm'] }));
    write('b/project.json', '{"name":"bee"}');
    write('b/suppack.json', JSON.stringify({ pack, prebuilt: ['y.rpm'] }));
    write('c/suppack.json', JSON.stringify({ pack: { ...pack, productVersion: '6.5.0' }, prebuilt: ['x.rpm'] }));
    const workspace = await readWorkspaceProjects(['a/suppack.json', 'b/suppack.json', 'c/suppack.json'], ws);
    const logged: string[] = [];
    const results = await Promise.all(['a', 'b', 'c'].map((p) => createPackNodeOrReport(`${p}/suppack.json`, {}, context, (m) => logged.push(m), false, workspace)));
    expect(logged).toEqual([
      'suppack: a/suppack.json: pack.label: the pack acme:good for XenServer 7.0.0 (a host keeps one pack per vendor code and label) is also built by project "bee" (b/suppack.json): give each pack its own (its targets fail until it is fixed)',
      'suppack: b/suppack.json: pack.label: the pack acme:good for XenServer 7.0.0 (a host keeps one pack per vendor code and label) is also built by project "a" (a/suppack.json): give each pack its own (its targets fail until it is fixed)',
    ]);
    expect(results[0].projects!.a.targets!['build-iso'].executor).toBe('suppack:invalid-project');
    expect(results[2].projects!.c.targets!['build-iso'].executor).toBe('suppack:build-iso');
  });

  test('two update packs with one UUID break both', async () => {
    const upd = { format: 'update', pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'u1', version: '1', description: 'u' }, prebuilt: ['x.rpm'] };
    write('u1/suppack.json', JSON.stringify(upd));
    write('u2/suppack.json', JSON.stringify({ ...upd, pack: { ...upd.pack, label: 'u2' } }));
    const results = await createNodes[1](['u1/suppack.json', 'u2/suppack.json'], {}, context);
    expect(results.map(([, r]) => Object.values(r.projects!)[0].targets!['build-iso'].options.errors)).toEqual([
      ['u1/suppack.json: pack.uuid: the update UUID 6854ab19-f807-4444-b94f-3ce7d64efe50 (xapi knows an update by its UUID) is also built by project "u2" (u2/suppack.json): give each pack its own'],
      ['u2/suppack.json: pack.uuid: the update UUID 6854ab19-f807-4444-b94f-3ce7d64efe50 (xapi knows an update by its UUID) is also built by project "u1" (u1/suppack.json): give each pack its own'],
    ]);
  });
});

describe('bundle and installer projects', () => {
  const update = {
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' },
    prebuilt: ['x.rpm'],
  };
  const all = ['packs/nic/suppack.json', 'packs/upd/suppack.json', 'bundles/all/suppack.json', 'installers/acme/suppack.json'];
  beforeEach(() => {
    write('packs/nic/suppack.json', JSON.stringify({ pack: { ...pack, label: 'acme-nic' }, prebuilt: ['x.rpm'] }));
    write('packs/upd/suppack.json', JSON.stringify(update));
    // Named by its project.json, not its folder: members are looked up by Nx project name.
    write('bundles/all/project.json', '{"name":"acme-all"}');
    write('bundles/all/suppack.json', JSON.stringify({ kind: 'bundle', name: 'acme-all', volumeId: 'Acme', packs: ['nic', 'vendor/fw.iso'] }));
    write('installers/acme/suppack.json', JSON.stringify({ kind: 'installer', baseIso: 'base.iso', packs: ['acme-all', 'nic'] }));
  });

  test('members are looked up among all the suppack.json files of the call: dependsOn the right targets', async () => {
    const results = await createNodes[1](all, {}, context);
    const byRoot = Object.fromEntries(results.flatMap(([, r]) => Object.entries(r.projects ?? {})));
    expect(Object.keys(byRoot).sort()).toEqual(['bundles/all', 'installers/acme', 'packs/nic', 'packs/upd']);
    expect(byRoot['bundles/all'].name).toBeUndefined();
    expect(Object.keys(byRoot['bundles/all'].targets!)).toEqual(['combine-packs']);
    expect(byRoot['bundles/all'].targets!['combine-packs'].dependsOn).toEqual([{ projects: ['nic'], target: 'build-iso' }]);
    expect(byRoot['installers/acme'].name).toBe('acme');
    expect(byRoot['installers/acme'].targets!['rebuild-iso'].dependsOn).toEqual([
      { projects: ['nic'], target: 'build-iso' },
      { projects: ['acme-all'], target: 'combine-packs' },
    ]);
    expect(byRoot['installers/acme'].metadata?.targetGroups).toEqual({ 'Installer ISO': ['rebuild-iso'] });
    expect(JSON.stringify(results)).not.toContain(ws);
  });

  test('an update-format member is logged at inference (file, field, what to do) and only that project fails', async () => {
    write('bundles/all/suppack.json', JSON.stringify({ kind: 'bundle', name: 'acme-all', volumeId: 'Acme', packs: ['nic', 'upd'] }));
    const logged: string[] = [];
    const workspace = await readWorkspaceProjects(all, ws);
    const results = await Promise.all(all.map((f) => createPackNodeOrReport(f, {}, context, (m) => logged.push(m), false, workspace)));
    expect(logged).toEqual([
      `suppack: bundles/all/suppack.json: packs[1]: project "upd" ${UPDATE_PACKS_CANNOT_COMBINE} (its targets fail until it is fixed)`,
    ]);
    expect(results.flatMap((r) => Object.keys(r.projects ?? {}))).toEqual(['packs/nic', 'packs/upd', 'bundles/all', 'installers/acme']);
    expect(results[2].projects!['bundles/all'].targets!['combine-packs'].executor).toBe('suppack:invalid-project');
    expect(results[3].projects!['installers/acme'].targets!['rebuild-iso'].executor).toBe('suppack:rebuild-iso');
  });

  test('a member whose own manifest is broken, or that is no suppack project, is logged too', async () => {
    write('packs/nic/suppack.json', '{ "pack": ');
    write('installers/acme/suppack.json', JSON.stringify({ kind: 'installer', baseIso: 'base.iso', packs: ['lib', 'nic'] }));
    const logged: string[] = [];
    const workspace = await readWorkspaceProjects(all, ws);
    await Promise.all(all.map((f) => createPackNodeOrReport(f, {}, context, (m) => logged.push(m), false, workspace)));
    expect([...logged].sort()).toEqual([
      'suppack: bundles/all/suppack.json: packs[0]: project "nic" has an invalid packs/nic/suppack.json: fix it first (its targets fail until it is fixed)',
      'suppack: installers/acme/suppack.json: packs[0]: no suppack project "lib" in the workspace: expected a legacy pack or bundle project, or a pack ISO path ending in .iso (its targets fail until it is fixed)',
      'suppack: packs/nic/suppack.json: line 1, column 11: invalid JSON: unexpected end of file, expected the rest of a JSON object (its targets fail until it is fixed)',
    ]);
  });
});

describe('parseJson errors', () => {
  const message = (text: string) => {
    try {
      parseJson(text, 'x/suppack.json');
    } catch (e) {
      return (e as Error).message;
    }
    return 'parsed';
  };
  test('end of file, trailing text, a BOM is accepted', () => {
    expect(message('{\n  "a": [1,')).toBe('x/suppack.json: line 2, column 11: invalid JSON: unexpected end of file, expected the rest of a JSON object');
    expect(message('{}\n}')).toBe('x/suppack.json: line 2, column 1: invalid JSON: unexpected text after the JSON object, expected the end of the file');
    expect(message('\ufeff{}')).toBe('parsed');
  });
});
