/**
 * Target inference for one pack project: a PURE function of the project root and its parsed
 * `suppack.json`. No file system, no machine path: every input and output is a `{projectRoot}` /
 * `{workspaceRoot}` token, so two checkouts at different paths compute the same task hashes
 * (nx-gulp.md 4.1) and share a remote cache.
 *
 * Stage chain (each stage's output is the next one's input, carried by dependsOn +
 * dependentTasksOutputFiles, never by reading another target's folder):
 *
 *   render-spec ─┐
 *                ├─► build-rpms ─► collect-rpms ─► pack-metadata ─► build-iso ─► bundle
 *   build-srctarballs ─┘                                                ▲           │
 *            └──────────────────────────────────────────────────────────┼───────────┘
 *                                                         ^build-iso (required workspace packs)
 */
import { posix } from 'node:path';
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import type { Manifest } from '../schemas/manifest';
import { MANIFEST_FILE } from '../schemas/manifest';
import { stageDirs, type StageDirs } from '../core/project-layout';
import { targetNames, type Stage, type SuppackPluginOptions } from './options';

/** The npm package whose version (and lockfile closure) every target hashes. */
export const PACKAGE_NAME = 'suppack';
export const TECHNOLOGY = 'xenserver';

export interface InferContext extends SuppackPluginOptions {
  /**
   * The package hashed as `{externalDependencies: [...]}`; `false` when suppack is not an
   * installed package of the workspace (the repo dogfooding its own source), where Nx would reject
   * an external dependency it cannot find. Default `suppack`.
   */
  externalDependency?: string | false;
}

/** One entry of a target's `inputs` (Nx's InputDefinition or a fileset string). */
export type Input = NonNullable<TargetConfiguration['inputs']>[number];
export type ProjectMetadata = NonNullable<ProjectConfiguration['metadata']>;

const DESCRIPTIONS: Record<Stage, string> = {
  'render-spec': 'Render the spec templates (one per kernel for kernel modules) with the pack macros, plus status-report and EULA files',
  'build-srctarballs': 'Pack each spec\'s sources directory into a deterministic <name>-<version>.tar.gz',
  'build-rpms': 'Build the binary RPMs with rpmbuild from the rendered specs and source tarballs',
  'collect-rpms': 'Collect the built RPMs and the prebuilt ones into the pack\'s RPM set',
  'pack-metadata': 'Write the pack metadata XS-REPOSITORY and XS-PACKAGES',
  'build-iso': 'Build the supplemental pack ISO with its .iso.md5 and .metadata.md5',
  bundle: 'Zip the ISO, the md5 files and the source tarballs for release (GPL sources)',
};

