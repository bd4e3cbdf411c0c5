/**
 * The seven executors on a real temp workspace, with a hand-made ExecutorContext (no Nx daemon):
 * the real stages run on fixture RPMs and a small spec, and their outputs are checked against
 * `buildLegacyPack` (the CLI's core) and the real tools.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SuppackError } from '../core/base/errors';
import { buildLegacyPack } from '../core/products/legacy-pack/pack';
import { legacyPackSchema } from '../schemas/legacy-pack';
import buildIso from './build-iso/executor';
import buildRpms from './build-rpms/executor';
import buildSrcTarballs from './build-srctarballs/executor';
import bundle from './bundle/executor';
import collectRpms from './collect-rpms/executor';
import packMetadata from './pack-metadata/executor';
import { nxExecutor } from './project';
import { defineStage } from '../core/products/stage';
import invalidProject from './invalid-project/executor';
import renderSpec from './render-spec/executor';
import { captureNxLogger, executorContext } from './testing';

const rpms = inject('fixtureRpms');
const EPOCH = '1650000000';
const PACK = {
  vendorCode: 'acme',
  vendorName: 'Acme Corp.',
  label: 'acme-pack',
  text: 'Acme pack',
  version: '1.0',
  build: '3',
  productVersion: '7.0.0',
};
const PREBUILT = ['xs-hello', 'hello-lib', 'acme-tool', 'acme-firmware'];
const PROJECT_ROOT = 'packs/acme';

function workspace(manifest: unknown, files: Record<string, string | Buffer> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'suppack-nx-'));
  const projectDir = join(root, PROJECT_ROOT);
  mkdirSync(join(projectDir, 'vendor'), { recursive: true });
  for (const n of PREBUILT) copyFileSync(rpms[n], join(projectDir, 'vendor', basename(rpms[n])));
  writeFileSync(join(projectDir, 'suppack.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(projectDir, rel, '..'), { recursive: true });
    writeFileSync(join(projectDir, rel), body);
  }
  return { root, projectDir, out: join(root, 'dist', PROJECT_ROOT) };
}

const context = (root: string, targetName: string) => executorContext(root, 'acme', targetName, { acme: PROJECT_ROOT });
const log = captureNxLogger(EPOCH);
const loggedErrors = log.errors;

describe('collect-rpms → pack-metadata → build-iso → bundle on prebuilt RPMs', () => {
  it('writes every stage output under dist/<projectRoot>; the ISO is the bytes of build-supplemental-pack', async () => {
    const ws = workspace({ $schema: '../../node_modules/suppack/schemas/suppack.schema.json', pack: PACK, prebuilt: ['vendor/*.rpm'] });
    for (const [name, run] of [
      ['collect-rpms', collectRpms],
      ['pack-metadata', packMetadata],
      ['build-iso', buildIso],
      ['bundle', bundle],
    ] as const) {
      expect(await run({}, context(ws.root, name)), name).toEqual({ success: true });
    }
    expect(loggedErrors()).toEqual([]);
    const sorted = PREBUILT.map((n) => basename(rpms[n])).sort();
    expect(readdirSync(join(ws.out, 'rpms'))).toEqual(sorted);
    expect(readdirSync(join(ws.out, 'metadata')).sort()).toEqual(['XS-PACKAGES', 'XS-REPOSITORY']);
    expect(readdirSync(join(ws.out, 'iso')).sort()).toEqual(['acme-pack.iso', 'acme-pack.iso.md5', 'acme-pack.metadata.md5']);
    expect(log.infos()).toEqual(['dist/packs/acme/iso/acme-pack.iso', 'dist/packs/acme/bundle/acme-pack.zip']);

    const cli = join(ws.root, 'cli');
    await buildLegacyPack({
      pack: legacyPackSchema.parse(PACK),
      rpms: sorted.map((f) => join(ws.projectDir, 'vendor', f)),
      outDir: cli,
      epoch: Number(EPOCH),
    });
    for (const f of ['acme-pack.iso', 'acme-pack.iso.md5', 'acme-pack.metadata.md5']) {
      expect(readFileSync(join(ws.out, 'iso', f)).equals(readFileSync(join(cli, f))), f).toBe(true);
    }

    const zip = join(ws.out, 'bundle', 'acme-pack.zip');
    expect(execFileSync('bsdtar', ['-tf', zip], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'acme-pack.iso',
      'acme-pack.iso.md5',
      'acme-pack.metadata.md5',
    ]);
    const first = readFileSync(zip);
    expect(await bundle({}, context(ws.root, 'bundle'))).toEqual({ success: true });
    expect(readFileSync(zip).equals(first)).toBe(true);
  });

  it('build-iso refuses stale metadata with one logged line and { success: false }', async () => {
    const ws = workspace({ pack: PACK, prebuilt: ['vendor/*.rpm'] });
    await collectRpms({}, context(ws.root, 'collect-rpms'));
    await packMetadata({}, context(ws.root, 'pack-metadata'));
    copyFileSync(rpms['many-files'], join(ws.out, 'rpms', 'many-files.rpm'));
    expect(await buildIso({}, context(ws.root, 'build-iso'))).toEqual({ success: false });
    expect(loggedErrors()).toHaveLength(1);
    expect(loggedErrors()[0]).toMatch(/XS-PACKAGES: does not list many-files\.rpm .*stale, run the pack-metadata target again$/);
    expect(existsSync(join(ws.out, 'iso'))).toBe(false);
  });
});

describe('a bad manifest or option', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a wrong field', { pack: { ...PACK, version: 'one' }, prebuilt: ['vendor/*.rpm'] }, /^packs\/acme\/suppack\.json: line \d+, column \d+: pack\.version: expected a dotted numeric version/],
    ['a missing field', { pack: { ...PACK, label: undefined }, prebuilt: ['vendor/*.rpm'] }, /^packs\/acme\/suppack\.json: line \d+, column \d+: pack\.label: required/],
    ['an unknown key', { pack: PACK, prebuilt: ['vendor/*.rpm'], extra: 1 }, /^packs\/acme\/suppack\.json: line \d+, column \d+: extra: unknown key$/],
    ['broken JSON', '{ "pack": ', /^packs\/acme\/suppack\.json: line 1, column 11: invalid JSON: unexpected end of file/],
    ['a prebuilt file that is no RPM', { pack: PACK, prebuilt: ['vendor/*'] }, /^packs\/acme\/suppack\.json: prebuilt\[0\]: vendor\/notes\.txt is not a valid RPM/],
  ];
  it.each(cases)('%s gives { success: false } and one line naming <projectRoot>/suppack.json and the field', async (_, manifest, expected) => {
    const ws = workspace(manifest, { 'vendor/notes.txt': 'just some notes, certainly not an RPM package file\n' });
    expect(await collectRpms({}, context(ws.root, 'collect-rpms'))).toEqual({ success: false });
    expect(loggedErrors()).toHaveLength(1);
    expect(loggedErrors()[0]).toMatch(expected);
    expect(loggedErrors()[0]).not.toContain('\n');
    expect(existsSync(join(ws.out, 'rpms'))).toBe(false);
  });

  it('a missing suppack.json, an unknown project and an unknown option are one-line errors too', async () => {
    const ws = workspace({ pack: PACK, prebuilt: ['vendor/*.rpm'] });
    const ctx = context(ws.root, 'pack-metadata');
    expect(await packMetadata({ colour: true } as never, ctx)).toEqual({ success: false });
    expect(await packMetadata({}, { ...ctx, projectName: 'nope' })).toEqual({ success: false });
    expect(await packMetadata({}, { ...ctx, projectsConfigurations: { version: 2, projects: { acme: { root: 'elsewhere' } } } })).toEqual({
      success: false,
    });
    expect(loggedErrors()).toEqual([
      'acme:pack-metadata options: unknown option: colour',
      'no project "nope" in the workspace: run the target of a suppack project',
      'elsewhere/suppack.json: no such file or directory',
    ]);
  });

  it('Nx bookkeeping options (__overrides_unparsed__) are ignored; errors that are not SuppackErrors are rethrown', async () => {
    const ws = workspace({ pack: PACK, prebuilt: ['vendor/*.rpm'] });
    expect(await collectRpms({ __overrides_unparsed__: [] } as never, context(ws.root, 'collect-rpms'))).toEqual({ success: true });
    const bug = nxExecutor(
      defineStage('bundle', async () => {
        throw new TypeError('a bug');
      }),
    );
    await expect(bug({}, context(ws.root, 'bundle'))).rejects.toThrow(TypeError);
    const expected = nxExecutor(
      defineStage('bundle', async () => {
        throw new SuppackError('what', { file: 'f', field: 'x' });
      }),
    );
    expect(await expected({}, context(ws.root, 'bundle'))).toEqual({ success: false });
    expect(loggedErrors()).toEqual(['f: x: what']);
  });
});

const SPEC = `Name:      hello-tool
Version:   %{suppack_version}
Release:   %{suppack_release}
Summary:   Hello tool
License:   MIT
Group:     Applications/System
BuildArch: noarch
Source0:   %{suppack_source0}
Source1:   %{suppack_extras_tar}

%description
Says hello.

%prep
%setup -q -n %{suppack_srcdir}

%install
mkdir -p %{buildroot}/usr/bin
install -m 0755 hello.sh %{buildroot}/usr/bin/hello
tar -xzf %{SOURCE1} -C %{buildroot}

%files -f %{_sourcedir}/%{suppack_extras_files}
/usr/bin/hello
`;

describe('all seven targets from a spec template with sources, an EULA and prebuilt RPMs', () => {
  it('ends in a zip with the ISO, both md5 files and the source tarball', async () => {
    const ws = workspace(
      { pack: PACK, rpms: [{ spec: 'hello-tool.spec', sources: 'src', version: '1.0' }], prebuilt: ['vendor/*.rpm'], eulas: ['LICENSE.txt'] },
      { 'hello-tool.spec': SPEC, 'src/hello.sh': '#!/bin/sh\necho hello\n', 'LICENSE.txt': 'Use it.\n' },
    );
    for (const [name, run] of [
      ['render-spec', renderSpec],
      ['build-srctarballs', buildSrcTarballs],
      ['build-rpms', buildRpms],
      ['collect-rpms', collectRpms],
      ['pack-metadata', packMetadata],
      ['build-iso', buildIso],
      ['bundle', bundle],
    ] as const) {
      expect(await run({}, context(ws.root, name)), `${name}: ${loggedErrors().join(' | ')}`).toEqual({ success: true });
    }
    expect(readdirSync(join(ws.out, 'rpms'))).toContain('hello-tool-1.0-1.noarch.rpm');
    const packages = readFileSync(join(ws.out, 'metadata', 'XS-PACKAGES'), 'utf8');
    expect(packages).toContain('hello-tool-1.0-1.noarch.rpm');
    const zip = join(ws.out, 'bundle', 'acme-pack.zip');
    expect(execFileSync('bsdtar', ['-tf', zip], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'acme-pack.iso',
      'acme-pack.iso.md5',
      'acme-pack.metadata.md5',
      'sources/hello-tool-1.0.tar.gz',
    ]);
    const listing = execFileSync('bsdtar', ['-xOf', zip, 'sources/hello-tool-1.0.tar.gz']);
    expect(listing.equals(readFileSync(join(ws.out, 'SOURCES', 'hello-tool-1.0.tar.gz')))).toBe(true);
  });
});

describe('invalid-project (every target of a project whose suppack.json is broken)', () => {
  it('fails, logging each error the plugin gave it', async () => {
    const ctx = executorContext('/nonexistent', 'bad', 'build-iso', { bad: 'packs/bad' });
    const errors = ['packs/bad/suppack.json: pack.version: required, expected string', 'packs/bad/suppack.json: pack.label: required'];
    expect(await invalidProject({ errors }, ctx)).toEqual({ success: false });
    expect(loggedErrors()).toEqual(errors);
  });
});
