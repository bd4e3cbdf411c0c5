import { describe, expect, test } from 'vitest';
import { SuppackError } from '../core/base/errors';
import { UPDATE_PACKS_CANNOT_COMBINE } from '../core/xenserver/pack-sources';
import { manifestSchema, projectManifestSchema, type ManifestInput, type ProjectManifestInput } from '../schemas/manifest';
import { projectIso, type MemberProject } from '../core/products/members';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bothShellsWord, inferProjectMetadata, inferTargets, kernelInputs, manifestReadsInput, kernelTreeIdentityCommand, KERNEL_TREE_IDENTITY, PICK_JSON_PATHS, tokenisedStageDirs } from './targets';
import type { InstallerManifest } from '../schemas/installer';
import type { PackStageName } from '../core/products/stage-reads';
import { MANIFEST_READS } from '../core/graph';

const pack = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme NIC driver', version: '1.0', productVersion: '7.0.0' };
const parse = (m: ManifestInput) => manifestSchema.parse(m);

const driver = parse({
  pack,
  rpms: [{ spec: 'specs/acme-modules.spec', kind: 'kernel-module', sources: 'src/', version: '2.1' }],
  kernels: [{ version: '2.6.32.43-0.4.1.xs1.8.0.835.170778', flavour: 'xen' }, { version: '2.6.32.43-0.4.1.xs1.8.0.835.170778', flavour: 'kdump' }],
});
const userspace = parse({
  pack,
  rpms: [{ spec: './specs/acme-tool.spec', sources: 'tool', version: '1.0' }],
  statusReport: { categories: [{ name: 'acme', collect: [{ kind: 'files', paths: ['/etc/acme.conf'] }] }] },
  eulas: ['docs/acme-EULA'],
});
const prebuilt = parse({ pack, prebuilt: ['rpms/*.rpm', 'vendor/**/*.rpm'] });

const meta = (description: string) => ({ description, technologies: ['xenserver'] });
const common = { cache: true, options: {} };
const ext = { externalDependencies: ['suppack'] };
const epoch = { env: 'SOURCE_DATE_EPOCH' };
const out = (sub: string) => [`{workspaceRoot}/dist/{projectRoot}/${sub}`];
/** What a pack stage hashes of its suppack.json (core/products/stage-reads.ts). */
const reads = (root: string, stage: PackStageName) => manifestReadsInput(`${root}/suppack.json`, stage);