/** The targets of a pack project, keyed by target name. */
export function inferTargets(
  projectRoot: string,
  manifest: Manifest,
  ctx: InferContext = {},
): Record<string, TargetConfiguration> {
  const name = targetNames(ctx);
  const out = tokenisedStageDirs(projectRoot);
  const file = (rel: string) => `{projectRoot}/${clean(rel)}`;

  const manifestInput = file(MANIFEST_FILE);
  const external: Input[] = ctx.externalDependency === false ? [] : [{ externalDependencies: [ctx.externalDependency ?? PACKAGE_NAME] }];
  const epoch: Input = { env: 'SOURCE_DATE_EPOCH' };

  const templates = unique(manifest.rpms.map((r) => file(r.spec)));
  const eulas = unique(manifest.eulas.map(file));
  const sources = unique(manifest.rpms.flatMap((r) => (r.sources === undefined ? [] : [tree(r.sources)])));
  const prebuilt = unique(manifest.prebuilt.map(file));

  const hasSpecs = manifest.rpms.length > 0;
  const hasSources = sources.length > 0;

  const target = (stage: Stage, inputs: Input[], outputs: string, dependsOn: string[]): TargetConfiguration => ({
    executor: `${PACKAGE_NAME}:${stage}`,
    cache: true,
    options: {},
    inputs,
    outputs: [outputs],
    ...(dependsOn.length ? { dependsOn } : {}),
    metadata: { description: DESCRIPTIONS[stage], technologies: [TECHNOLOGY] },
  });

  const targets: Record<string, TargetConfiguration> = {};
  if (hasSpecs) {
    // The rendered text has no timestamps: no SOURCE_DATE_EPOCH. Sources are not read here.
    targets[name['render-spec']] = target('render-spec', [manifestInput, ...templates, ...eulas, ...external], out.specs, []);
  }
  if (hasSources) {
    // Tar entry mtimes come from SOURCE_DATE_EPOCH.
    targets[name['build-srctarballs']] = target('build-srctarballs', [manifestInput, ...sources, ...external, epoch], out.sources, []);
  }
  if (hasSpecs) {
    targets[name['build-rpms']] = target(
      'build-rpms',
      [manifestInput, ...templates, ...eulas, ...sources, ...external, { runtime: 'rpmbuild --version' }, epoch],
      out.built,
      [name['render-spec'], ...(hasSources ? [name['build-srctarballs']] : [])],
    );
  }
  targets[name['collect-rpms']] = target(
    'collect-rpms',
    [manifestInput, ...prebuilt, ...external, ...(hasSpecs ? [{ dependentTasksOutputFiles: '**/*.rpm' }] : [])],
    out.rpms,
    hasSpecs ? [name['build-rpms']] : [],
  );
  if (manifest.format === 'legacy') {
    targets[name['pack-metadata']] = target(
      'pack-metadata',
      [manifestInput, ...external, { dependentTasksOutputFiles: '**/*.rpm' }],
      out.metadata,
      [name['collect-rpms']],
    );
    targets[name['build-iso']] = target(
      'build-iso',
      [
        manifestInput,
        ...external,
        epoch,
        // XS-REPOSITORY / XS-PACKAGES of pack-metadata, and the collected RPMs one step further up.
        { dependentTasksOutputFiles: '**/XS-*' },
        { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
      ],
      out.iso,
      [name['pack-metadata'], `^${name['build-iso']}`],
    );
  } else {
    const pack = manifest.pack;
    // update.xml names the public key file (key=), and the control RPM carries the scripts.
    const scripts = [pack.precheck, pack.remove, pack.key].filter((f): f is string => f !== undefined).map(file);
    // The public key is an input of the ISO; the secret key never is (it comes from the
    // environment): the build refuses a secret key that the public key does not match.
    const isoFiles = [pack.key, pack.groupfile].filter((f): f is string => f !== undefined).map(file);
    targets[name['pack-metadata']] = {
      ...target('pack-metadata', [manifestInput, ...scripts, ...external, epoch, { dependentTasksOutputFiles: '**/*.rpm' }], out.metadata, [
        name['collect-rpms'],
      ]),
      metadata: { description: 'Write update.xml and the generated update-/control- RPMs', technologies: [TECHNOLOGY] },
    };
    targets[name['build-iso']] = {
      ...target(
        'build-iso',
        [
          manifestInput,
          ...scripts,
          ...isoFiles,
          ...external,
          epoch,
          { dependentTasksOutputFiles: '**/update.xml' },
          { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
        ],
        out.iso,
        [name['pack-metadata']],
      ),
      metadata: {
        description: `Build the ${pack.driverDisk ? 'driver disk' : 'update'} ISO (signed yum repo, update.xml) with its .sha256`,
        technologies: [TECHNOLOGY],
      },
    };
  }
  targets[name.bundle] = target(
    'bundle',
    [manifestInput, ...external, epoch, { dependentTasksOutputFiles: '**/*' }],
    out.bundle,
    [name['build-iso'], ...(hasSources ? [name['build-srctarballs']] : [])],
  );
  return targets;
}

/** Project-level metadata: what the pack is, and the targets grouped for the Nx UI. */
export function inferProjectMetadata(manifest: Manifest, targets: Record<string, TargetConfiguration>): ProjectMetadata {
  return {
    description:
      manifest.format === 'legacy'
        ? `${manifest.pack.text} (${manifest.pack.vendorCode}:${manifest.pack.label} ${manifest.pack.version}, supplemental pack)`
        : `${manifest.pack.description.split('\n')[0]} (${manifest.pack.label}${manifest.pack.version ? ` ${manifest.pack.version}` : ''}, ${manifest.pack.driverDisk ? 'driver disk' : 'update'})`,
    technologies: [TECHNOLOGY],
    targetGroups: { 'Supplemental pack': Object.keys(targets) },
  };
}

/**
 * The stage output directories as Nx output tokens: `{workspaceRoot}/dist/{projectRoot}/<sub>`,
 * from the same `stageDirs` the executors use with the real root.
 */
export function tokenisedStageDirs(projectRoot: string): StageDirs {
  const atRoot = clean(projectRoot) === '.';
  const dirs = stageDirs(atRoot ? '' : '{projectRoot}');
  const tokenised = {} as StageDirs;
  for (const [key, dir] of Object.entries(dirs) as [keyof StageDirs, string][]) tokenised[key] = `{workspaceRoot}/${dir}`;
  return tokenised;
}

/** A manifest-relative path in POSIX form without `./` or a trailing slash. */
function clean(rel: string): string {
  const p = posix.normalize(rel.replace(/\\/g, '/')).replace(/\/+$/, '');
  return p === '' ? '.' : p;
}

function tree(dir: string): string {
  const d = clean(dir);
  return d === '.' ? '{projectRoot}/**/*' : `{projectRoot}/${d}/**/*`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
