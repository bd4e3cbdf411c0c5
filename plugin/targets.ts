/**
 * Target inference for one project: a PURE function of the project root and its parsed
 * `suppack.json` (plus, for bundle and installer projects, what createNodes read of their member
 * projects, handed over as data). No file system, no machine path: every input and output is a `{projectRoot}` /
 * `{workspaceRoot}` token, so two checkouts at different paths compute the same task hashes
 * (docs/nx/caching.md) and share a remote cache.
 *
 * Stage chain (each stage's output is the next one's input, carried by dependsOn +
 * dependentTasksOutputFiles, never by reading another target's folder):
 *
 *   render-spec ─┐                              ┌─► lint ──────────────┐
 *                ├─► build-rpms ─► collect-rpms ─┴─► pack-metadata ─► build-iso ─► bundle
 *   build-srctarballs ─┘                                                ▲           │
 *            └──────────────────────────────────────────────────────────┼───────────┘
 *                                                         ^build-iso (required workspace packs)
 *
 * A bundle project has one target, combine-packs; an installer project one, rebuild-iso. Each
 * dependsOn the build-iso (legacy pack members) or combine-packs (bundle members) of its members.
 */
import { posix } from 'node:path';
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import type { BundleManifest, InstallerManifest, Manifest, ProjectManifest } from '../schemas/manifest';
import { MANIFEST_FILE } from '../schemas/manifest';
import { kernelBuildDir, stageDirs, type StageDirs } from '../core/graph';
import { MANIFEST_READS, STAGES, stagesOfKind, type PackStageName, type StageInfo } from '../core/graph';
import { resolveMembers, type MemberLookup } from '../core/graph';
import { targetNames, type Stage, type SuppackPluginOptions } from './options';

/** The npm package whose version (and lockfile closure) every target hashes. */
export const PACKAGE_NAME = 'suppack';
export const TECHNOLOGY = 'xenserver';

export interface InferContext {
  /** The plugin's options (target names); checked by createNodes before inference. */
  options?: SuppackPluginOptions;
  /**
   * The package hashed as `{externalDependencies: [...]}`; `false` when suppack is not an
   * installed package of the workspace (the repo dogfooding its own source), where Nx would reject
   * an external dependency it cannot find. Default `suppack`.
   */
  externalDependency?: string | false;
  /**
   * The workspace's suppack projects by Nx name, for the `packs` of a bundle or installer (data
   * read beforehand by createNodes; inference itself reads nothing). Default: none known.
   */
  members?: MemberLookup;
  /** This project's Nx name: a bundle or installer listing itself is refused. */
  projectName?: string;
}

/** One entry of a target's `inputs` (Nx's InputDefinition or a fileset string). */
export type Input = NonNullable<TargetConfiguration['inputs']>[number];
export type ProjectMetadata = NonNullable<ProjectConfiguration['metadata']>;

/**
 * The targets of a project, keyed by target name: a pack's stage chain, a bundle's
 * `combine-packs` or an installer's `rebuild-iso`. Throws a SuppackError (file and field) for a
 * bundle or installer member that cannot be resolved.
 */
export function inferTargets(
  projectRoot: string,
  manifest: ProjectManifest,
  ctx: InferContext = {},
): Record<string, TargetConfiguration> {
  if (manifest.kind === 'bundle' || manifest.kind === 'installer') return inferMediumTargets(projectRoot, manifest, ctx);
  return inferPackTargets(projectRoot, manifest, ctx);
}

/**
 * The targets of a project whose `suppack.json` is broken (`manifestFile`, workspace-relative):
 * every target its kind has, each failing with `errors` (the invalid-project executor), so `nx run`,
 * `run-many` and `affected` fail naming the file instead of skipping the project.
 */
export function brokenProjectTargets(
  kind: ProjectManifest['kind'],
  manifestFile: string,
  errors: string[],
  options: SuppackPluginOptions = {},
): Record<string, TargetConfiguration> {
  const name = targetNames(options);
  const targets: Record<string, TargetConfiguration> = {};
  for (const stage of stagesOfKind(kind)) {
    targets[name[stage]] = {
      executor: `${PACKAGE_NAME}:invalid-project`,
      cache: false,
      options: { errors },
      metadata: { description: `Fails until ${manifestFile} is fixed: ${STAGES[stage].summary}`, technologies: [TECHNOLOGY] },
    };
  }
  return targets;
}

function common(ctx: InferContext) {
  return {
    name: targetNames(ctx.options),
    file: (rel: string) => `{projectRoot}/${clean(rel)}`,
    manifestInput: `{projectRoot}/${MANIFEST_FILE}`,
    external: (ctx.externalDependency === false ? [] : [{ externalDependencies: [ctx.externalDependency ?? PACKAGE_NAME] }]) as Input[],
    epoch: { env: 'SOURCE_DATE_EPOCH' } as Input,
  };
}

