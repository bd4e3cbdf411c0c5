import { describe, expect, test } from 'vitest';
import { manifestSchema, type ManifestInput } from '../schemas/manifest';
import { inferProjectMetadata, inferTargets, tokenisedStageDirs } from './targets';

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

describe('inferTargets', () => {
  test('driver pack (two kernels): the seven targets, exact', () => {
    const t = inferTargets('packs/acme-nic', driver);
    expect(Object.keys(t)).toEqual(['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['render-spec']).toEqual({
      executor: 'suppack:render-spec',
      ...common,
      inputs: ['{projectRoot}/suppack.json', '{projectRoot}/specs/acme-modules.spec', ext],
      outputs: out('specs'),
      metadata: meta(t['render-spec'].metadata!.description!),
    });
    expect(t['build-srctarballs']).toEqual({
      executor: 'suppack:build-srctarballs',
      ...common,
      inputs: ['{projectRoot}/suppack.json', '{projectRoot}/src/**/*', ext, epoch],
      outputs: out('SOURCES'),
      metadata: meta(t['build-srctarballs'].metadata!.description!),
    });
    expect(t['build-rpms']).toEqual({
      executor: 'suppack:build-rpms',
      ...common,
      inputs: [
        '{projectRoot}/suppack.json',
        '{projectRoot}/specs/acme-modules.spec',
        '{projectRoot}/src/**/*',
        ext,
        { runtime: 'rpmbuild --version' },
        epoch,
      ],
      outputs: out('RPMS'),
      dependsOn: ['render-spec', 'build-srctarballs'],
      metadata: meta(t['build-rpms'].metadata!.description!),
    });
    expect(t['collect-rpms']).toEqual({
      executor: 'suppack:collect-rpms',
      ...common,
      inputs: ['{projectRoot}/suppack.json', ext, { dependentTasksOutputFiles: '**/*.rpm' }],
      outputs: out('rpms'),
      dependsOn: ['build-rpms'],
      metadata: meta(t['collect-rpms'].metadata!.description!),
    });
    expect(t['pack-metadata']).toEqual({
      executor: 'suppack:pack-metadata',
      ...common,
      inputs: ['{projectRoot}/suppack.json', ext, { dependentTasksOutputFiles: '**/*.rpm' }],
      outputs: out('metadata'),
      dependsOn: ['collect-rpms'],
      metadata: meta(t['pack-metadata'].metadata!.description!),
    });
    expect(t['build-iso']).toEqual({
      executor: 'suppack:build-iso',
      ...common,
      inputs: [
        '{projectRoot}/suppack.json',
        ext,
        epoch,
        { dependentTasksOutputFiles: '**/XS-*' },
        { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
      ],
      outputs: out('iso'),
      dependsOn: ['pack-metadata', '^build-iso'],
      metadata: meta(t['build-iso'].metadata!.description!),
    });
    expect(t.bundle).toEqual({
      executor: 'suppack:bundle',
      ...common,
      inputs: ['{projectRoot}/suppack.json', ext, epoch, { dependentTasksOutputFiles: '**/*' }],
      outputs: out('bundle'),
      dependsOn: ['build-iso', 'build-srctarballs'],
      metadata: meta(t.bundle.metadata!.description!),
    });
  });

  test('every target has a description of its own', () => {
    const descriptions = Object.values(inferTargets('p', driver)).map((t) => t.metadata?.description);
    expect(descriptions.every((d) => typeof d === 'string' && d.length > 20)).toBe(true);
    expect(new Set(descriptions).size).toBe(7);
  });

  test('userspace pack: EULAs are inputs of render-spec and build-rpms, never sources of a tarball', () => {
    const t = inferTargets('packs/tool', userspace);
    expect(t['render-spec'].inputs).toEqual([
      '{projectRoot}/suppack.json',
      '{projectRoot}/specs/acme-tool.spec',
      '{projectRoot}/docs/acme-EULA',
      ext,
    ]);
    expect(t['build-srctarballs'].inputs).toEqual(['{projectRoot}/suppack.json', '{projectRoot}/tool/**/*', ext, epoch]);
    expect(t['build-rpms'].inputs).toEqual([
      '{projectRoot}/suppack.json',
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
    expect(Object.keys(t)).toEqual(['collect-rpms', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['collect-rpms']).toEqual({
      executor: 'suppack:collect-rpms',
      ...common,
      inputs: ['{projectRoot}/suppack.json', '{projectRoot}/rpms/*.rpm', '{projectRoot}/vendor/**/*.rpm', ext],
      outputs: out('rpms'),
      metadata: meta(t['collect-rpms'].metadata!.description!),
    });
    expect(t.bundle.dependsOn).toEqual(['build-iso']);
  });

  test('a spec without sources adds no tarball input and no build-srctarballs', () => {
    const t = inferTargets('p', parse({ pack, rpms: [{ spec: 'meta.spec', version: '1' }] }));
    expect(Object.keys(t)).toEqual(['render-spec', 'build-rpms', 'collect-rpms', 'pack-metadata', 'build-iso', 'bundle']);
    expect(t['build-rpms'].dependsOn).toEqual(['render-spec']);
    expect(t['build-rpms'].inputs).toEqual(['{projectRoot}/suppack.json', '{projectRoot}/meta.spec', ext, { runtime: 'rpmbuild --version' }, epoch]);
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
    expect(strings.filter((s) => s.startsWith('/') || s.includes(dirty) || s.includes('packs/acme-nic'))).toEqual([]);
  });

  test('target names can be overridden; executors and dependsOn follow', () => {
    const t = inferTargets('p', driver, { targetNames: { 'build-iso': 'iso', 'build-rpms': 'rpms' } });
    expect(t.iso.executor).toBe('suppack:build-iso');
    expect(t.iso.dependsOn).toEqual(['pack-metadata', '^iso']);
    expect(t['collect-rpms'].dependsOn).toEqual(['rpms']);
    expect(t.bundle.dependsOn).toEqual(['iso', 'build-srctarballs']);
    expect(t['build-iso']).toBeUndefined();
  });

  test('without suppack installed no externalDependencies input is emitted', () => {
    const t = inferTargets('p', driver, { externalDependency: false });
    for (const c of Object.values(t)) expect(c.inputs).not.toContainEqual(ext);
    expect(t['render-spec'].inputs).toEqual(['{projectRoot}/suppack.json', '{projectRoot}/specs/acme-modules.spec']);
  });

  test('project metadata: description, technologies, a target group', () => {
    const targets = inferTargets('p', prebuilt);
    expect(inferProjectMetadata(prebuilt, targets)).toEqual({
      description: 'Acme NIC driver (acme:acme-nic 1.0, supplemental pack)',
      technologies: ['xenserver'],
      targetGroups: { 'Supplemental pack': ['collect-rpms', 'pack-metadata', 'build-iso', 'bundle'] },
    });
  });

  test('outputs come from stageDirs, tokenised; a pack at the workspace root has no {projectRoot} segment', () => {
    expect(tokenisedStageDirs('packs/a').iso).toBe('{workspaceRoot}/dist/{projectRoot}/iso');
    expect(tokenisedStageDirs('.').iso).toBe('{workspaceRoot}/dist/iso');
    expect(inferTargets('.', prebuilt)['build-iso'].outputs).toEqual(['{workspaceRoot}/dist/iso']);
  });
});
