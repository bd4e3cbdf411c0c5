/**
 * The schema-driven manifests (arbitrary.ts) and what the fuzz suite checks of the targets inferred
 * from them (target-invariants.ts): most drawn documents are valid, of every kind and format, the
 * same for the same random source; and each invariant catches the fault it is there for.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { afterAll, describe, expect, it } from 'vitest';
import { projectManifestSchema } from '../../schemas/manifest';
import { inferTargets, kernelTreeIdentityCommand } from '../../plugin/targets';
import { random } from '../random';
import { arbitraryDocument, valuePool } from './arbitrary';
import { manifestSeeds } from './corpus';
import { targetProblems } from './target-invariants';
import { metadataProblems } from './metadata-invariants';

const pool = valuePool(manifestSeeds().map(([, bytes]) => bytes));
const scratch = mkdtempSync(join(tmpdir(), 'suppack-invariants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('arbitraryDocument', () => {
  it('draws manifests the schema mostly accepts, of every kind and format, with hostile text in them', () => {
    const kinds = new Map<string, number>();
    let valid = 0;
    let hostile = 0;
    const N = 300;
    for (let i = 0; i < N; i++) {
      const { value } = arbitraryDocument(projectManifestSchema, random(i), pool);
      const r = projectManifestSchema.safeParse(value);
      if (!r.success) continue;
      valid++;
      const m = r.data as { kind: string; format?: string };
      const k = `${m.kind}/${m.format ?? ''}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
      if (/pwned|\.\.|[\u0000-\u001f]/.test(JSON.stringify(r.data))) hostile++;
    }
    expect(valid / N).toBeGreaterThan(0.7);
    expect([...kinds.keys()].sort()).toEqual(['bundle/', 'installer/', 'pack/legacy', 'pack/update']);
    for (const [k, n] of kinds) expect(n, k).toBeGreaterThan(N / 20);
    expect(hostile / valid).toBeGreaterThan(0.2);
  });

  it('is the same for the same random source', () => {
    for (let i = 0; i < 50; i++) {
      expect(JSON.stringify(arbitraryDocument(projectManifestSchema, random(i), pool))).toBe(JSON.stringify(arbitraryDocument(projectManifestSchema, random(i), pool)));
    }
  });
});

describe('targetProblems', () => {
  const manifest = projectManifestSchema.parse({
    pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme', version: '1.0', productVersion: '7.0.0' },
    rpms: [{ spec: 'specs/acme.spec', kind: 'kernel-module', sources: 'src', version: '1.0' }],
    kernels: [{ version: '4.19.0+1', buildDir: '/usr/src/k:1' }],
  });
  const good = () => structuredClone(inferTargets('packs/acme', manifest));

  it('finds nothing in what the plugin infers from a valid manifest (the identity command run under sh)', () => {
    expect(targetProblems(good(), scratch)).toEqual([]);
  });

  it('names an input or output that climbs out or is absolute, a shared output, a missing dependency', () => {
    const t = good();
    t['render-spec']!.inputs!.push('{projectRoot}/../x', '{projectRoot}//etc', '{workspaceRoot}/a\\..\\..\\b', '/abs', { fileset: '{projectRoot}/C:/x' });
    t['lint']!.outputs = t['build-iso']!.outputs;
    t['bundle']!.dependsOn!.push('nope', '^also-nope');
    expect(targetProblems(t, scratch)).toEqual([
      'render-spec: input {projectRoot}/../x: a ".." component',
      'render-spec: input {projectRoot}//etc: an absolute path or an empty one after the token',
      'render-spec: input {workspaceRoot}/a\\..\\..\\b: a ".." component',
      'render-spec: input /abs: no {projectRoot} or {workspaceRoot} token in front',
      'render-spec: fileset {projectRoot}/C:/x: a drive after the token',
      expect.stringMatching(/^build-iso: output \{workspaceRoot\}\/dist\/\{projectRoot\}\/\S+ is lint's too$/),
      'bundle: dependsOn nope: no such target',
      'bundle: dependsOn ^also-nope: no such target',
    ]);
  });

  it("names a runtime command that would run the manifest's text, and one it does not know", () => {
    const withRuntime = (runtime: string): Record<string, TargetConfiguration> => {
      const t = good();
      t['build-rpms']!.inputs = [{ runtime }];
      return t;
    };
    // quoted as the plugin quotes: run under sh, nothing happens
    expect(targetProblems(withRuntime(kernelTreeIdentityCommand("/usr/src/$(touch pwned)/it's")), scratch)).toEqual([]);
    // not quoted: the text is refused before it runs
    const unquoted = kernelTreeIdentityCommand('/x').replace("'/x'", '/x;touch pwned');
    expect(targetProblems(withRuntime(unquoted), scratch)).toEqual(['build-rpms: a directory that is not one quoted word: /x;touch pwned']);
    // a single-quoted word followed by a double-quoted one, which would expand
    const expands = kernelTreeIdentityCommand('/x').replace("'/x'", `'/x'"$(touch pwned)"`);
    expect(targetProblems(withRuntime(expands), scratch)).toEqual([`build-rpms: a directory that is not one quoted word: '/x'"$(touch pwned)"`]);
    // run under sh: a command that fails, or prints, is named (a tree is there, in the scratch directory)
    const tree = join(scratch, 'tree:1');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'Makefile'), 'VERSION = 4\n');
    expect(targetProblems(withRuntime(kernelTreeIdentityCommand(tree)), scratch)).toEqual([expect.stringMatching(/^build-rpms: the identity command printed "[0-9a-f]{64}  Makefile\\n" for a tree that is not there$/)]);
    expect(targetProblems(withRuntime(kernelTreeIdentityCommand('/x\u0000y')), scratch)).toEqual([expect.stringMatching(/^build-rpms: the identity command failed under \/bin\/sh: .*null bytes/)]);
    expect(targetProblems(withRuntime('curl http://example.com'), scratch)).toEqual(['build-rpms: an unknown runtime command: curl http://example.com']);
  });
});

describe('metadataProblems', () => {
  const legacy = projectManifestSchema.parse({
    pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme', version: '1.0', productVersion: '7.0.0', requires: [{ originator: 'acme', name: 'base', test: 'ge', version: '1.0', product: 'XenServer' }] },
    prebuilt: ['rpms/*.rpm'],
  });
  const update = projectManifestSchema.parse({
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme', version: '1.0.0', description: 'Acme\tupdate\nsecond line', key: 'keys/RPM-GPG-KEY-acme' },
    prebuilt: ['rpms/*.rpm'],
  });

  it('finds nothing in what valid manifests write', () => {
    expect(metadataProblems(legacy)).toEqual([]);
    expect(metadataProblems(update)).toEqual([]);
  });

  // values the schemas now refuse, set past them: what the host would have read instead
  it('names a value the host reads back as another, and a file its reader refuses', () => {
    const withProduct = structuredClone(legacy) as typeof legacy & { pack: { requires: Array<{ product?: string }> } };
    withProduct.pack.requires[0]!.product = 'a\rb';
    expect(metadataProblems(withProduct)).toEqual([
      'XS-REPOSITORY requires[1]: wrote {"name":"base","originator":"acme","product":"a\\rb","test":"ge","version":"1.0"}, read {"name":"base","originator":"acme","product":"a b","test":"ge","version":"1.0"}',
    ]);
    const withKey = structuredClone(update) as typeof update & { pack: { key?: string } };
    withKey.pack.key = 'keys/RPM\uffff';
    expect(metadataProblems(withKey)).toEqual([expect.stringMatching(/^the host's reader refuses the update\.xml written: .*disallowed character/)]);
    withKey.pack.key = 'keys/RPM\tkey';
    expect(metadataProblems(withKey)).toEqual(['update.xml key: wrote "RPM\\tkey", read "RPM key"']);
  });
});