function inferPackTargets(projectRoot: string, manifest: Manifest, ctx: InferContext): Record<string, TargetConfiguration> {
  const { name, file, external, epoch } = common(ctx);
  // Each stage hashes the parts of suppack.json it reads, nothing more (core/products/stage-reads.ts).
  const reads = (stage: PackStageName): Input => manifestReadsInput(posix.join(projectRoot || '.', MANIFEST_FILE), stage);
  const out = tokenisedStageDirs(projectRoot);

  const templates = unique(manifest.rpms.map((r) => file(r.spec)));
  const eulas = unique(manifest.eulas.map(file));
  const sources = unique(manifest.rpms.flatMap((r) => (r.sources === undefined ? [] : [tree(r.sources)])));
  const prebuilt = unique(manifest.prebuilt.map(pattern));

  const hasSpecs = manifest.rpms.length > 0;
  const hasSources = sources.length > 0;

  // Each stage writes one directory (its descriptor's `writes`), described by its summary.
  const target = (stage: PackStageName, inputs: Input[], dependsOn: string[]): TargetConfiguration => ({
    executor: `${PACKAGE_NAME}:${stage}`,
    cache: true,
    options: {},
    inputs,
    outputs: [out[STAGES[stage].writes]],
    ...(dependsOn.length ? { dependsOn } : {}),
    metadata: { description: stageSummary(stage, manifest), technologies: [TECHNOLOGY] },
  });

  const targets: Record<string, TargetConfiguration> = {};
  if (hasSpecs) {
    // The rendered text has no timestamps: no SOURCE_DATE_EPOCH. Sources are not read here.
    targets[name['render-spec']] = target('render-spec', [reads('render-spec'), ...templates, ...eulas, ...external], []);
  }
  if (hasSources) {
    // Tar entry mtimes come from SOURCE_DATE_EPOCH.
    targets[name['build-srctarballs']] = target('build-srctarballs', [reads('build-srctarballs'), ...sources, ...external, epoch], []);
  }
  if (hasSpecs) {
    targets[name['build-rpms']] = target(
      'build-rpms',
      [reads('build-rpms'), ...templates, ...eulas, ...sources, ...external, { runtime: 'rpmbuild --version' }, ...kernelInputs(manifest), epoch],
      [name['render-spec'], ...(hasSources ? [name['build-srctarballs']] : [])],
    );
  }
  targets[name['collect-rpms']] = target(
    'collect-rpms',
    [reads('collect-rpms'), ...prebuilt, ...external, ...(hasSpecs ? [{ dependentTasksOutputFiles: '**/*.rpm' }] : [])],
    hasSpecs ? [name['build-rpms']] : [],
  );
  // The rules read the collected RPMs and the pack's facts; the previous release's ISO by content.
  const previous = manifest.lint.previous !== undefined ? [{ fileset: file(manifest.lint.previous), includeIgnored: true } as Input] : [];
  // The uninstall check runs the machine's rpm: its version is part of the result.
  const rpmTool: Input[] = manifest.lint.uninstallCheck ? [{ runtime: 'rpm --version' }] : [];
  targets[name.lint] = target('lint', [reads('lint'), ...previous, ...external, ...rpmTool, { dependentTasksOutputFiles: '**/*.rpm' }], [name['collect-rpms']]);
  if (manifest.format === 'legacy') {
    targets[name['pack-metadata']] = target(
      'pack-metadata',
      [reads('pack-metadata'), ...external, { dependentTasksOutputFiles: '**/*.rpm' }],
      [name['collect-rpms']],
    );
    targets[name['build-iso']] = target(
      'build-iso',
      [
        reads('build-iso'),
        ...external,
        epoch,
        // XS-REPOSITORY / XS-PACKAGES of pack-metadata, and the collected RPMs one step further up.
        { dependentTasksOutputFiles: '**/XS-*' },
        { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
      ],
      [name.lint, name['pack-metadata'], `^${name['build-iso']}`],
    );
  } else {
    const pack = manifest.pack;
    // update.xml names the public key file (key=), and the control RPM carries the scripts.
    const scripts = [pack.precheck, pack.remove, pack.key].filter((f): f is string => f !== undefined).map(file);
    // The public key is an input of the ISO; the secret key never is (it comes from the
    // environment): the build refuses a secret key that the public key does not match.
    const isoFiles = [pack.key, pack.groupfile].filter((f): f is string => f !== undefined).map(file);
    targets[name['pack-metadata']] = target('pack-metadata', [reads('pack-metadata'), ...scripts, ...external, epoch, { dependentTasksOutputFiles: '**/*.rpm' }], [
      name['collect-rpms'],
    ]);
    targets[name['build-iso']] = target(
      'build-iso',
      [
        reads('build-iso'),
        ...scripts,
        ...isoFiles,
        ...external,
        epoch,
        { dependentTasksOutputFiles: '**/update.xml' },
        { dependentTasksOutputFiles: '**/*.rpm', transitive: true },
      ],
      [name.lint, name['pack-metadata']],
    );
  }
  targets[name.bundle] = target(
    'bundle',
    [reads('bundle'), ...external, epoch, { dependentTasksOutputFiles: '**/*' }],
    [name['build-iso'], ...(hasSources ? [name['build-srctarballs']] : [])],
  );
  return targets;
}

/** A pack stage's target description: its descriptor's summary, or its update-pack one. */
export function stageSummary(stage: PackStageName, manifest: Manifest): string {
  const { summary, updateSummary }: StageInfo = STAGES[stage];
  if (manifest.format !== 'update' || updateSummary === undefined) return summary;
  return updateSummary.replace('{medium}', manifest.pack.driverDisk ? 'driver disk' : 'update');
}

/**
 * What build-rpms reads of each kernel it builds modules for (docs/kernel-devel.md): a
 * kernel-devel RPM by its bytes (hashed even when gitignored, as downloads usually are); a build
 * tree on the machine (`buildDir` or /lib/modules/<release>/build) by its identity, a runtime input
 * printing the sha256 of the few files that name the kernel's release, configuration and exported
 * ABI (KERNEL_TREE_IDENTITY), so new headers re-run the build without hashing 80 MB of them.
 * Only when a kernel-module spec is built.
 */
export function kernelInputs(manifest: Manifest): Input[] {
  if (!manifest.rpms.some((r) => r.kind === 'kernel-module')) return [];
  const inputs: Input[] = manifest.kernels.map((k) =>
    k.develRpm !== undefined
      ? { fileset: `{workspaceRoot}/${clean(k.develRpm)}`, includeIgnored: true }
      : { runtime: kernelTreeIdentityCommand(kernelBuildDir(k)) },
  );
  return uniqueInputs(inputs);
}

/**
 * The files of a kernel build tree that identify it, relative to the tree: the Makefile (version,
 * flags), .config (every option, so struct layouts), Module.symvers (the CRC of every exported
 * symbol: the ABI a module links against), and the release and version headers (the vermagic and
 * LINUX_VERSION_CODE, generated or, before 2.6.33, in include/linux/).
 */
export const KERNEL_TREE_IDENTITY = [
  'Makefile',
  '.config',
  'Module.symvers',
  'include/config/kernel.release',
  'include/generated/utsrelease.h',
  'include/generated/uapi/linux/version.h',
  'include/linux/utsrelease.h',
  'include/linux/version.h',
] as const;

/**
 * A shell command (Nx runs runtime inputs with the shell, in the workspace root) printing one
 * `sha256  relative/path` line per identity file of `dir` that exists, and nothing else; it never
 * fails, so a missing tree hashes as empty and build-rpms then says what is missing. `dir` is
 * single-quoted: the manifest's text never reaches the shell unquoted.
 */
export function kernelTreeIdentityCommand(dir: string): string {
  return `cd ${shellQuote(dir)} 2>/dev/null && sha256sum -- ${KERNEL_TREE_IDENTITY.join(' ')} 2>/dev/null; true`;
}

/** POSIX shell single quoting: the text as one word, whatever it holds. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `combine-packs` (bundle) or `rebuild-iso` (installer). Files named by path (ISOs, answerfile,
 * include trees) are hashed by content even when gitignored (`includeIgnored`: downloaded
 * installer ISOs usually are); member projects' ISOs come through dependsOn +
 * dependentTasksOutputFiles.
 */
function inferMediumTargets(projectRoot: string, manifest: BundleManifest | InstallerManifest, ctx: InferContext): Record<string, TargetConfiguration> {
  const { name, file, manifestInput, external, epoch } = common(ctx);
  const out = tokenisedStageDirs(projectRoot);
  const stage: Stage = manifest.kind === 'bundle' ? 'combine-packs' : 'rebuild-iso';
  const members = resolveMembers(posix.join(clean(projectRoot), MANIFEST_FILE), ctx.projectName, manifest.packs, ctx.members ?? (() => undefined));
  const content = (fileset: string): Input => ({ fileset, includeIgnored: true });

  const files: Input[] = [];
  if (manifest.kind === 'installer') files.push(content(file(manifest.baseIso)));
  for (const m of members) if (m.source === 'file') files.push(content(file(m.path)));
  if (manifest.kind === 'installer') {
    if (manifest.answerfile !== undefined) files.push(content(file(manifest.answerfile)));
    for (const d of manifest.drivers) files.push(content(file(d)));
    // `from` is a file or a directory: inference cannot look, so both forms (one matches nothing).
    for (const inc of manifest.include) files.push(content(file(inc.from)), content(tree(inc.from)));
  }

  const dependsOn: NonNullable<TargetConfiguration['dependsOn']> = [];
  for (const memberStage of ['build-iso', 'combine-packs'] as const) {
    const projects = members.flatMap((m) => (m.source === 'project' && m.stage === memberStage ? [m.project] : []));
    if (projects.length > 0) dependsOn.push({ projects, target: name[memberStage] });
  }

  const target: TargetConfiguration = {
    executor: `${PACKAGE_NAME}:${stage}`,
    cache: true,
    options: {},
    inputs: [
      manifestInput,
      ...uniqueInputs(files),
      ...external,
      epoch,
      ...(dependsOn.length > 0 ? [{ dependentTasksOutputFiles: '**/*.iso' }] : []),
    ],
    outputs: [out[STAGES[stage].writes]],
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    metadata: { description: STAGES[stage].summary, technologies: [TECHNOLOGY] },
  };
  return { [name[stage]]: target };
}

/** Project-level metadata: what the project is, and the targets grouped for the Nx UI. */
export function inferProjectMetadata(manifest: ProjectManifest, targets: Record<string, TargetConfiguration>): ProjectMetadata {
  if (manifest.kind === 'bundle') {
    return {
      description: `${manifest.volumeId} (${manifest.name}.iso, ${count(manifest.packs.length, 'legacy pack')} combined)`,
      technologies: [TECHNOLOGY],
      targetGroups: { 'Combined pack': Object.keys(targets) },
    };
  }
  if (manifest.kind === 'installer') {
    const parts = [
      count(manifest.packs.length, 'pack'),
      ...(manifest.answerfile !== undefined ? [manifest.bootEntries ? `an answerfile for boot entries ${manifest.bootEntries.join(', ')}` : 'an answerfile'] : []),
      ...(manifest.include.length > 0 ? [count(manifest.include.length, 'include')] : []),
    ];
    return {
      description: `Installer ISO from ${posix.basename(manifest.baseIso)} with ${parts.join(', ')}`,
      technologies: [TECHNOLOGY],
      targetGroups: { 'Installer ISO': Object.keys(targets) },
    };
  }
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

/**
 * A `prebuilt` pattern as a project-relative Nx input, kept as written (Nx reads it as core's
 * file-globs.ts does): a leading "!" stays in front, a trailing "/" is spelt out as "/**".
 */
function pattern(p: string): string {
  const negated = p.startsWith('!');
  const body = negated ? p.slice(1) : p;
  return `${negated ? '!' : ''}{projectRoot}/${body.endsWith('/') ? `${body}**` : body}`;
}

function tree(dir: string): string {
  const d = clean(dir);
  return d === '.' ? '{projectRoot}/**/*' : `{projectRoot}/${d}/**/*`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function uniqueInputs(xs: Input[]): Input[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const key = JSON.stringify(x);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * A node one-liner printing, as JSON, the values at the given paths of a JSON file (`pack.label`,
 * `rpms`; a missing one as null): what a runtime input hashes of suppack.json for one stage.
 * Written as one word that both shells Nx runs runtime inputs with read alike (bothShellsWord):
 * single quotes inside, no backslash (a leading byte order mark is dropped by its code, 65279).
 */
export const PICK_JSON_PATHS =
  "const a=process.argv,t=require('fs').readFileSync(a[1],'utf8'),m=JSON.parse(t.charCodeAt(0)===65279?t.slice(1):t);" +
  "process.stdout.write(JSON.stringify(a.slice(2).map(p=>[p,p.split('.').reduce((v,k)=>v==null?null:v[k]===undefined?null:v[k],m)])))";

/**
 * The runtime input of a pack stage: the parts of `manifestFile` (workspace-relative, as Nx runs
 * runtime inputs from the workspace root) that the stage reads, MANIFEST_READS[stage].
 */
export function manifestReadsInput(manifestFile: string, stage: PackStageName): Input {
  return { runtime: `node -e ${bothShellsWord(PICK_JSON_PATHS)} ${bothShellsWord(manifestFile)} ${MANIFEST_READS[stage].join(' ')}` };
}

/** What neither shell gives a meaning to inside double quotes: sh's $ ` \ and cmd.exe's % ! ^, and the quote itself. */
const DOUBLE_QUOTE_SAFE = /^[^"$`\\%!^\r\n]*$/;

/**
 * `s` as one word for the shell Nx runs a runtime input with: /bin/sh on Linux and macOS, cmd.exe
 * on Windows (Node's child_process.exec). In double quotes, a word without $ ` \ % ! ^ or " means
 * the same to both; any other word is single-quoted for sh (shellQuote), which cmd.exe does not read.
 */
export function bothShellsWord(s: string): string {
  return DOUBLE_QUOTE_SAFE.test(s) ? `"${s}"` : shellQuote(s);
}