describe('inferTargets', () => {
  test('driver pack (two kernels): the eight targets, exact', () => {
    const t = inferTargets('packs/acme-nic', driver);
    expect(Object.keys(t)).toEqual(['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['render-spec']).toEqual({
      executor: 'suppack:render-spec',
      ...common,
      inputs: [reads('packs/acme-nic', 'render-spec'), '{projectRoot}/specs/acme-modules.spec', ext],
      outputs: out('specs'),
      metadata: meta(t['render-spec'].metadata!.description!),
    });
    expect(t['build-srctarballs']).toEqual({
      executor: 'suppack:build-srctarballs',
      ...common,
      inputs: [reads('packs/acme-nic', 'build-srctarballs'), '{projectRoot}/src/**/*', ext, epoch],
      outputs: out('SOURCES'),
      metadata: meta(t['build-srctarballs'].metadata!.description!),
    });
    expect(t['build-rpms']).toEqual({
      executor: 'suppack:build-rpms',
      ...common,
      inputs: [
        reads('packs/acme-nic', 'build-rpms'),
        '{projectRoot}/specs/acme-modules.spec',
        '{projectRoot}/src/**/*',
        ext,
        { runtime: 'rpmbuild --version' },
        // Each kernel's build tree by its identity (kernelInputs).
        { runtime: kernelTreeIdentityCommand('/lib/modules/2.6.32.43-0.4.1.xs1.8.0.835.170778xen/build') },
        { runtime: kernelTreeIdentityCommand('/lib/modules/2.6.32.43-0.4.1.xs1.8.0.835.170778kdump/build') },
        epoch,
      ],
      outputs: out('RPMS'),
      dependsOn: ['render-spec', 'build-srctarballs'],
      metadata: meta(t['build-rpms'].metadata!.description!),
    });
    expect(t['collect-rpms']).toEqual({
      executor: 'suppack:collect-rpms',
      ...common,
      inputs: [reads('packs/acme-nic', 'collect-rpms'), ext, { dependentTasksOutputFiles: '**/*.rpm' }],
      outputs: out('rpms'),
      dependsOn: ['build-rpms'],
      metadata: meta(t['collect-rpms'].metadata!.description!),
    });
    expect(t.lint).toEqual({
      executor: 'suppack:lint',
      ...common,
      inputs: [reads('packs/acme-nic', 'lint'), ext, { dependentTasksOutputFiles: '**/*.rpm' }],
      outputs: out('lint'),
      dependsOn: ['collect-rpms'],
      metadata: meta(t.lint.metadata!.description!),
    });
    expect(t['pack-metadata']).toEqual({
      executor: 'suppack:pack-metadata',
      ...common,
      inputs: [reads('packs/acme-nic', 'pack-metadata'), ext, { dependentTasksOutputFiles: '**/*.rpm' }],
      outputs: out('metadata'),
      dependsOn: ['collect-rpms'],
      metadata: meta(t['pack-metadata'].metadata!.description!),
    });
    expect(t['build-iso']).toEqual({
      executor: 'suppack:build-iso',
      ...common,
      inputs: [
        reads('packs/acme-nic', 'build-iso'),
        ext,
        epoch,
        { dependentTasksOutputFiles: '**/XS-*' },
        { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
      ],
      outputs: out('iso'),
      // build-iso runs only when lint finds no error.
      dependsOn: ['lint', 'pack-metadata', '^build-iso'],
      metadata: meta(t['build-iso'].metadata!.description!),
    });
    expect(t.bundle).toEqual({
      executor: 'suppack:bundle',
      ...common,
      inputs: [reads('packs/acme-nic', 'bundle'), ext, epoch, { dependentTasksOutputFiles: '**/*' }],
      outputs: out('bundle'),
      dependsOn: ['build-iso', 'build-srctarballs'],
      metadata: meta(t.bundle.metadata!.description!),
    });
  });

  test('every target has a description of its own', () => {
    const descriptions = Object.values(inferTargets('p', driver)).map((t) => t.metadata?.description);
    expect(descriptions.every((d) => typeof d === 'string' && d.length > 20)).toBe(true);
    expect(new Set(descriptions).size).toBe(8);
  });

  test('userspace pack: EULAs are inputs of render-spec and build-rpms, never sources of a tarball', () => {
    const t = inferTargets('packs/tool', userspace);
    expect(t['render-spec'].inputs).toEqual([
      reads('packs/tool', 'render-spec'),
      '{projectRoot}/specs/acme-tool.spec',
      '{projectRoot}/docs/acme-EULA',
      ext,
    ]);
    expect(t['build-srctarballs'].inputs).toEqual([reads('packs/tool', 'build-srctarballs'), '{projectRoot}/tool/**/*', ext, epoch]);
    expect(t['build-rpms'].inputs).toEqual([
      reads('packs/tool', 'build-rpms'),
      '{projectRoot}/specs/acme-tool.spec',
      '{projectRoot}/docs/acme-EULA',
      '{projectRoot}/tool/**/*',
      ext,
      { runtime: 'rpmbuild --version' },
      epoch,
    ]);
  });

  test('prebuilt-only pack: no spec stages, collect-rpms reads the globs and depends on nothing', () => {
    const t = inferTargets('packs/vendor', prebuilt);
    expect(Object.keys(t)).toEqual(['collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['collect-rpms']).toEqual({
      executor: 'suppack:collect-rpms',
      ...common,
      inputs: [reads('packs/vendor', 'collect-rpms'), '{projectRoot}/rpms/*.rpm', '{projectRoot}/vendor/**/*.rpm', ext],
      outputs: out('rpms'),
      metadata: meta(t['collect-rpms'].metadata!.description!),
    });
    expect(t.bundle.dependsOn).toEqual(['build-iso']);
  });

  test('prebuilt patterns reach Nx as written: "!" exclusions stay exclusions, a trailing "/" is spelt "/**"', () => {
    const t = inferTargets('packs/vendor', parse({ pack, prebuilt: ['rpms/{x86_64,noarch}/*.rpm', '!rpms/**/*debuginfo*.rpm', 'extra/'] }));
    expect(t['collect-rpms'].inputs).toEqual([
      reads('packs/vendor', 'collect-rpms'),
      '{projectRoot}/rpms/{x86_64,noarch}/*.rpm',
      '!{projectRoot}/rpms/**/*debuginfo*.rpm',
      '{projectRoot}/extra/**',
      ext,
    ]);
  });

  test('a spec without sources adds no tarball input and no build-srctarballs', () => {
    const t = inferTargets('p', parse({ pack, rpms: [{ spec: 'meta.spec', version: '1' }] }));
    expect(Object.keys(t)).toEqual(['render-spec', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['build-rpms'].dependsOn).toEqual(['render-spec']);
    expect(t['build-rpms'].inputs).toEqual([reads('p', 'build-rpms'), '{projectRoot}/meta.spec', ext, { runtime: 'rpmbuild --version' }, epoch]);
  });

  test('no input is a project-wide glob: a README or any unnamed file changes no hash', () => {
    for (const m of [driver, userspace, prebuilt]) {
      for (const t of Object.values(inferTargets('p', m))) {
        for (const i of t.inputs ?? []) {
          if (typeof i !== 'string') continue;
          expect(i).not.toBe('{projectRoot}/**/*');
          expect(i).not.toMatch(/README/i);
        }
      }
    }
  });

  test('render-spec does not read the driver sources; only the tarball chain does', () => {
    const t = inferTargets('p', driver);
    const readsSources = Object.entries(t)
      .filter(([, c]) => (c.inputs ?? []).includes('{projectRoot}/src/**/*'))
      .map(([n]) => n);
    expect(readsSources).toEqual(['build-srctarballs', 'build-rpms']);
  });

  test('no absolute or machine path anywhere in the result', () => {
    const dirty = '/tmp/some/checkout/packs/acme-nic';
    const m = parse({ ...driver, kernels: [{ version: '6.1.0-28-amd64' }] });
    const result = { targets: inferTargets('packs/acme-nic', m), metadata: inferProjectMetadata(m, inferTargets('packs/acme-nic', m)) };
    const strings: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (strings.push(k), walk(x)));
    };
    walk(result);
    expect(strings.length).toBeGreaterThan(50);
    // The one project path is the manifest's, workspace-relative, in each stage's manifest-reads
    // command (Nx runs runtime inputs from the workspace root); never an absolute one.
    const machine = strings.filter((s) => s.startsWith('/') || s.includes(dirty) || (s.includes('packs/acme-nic') && !s.startsWith('node -e ')));
    expect(machine).toEqual([]);
  });

  test('no path field reaches a target climbing out of its root: "\\" and drives are refused, "/" is the separator', () => {
    const fields: Array<[string, (p: string) => ManifestInput]> = [
      ['rpms[0].spec', (p) => ({ ...driver, rpms: [{ ...driver.rpms![0]!, spec: p }] })],
      ['rpms[0].sources', (p) => ({ ...driver, rpms: [{ ...driver.rpms![0]!, sources: p }] })],
      ['eulas[0]', (p) => ({ ...userspace, eulas: [p] })],
      ['kernels[0].develRpm', (p) => ({ ...driver, kernels: [{ version: '6.1.0-28-amd64', develRpm: `${p}.rpm` }] })],
      ['lint.previous', (p) => ({ ...driver, lint: { previous: `${p}.iso` } })],
    ];
    for (const [field, manifest] of fields) {
      for (const p of ['x\\..\\..\\..\\etc\\passwd', 'src\\driver', 'C:/src', 'c:src', './C:', './/C:/x', '/src', 'a/../../src', 'src\tx', 'src\nx', 'src\u007f', 'src\uffff', 'src\ud83d', 'src\ud83dx', 'src\udc00', '\udc00x', 'a\ude00\ud83d']) {
        const result = manifestSchema.safeParse(manifest(p));
        expect(result.success, `${field} = ${JSON.stringify(p)}`).toBe(false);
        expect(result.error!.issues[0]!.message).toMatch(/relative to the (project|workspace) root, with "\/" between directories and no "\.\." or control characters/);
      }
      // a name with dots that is no ".." component stays a name
      expect(manifestSchema.safeParse(manifest('src/..a/b..')).success, field).toBe(true);
      // a character beyond U+FFFF (a surrogate pair) is a character like any other
      expect(manifestSchema.safeParse(manifest('src/\ud83d\ude00')).success, field).toBe(true);
    }
  });

  test('target names can be overridden; executors and dependsOn follow', () => {
    const t = inferTargets('p', driver, { options: { buildIsoTargetName: 'iso', buildRpmsTargetName: 'rpms' } });
    expect(t.iso.executor).toBe('suppack:build-iso');
    expect(t.iso.dependsOn).toEqual(['lint', 'pack-metadata', '^iso']);
    expect(t['collect-rpms'].dependsOn).toEqual(['rpms']);
    expect(t.bundle.dependsOn).toEqual(['iso', 'build-srctarballs']);
    expect(t['build-iso']).toBeUndefined();
  });

  test('without suppack installed no externalDependencies input is emitted', () => {
    const t = inferTargets('p', driver, { externalDependency: false });
    for (const c of Object.values(t)) expect(c.inputs).not.toContainEqual(ext);
    expect(t['render-spec'].inputs).toEqual([reads('p', 'render-spec'), '{projectRoot}/specs/acme-modules.spec']);
  });

  test('project metadata: description, technologies, a target group', () => {
    const targets = inferTargets('p', prebuilt);
    expect(inferProjectMetadata(prebuilt, targets)).toEqual({
      description: 'Acme NIC driver (acme:acme-nic 1.0, supplemental pack)',
      technologies: ['xenserver'],
      targetGroups: { 'Supplemental pack': ['collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle'] },
    });
  });

  test('outputs come from stageDirs, tokenised; a pack at the workspace root has no {projectRoot} segment', () => {
    expect(tokenisedStageDirs('packs/a').iso).toBe('{workspaceRoot}/dist/{projectRoot}/iso');
    expect(tokenisedStageDirs('.').iso).toBe('{workspaceRoot}/dist/iso');
    expect(inferTargets('.', prebuilt)['build-iso'].outputs).toEqual(['{workspaceRoot}/dist/iso']);
  });
});

describe('bundle and installer projects (pure: the members are data, no file system)', () => {
  const anyParse = (m: ProjectManifestInput) => projectManifestSchema.parse(m);
  const legacyPack = (label: string) => parse({ pack: { ...pack, label }, prebuilt: ['x.rpm'] });
  const updatePack = parse({
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' },
    prebuilt: ['x.rpm'],
  });
  const bundleOf = (packs: string[]) => anyParse({ kind: 'bundle', name: 'acme-all', volumeId: 'Acme packs', packs });
  const projects: Record<string, MemberProject> = {
    nic: { root: 'packs/nic', manifest: legacyPack('acme-nic') },
    fw: { root: 'packs/fw', manifest: legacyPack('acme-fw') },
    all: { root: 'bundles/all', manifest: bundleOf(['nic', 'fw']) },
    upd: { root: 'packs/upd', manifest: updatePack },
    inst: { root: 'installers/x', manifest: anyParse({ kind: 'installer', baseIso: 'b.iso', answerfile: 'a.xml' }) },
    broken: { root: 'packs/broken' },
  };
  const members = (name: string) => projects[name];
  const content = (fileset: string) => ({ fileset, includeIgnored: true });

  test('bundle: one cached combine-packs target, exact', () => {
    const t = inferTargets('bundles/mix', bundleOf(['nic', 'isos/vendor.iso', 'all', 'fw']), { members, projectName: 'mix' });
    expect(t).toEqual({
      'combine-packs': {
        executor: 'suppack:combine-packs',
        ...common,
        inputs: [
          '{projectRoot}/suppack.json',
          content('{projectRoot}/isos/vendor.iso'),
          ext,
          epoch,
          { dependentTasksOutputFiles: '**/*.iso' },
        ],
        outputs: ['{workspaceRoot}/dist/{projectRoot}/bundle-iso'],
        dependsOn: [
          { projects: ['nic', 'fw'], target: 'build-iso' },
          { projects: ['all'], target: 'combine-packs' },
        ],
        metadata: meta(t['combine-packs'].metadata!.description!),
      },
    });
  });

  test('bundle of ISO files only: no dependsOn, no dependentTasksOutputFiles', () => {
    const t = inferTargets('b', bundleOf(['a.iso', './sub/b.iso']), { externalDependency: false });
    expect(t['combine-packs'].inputs).toEqual(['{projectRoot}/suppack.json', content('{projectRoot}/a.iso'), content('{projectRoot}/sub/b.iso'), epoch]);
    expect(t['combine-packs'].dependsOn).toBeUndefined();
  });

  test('installer: one cached rebuild-iso target; the base ISO, answerfile and include trees are inputs by content', () => {
    const m = anyParse({
      kind: 'installer',
      baseIso: 'iso/XenServer-7.0.0-install-cd.iso',
      packs: ['all', 'extra/site.iso', 'nic'],
      answerfile: 'answerfile.xml',
      include: [{ from: 'site/', to: 'site' }, { from: 'motd' }],
      drivers: ['drivers/acme-nic-modules.rpm'],
      volumeId: 'Acme XenServer',
    });
    const t = inferTargets('installers/acme', m, { members, projectName: 'acme-installer' });
    expect(t).toEqual({
      'rebuild-iso': {
        executor: 'suppack:rebuild-iso',
        ...common,
        inputs: [
          '{projectRoot}/suppack.json',
          content('{projectRoot}/iso/XenServer-7.0.0-install-cd.iso'),
          content('{projectRoot}/extra/site.iso'),
          content('{projectRoot}/answerfile.xml'),
          content('{projectRoot}/drivers/acme-nic-modules.rpm'),
          content('{projectRoot}/site'),
          content('{projectRoot}/site/**/*'),
          content('{projectRoot}/motd'),
          content('{projectRoot}/motd/**/*'),
          ext,
          epoch,
          { dependentTasksOutputFiles: '**/*.iso' },
        ],
        outputs: ['{workspaceRoot}/dist/{projectRoot}/installer'],
        dependsOn: [
          { projects: ['nic'], target: 'build-iso' },
          { projects: ['all'], target: 'combine-packs' },
        ],
        metadata: meta(t['rebuild-iso'].metadata!.description!),
      },
    });
    expect(inferProjectMetadata(m, t)).toEqual({
      description: 'Installer ISO from XenServer-7.0.0-install-cd.iso with 3 packs, an answerfile, 2 includes',
      technologies: ['xenserver'],
      targetGroups: { 'Installer ISO': ['rebuild-iso'] },
    });
    expect(inferProjectMetadata({ ...(m as InstallerManifest), bootEntries: ['install', 'no-serial'] }, t).description).toBe(
      'Installer ISO from XenServer-7.0.0-install-cd.iso with 3 packs, an answerfile for boot entries install, no-serial, 2 includes',
    );
  });

  test('renamed targets: the member dependsOn follows the new names', () => {
    const t = inferTargets('b', bundleOf(['nic', 'all']), { members, options: { buildIsoTargetName: 'iso', combinePacksTargetName: 'combine' } });
    expect(Object.keys(t)).toEqual(['combine']);
    expect(t.combine.executor).toBe('suppack:combine-packs');
    expect(t.combine.dependsOn).toEqual([
      { projects: ['nic'], target: 'iso' },
      { projects: ['all'], target: 'combine' },
    ]);
  });

  test('bundle metadata', () => {
    const m = bundleOf(['nic', 'fw']);
    expect(inferProjectMetadata(m, inferTargets('b', m, { members }))).toEqual({
      description: 'Acme packs (acme-all.iso, 2 legacy packs combined)',
      technologies: ['xenserver'],
      targetGroups: { 'Combined pack': ['combine-packs'] },
    });
  });

  const bad: Array<[string, string[], string]> = [
    [
      'an update-format pack',
      ['nic', 'upd'],
      `bundles/b/suppack.json: packs[1]: project "upd" ${UPDATE_PACKS_CANNOT_COMBINE}`,
    ],
    [
      'an unknown project',
      ['nope'],
      'bundles/b/suppack.json: packs[0]: no suppack project "nope" in the workspace: expected a legacy pack or bundle project, or a pack ISO path ending in .iso',
    ],
    [
      'an installer project',
      ['inst'],
      'bundles/b/suppack.json: packs[0]: project "inst" is an installer project: expected a legacy pack or bundle project (an installer ISO is no pack)',
    ],
    ['a project with a broken manifest', ['broken'], 'bundles/b/suppack.json: packs[0]: project "broken" has an invalid packs/broken/suppack.json: fix it first'],
    ['itself', ['b'], 'bundles/b/suppack.json: packs[0]: a project cannot contain itself: expected another pack or bundle project'],
  ];
  test.each(bad)('a member that is %s is refused with file and field', (_, packs, message) => {
    let error: unknown;
    try {
      inferTargets('bundles/b', bundleOf(packs), { members, projectName: 'b' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SuppackError);
    expect((error as SuppackError).message).toBe(message);
    expect((error as SuppackError).file).toBe('bundles/b/suppack.json');
    expect((error as SuppackError).field).toMatch(/^packs\[\d\]$/);
  });

  test('no absolute or machine path, and the member roots stay out of the targets', () => {
    const m = anyParse({ kind: 'installer', baseIso: 'b.iso', packs: ['nic', 'all'], answerfile: 'a.xml' });
    const json = JSON.stringify(inferTargets('installers/acme', m, { members }));
    expect(json).not.toMatch(/"\//);
    expect(json).not.toContain('installers/acme');
    expect(json).not.toContain('packs/nic');
    expect(json).not.toContain('bundles/all');
  });

  test('projectIso: the ISO a legacy pack or a bundle member builds, from stageDirs', () => {
    expect(projectIso('packs/nic', projects.nic.manifest!)).toBe('dist/packs/nic/iso/acme-nic.iso');
    expect(projectIso('bundles/all', projects.all.manifest!)).toBe('dist/bundles/all/bundle-iso/acme-all.iso');
    expect(projectIso('packs/upd', updatePack)).toBeUndefined();
  });
});

describe('kernel inputs of build-rpms (issue 12 items 4, 5)', () => {
  const modules = { spec: 'specs/m.spec', kind: 'kernel-module' as const, version: '1.0' };
  const withKernels = (kernels: ManifestInput['kernels'], rpms: ManifestInput['rpms'] = [modules]) => parse({ pack, rpms, kernels });

  test('a kernel-devel RPM is hashed by its bytes (workspace-relative, even when gitignored); no runtime probe for it', () => {
    const m = withKernels([{ version: '4.19.0+1', develRpm: './kernels/kernel-devel-4.19.19-8.0.38.1.xcpng8.3.x86_64.rpm' }]);
    expect(kernelInputs(m)).toEqual([{ fileset: '{workspaceRoot}/kernels/kernel-devel-4.19.19-8.0.38.1.xcpng8.3.x86_64.rpm', includeIgnored: true }]);
    const inputs = inferTargets('packs/acme-nic', m)['build-rpms'].inputs!;
    expect(inputs).toContainEqual({ fileset: '{workspaceRoot}/kernels/kernel-devel-4.19.19-8.0.38.1.xcpng8.3.x86_64.rpm', includeIgnored: true });
    expect(inputs.filter((i) => typeof i === 'object' && 'runtime' in i && !i.runtime.startsWith('node -e '))).toEqual([{ runtime: 'rpmbuild --version' }]);
  });

  test('a build tree on the machine (buildDir or the default) is hashed by its identity files; mixed kernels each get theirs', () => {
    const m = withKernels([{ version: '6.1.0-28-amd64' }, { version: '4.19.0+1', buildDir: '/opt/k/4.19' }, { version: '4.19.0+1', develRpm: 'k.rpm' }]);
    expect(kernelInputs(m)).toEqual([
      { runtime: kernelTreeIdentityCommand('/lib/modules/6.1.0-28-amd64/build') },
      { runtime: kernelTreeIdentityCommand('/opt/k/4.19') },
      { fileset: '{workspaceRoot}/k.rpm', includeIgnored: true },
    ]);
    expect(kernelTreeIdentityCommand('/opt/k/4.19')).toBe(`cd '/opt/k/4.19' 2>/dev/null && sha256sum -- ${KERNEL_TREE_IDENTITY.join(' ')} 2>/dev/null; true`);
  });

  test('no kernel-module spec: no kernel input, whatever kernels lists', () => {
    const m = withKernels([{ version: '6.1.0' }], [{ spec: 's.spec', version: '1.0' }]);
    expect(kernelInputs(m)).toEqual([]);
    expect(JSON.stringify(inferTargets('p', m)['build-rpms'].inputs)).not.toContain('sha256sum');
  });

  test('the identity command prints the digests of the files that name the tree, changes with them, and never fails', () => {
    const dir = mkdtempSync(join(tmpdir(), "suppack-kid-it's "));
    try {
      const run = () => execFileSync('sh', ['-c', kernelTreeIdentityCommand(dir)], { encoding: 'utf8' });
      expect(run()).toBe('');
      mkdirSync(join(dir, 'include/generated'), { recursive: true });
      writeFileSync(join(dir, 'include/generated/utsrelease.h'), '#define UTS_RELEASE "4.19.0+1"\n');
      writeFileSync(join(dir, 'Module.symvers'), '0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\n');
      const first = run();
      expect(first.trim().split('\n').map((l) => l.split(/\s+/)[1])).toEqual(['Module.symvers', 'include/generated/utsrelease.h']);
      expect(first).not.toContain(dir);
      writeFileSync(join(dir, 'Module.symvers'), '0x2\tprintk\tvmlinux\tEXPORT_SYMBOL\n');
      expect(run()).not.toBe(first);
      writeFileSync(join(dir, 'unrelated.h'), 'x');
      const second = run();
      writeFileSync(join(dir, 'unrelated.h'), 'y');
      expect(run()).toBe(second);
      expect(execFileSync('sh', ['-c', kernelTreeIdentityCommand(join(dir, 'absent'))], { encoding: 'utf8' })).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('develRpm and buildDir together are refused; develRpm must be an RPM path inside the workspace', () => {
    const issues = (k: object) => manifestSchema.safeParse({ pack, rpms: [modules], kernels: [k] }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ version: '1', develRpm: 'k.rpm', buildDir: '/k' })).toEqual(['kernels.0.buildDir: give either buildDir or develRpm, not both (develRpm brings its own build tree)']);
    // buildDir reaches rpmbuild as a macro body, make, and the identity command's shell: a plain absolute path only
    for (const dir of ['usr/src/k', '/usr/src/%(touch pwned)', '/usr/src/$(touch pwned)', '/usr/src/a b', "/usr/src/it's", '/usr/src/\u0000', '/usr/src/a\nb', '/usr/src/a\\b']) {
      expect(issues({ version: '1', buildDir: dir })?.[0], dir).toMatch(/^kernels\.0\.buildDir: expected an absolute path of letters, digits/);
    }
    expect(issues({ version: '1', buildDir: '/usr/src/linux-headers-6.1.0-28-amd64/' })).toBeUndefined();
    expect(issues({ version: '1', develRpm: '../k.rpm' })?.[0]).toMatch(/^kernels\.0\.develRpm: expected the kernel-devel RPM relative to the workspace root/);
    expect(issues({ version: '1', develRpm: '/k.rpm' })?.[0]).toMatch(/^kernels\.0\.develRpm: expected the kernel-devel RPM relative to the workspace root/);
    expect(issues({ version: '1', develRpm: 'k.tar' })).toEqual(['kernels.0.develRpm: expected a kernel-devel RPM file (ending in .rpm)']);
  });
});

describe('what each pack stage hashes of suppack.json (core/products/stage-reads.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), "suppack-reads-it's "));
  const run = (stage: PackStageName, manifest: unknown) => {
    mkdirSync(join(dir, 'packs', 'a b'), { recursive: true });
    writeFileSync(join(dir, 'packs', 'a b', 'suppack.json'), `\ufeff${JSON.stringify(manifest, null, 2)}`);
    const input = manifestReadsInput('packs/a b/suppack.json', stage) as { runtime: string };
    // as Nx runs a runtime input: a shell in the workspace root
    return execFileSync('sh', ['-c', input.runtime], { cwd: dir, encoding: 'utf8' });
  };
  const base = { pack: { ...pack, text: 'first' }, rpms: [{ spec: 's.spec', version: '1.0' }], lint: { ignore: {} } };

  test('prints the parts the stage reads (a missing one as null), from a path with a space and a quote-free command', () => {
    expect(JSON.parse(run('bundle', base))).toEqual([
      ['kind', null],
      ['format', null],
      ['pack.label', 'acme-nic'],
    ]);
    expect(JSON.parse(run('build-srctarballs', base))).toEqual([
      ['kind', null],
      ['format', null],
      ['rpms', [{ spec: 's.spec', version: '1.0' }]],
    ]);
  });

  // Nx runs a runtime input with child_process.exec: /bin/sh here, cmd.exe on Windows (which
  // cannot run here). Inside double quotes, a word without " $ ` \\ % ! ^ reads the same in both.
  test('the command is double-quoted words that sh and cmd.exe read alike, unless the path needs sh quoting', () => {
    const input = manifestReadsInput('packs/a b/suppack.json', 'build-iso') as { runtime: string };
    expect(input.runtime).toBe(`node -e "${PICK_JSON_PATHS}" "packs/a b/suppack.json" ${MANIFEST_READS['build-iso'].join(' ')}`);
    expect(PICK_JSON_PATHS).toMatch(/^[^"$`\\%!^\r\n]+$/);
    expect(bothShellsWord('a$b')).toBe("'a$b'");
    expect(bothShellsWord("50% it's")).toBe(`'50% it'\\''s'`);
    mkdirSync(join(dir, 'packs', '$HOME%x'), { recursive: true });
    writeFileSync(join(dir, 'packs', '$HOME%x', 'suppack.json'), JSON.stringify(base));
    const odd = manifestReadsInput('packs/$HOME%x/suppack.json', 'bundle') as { runtime: string };
    expect(JSON.parse(execFileSync('sh', ['-c', odd.runtime], { cwd: dir, encoding: 'utf8' }))).toEqual([
      ['kind', null],
      ['format', null],
      ['pack.label', 'acme-nic'],
    ]);
  });

  test('pack.text changes the hash of the stages that read it, pack-metadata and build-iso, only', () => {
    const edited = { ...base, pack: { ...base.pack, text: 'second' } };
    const changed = (['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle'] as const).filter(
      (stage) => run(stage, base) !== run(stage, edited),
    );
    expect(changed).toEqual(['pack-metadata', 'build-iso']);
    rmSync(dir, { recursive: true, force: true });
  });
});
