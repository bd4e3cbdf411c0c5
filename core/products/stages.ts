/**
 * The stages: the one description of each step a suppack project is built in. Everything else is
 * read from here: the Nx targets (plugin/targets.ts: name, summary, inputs from `reads`, outputs
 * from `writes`), the executors and executors.json (title, description, options), the plugin's
 * `<stage>TargetName` options, what each target hashes of suppack.json and what its run may read
 * (core/products/stage-reads.ts), and docs/nx/caching.md. The run functions live with their product
 * (core/products/<product>/stages.ts) and are joined to these by core/products/runs.ts; this
 * module stays small and loads nothing else, because computing the Nx project graph reads it.
 * docs/ARCHITECTURE.md "Stages".
 */
import type { StageDirs } from './layout';

/** The stages in build order: a pack project's, then a bundle's, then an installer's. */
export const STAGE_NAMES = [
  'render-spec',
  'build-srctarballs',
  'build-rpms',
  'collect-rpms',
  'lint',
  'pack-metadata',
  'build-iso',
  'bundle',
  'combine-packs',
  'rebuild-iso',
] as const;

export type StageName = (typeof STAGE_NAMES)[number];
export type ProjectKindName = 'pack' | 'bundle' | 'installer';

export interface StageInfo {
  name: StageName;
  /** The kind of project that has this stage as a target. */
  kind: ProjectKindName;
  /** Executor title (executors/<name>/schema.json). */
  title: string;
  /** What the executor does and where it writes (executors.json, the schema, docs/nx/executors.md). */
  description: string;
  /** The target's one-line description in `nx show project` (legacy packs, bundles, installers). */
  summary: string;
  /** The summary for an update pack, where it differs (`{medium}`: "update" or "driver disk"). */
  updateSummary?: string;
  /**
   * The parts of suppack.json the stage reads, as JSON paths (`pack.label`: that field; `rpms`:
   * the whole array): hashed by its target, and all its run may read. `'all'`: the whole file
   * (bundle and installer projects, whose manifest is read whole).
   */
  reads: readonly string[] | 'all';
  /** The stage directory it replaces (core/products/layout.ts): its target's one output. */
  writes: keyof StageDirs;
}

/** Every stage reads these: which schema the rest of the manifest follows. */
const ALWAYS = ['kind', 'format'];
/** The target host (core/xenserver/hosts.ts targetHost): whose rpm must install the RPMs. */
const HOST = ['pack.product', 'pack.productVersion', 'pack.requires'];
/** The spec macros, the rendered specs and the extras RPM's files (core/products/rpms/render-spec.ts). */
const SPECS = ['rpms', 'kernels', 'eulas', 'statusReport', 'pack.label', 'pack.vendorCode', 'pack.version', 'pack.uuid'];

export const STAGES = {
  'render-spec': {
    name: 'render-spec',
    kind: 'pack',
    title: 'Render spec templates',
    description:
      'Render each spec template of suppack.json rpms[] with its %global definitions (one per kernel for kernel-module specs) into dist/<projectRoot>/specs.',
    summary: 'Render the spec templates (one per kernel for kernel modules) with the pack macros, plus status-report and EULA files',
    reads: [...ALWAYS, ...SPECS],
    writes: 'specs',
  },
  'build-srctarballs': {
    name: 'build-srctarballs',
    kind: 'pack',
    title: 'Build source tarballs',
    description: 'Pack the sources directory of each rpms[] entry into a deterministic <name>-<version>.tar.gz in dist/<projectRoot>/SOURCES.',
    summary: "Pack each spec's sources directory into a deterministic <name>-<version>.tar.gz",
    reads: [...ALWAYS, 'rpms'],
    writes: 'sources',
  },
  'build-rpms': {
    name: 'build-rpms',
    kind: 'pack',
    title: 'Build RPMs',
    description:
      "Run rpmbuild -bb on every rendered spec, with SOURCE_DATE_EPOCH, into dist/<projectRoot>/RPMS; kernel-module specs against each kernel's build tree (the kernel-devel RPM of kernels[].develRpm, extracted first, or the installed one).",
    summary: 'Build the binary RPMs with rpmbuild from the rendered specs and source tarballs',
    reads: [...ALWAYS, ...SPECS, ...HOST],
    writes: 'built',
  },
  'collect-rpms': {
    name: 'collect-rpms',
    kind: 'pack',
    title: 'Collect RPMs',
    description: 'Copy the built RPMs and the prebuilt globs of suppack.json, each checked as an RPM, into dist/<projectRoot>/rpms.',
    summary: "Collect the built RPMs and the prebuilt ones into the pack's RPM set",
    reads: [...ALWAYS, 'rpms', 'prebuilt', ...HOST],
    writes: 'rpms',
  },
  lint: {
    name: 'lint',
    kind: 'pack',
    title: 'Lint the pack',
    description:
      "Check the collected RPMs against the DDK guide's rules with the pack's facts from suppack.json (lint.ignore turns rules off with a reason); write lint.json and lint.sarif into dist/<projectRoot>/lint and fail on any error that is not ignored (docs/lint.md).",
    summary: "Check the pack's RPMs against the DDK guide's rules (docs/lint.md); build-iso runs only when no error is found",
    reads: [...ALWAYS, 'lint', 'pack.vendorCode', 'pack.vendorName', 'pack.version', 'pack.memoryMb', ...HOST],
    writes: 'lint',
  },
  'pack-metadata': {
    name: 'pack-metadata',
    kind: 'pack',
    title: 'Write pack metadata',
    description: 'Write XS-REPOSITORY and XS-PACKAGES for the collected RPMs (file name order, then dependency order) into dist/<projectRoot>/metadata.',
    summary: 'Write the pack metadata XS-REPOSITORY and XS-PACKAGES',
    updateSummary: 'Write update.xml and the generated update-/control- RPMs',
    reads: [...ALWAYS, 'pack'],
    writes: 'metadata',
  },
  'build-iso': {
    name: 'build-iso',
    kind: 'pack',
    title: 'Build the pack ISO',
    description:
      'Write <label>.iso, <label>.iso.md5 and <label>.metadata.md5 into dist/<projectRoot>/iso, byte-identical to suppack build-supplemental-pack.',
    summary: 'Build the supplemental pack ISO with its .iso.md5 and .metadata.md5',
    updateSummary: 'Build the {medium} ISO (signed yum repo, update.xml) with its .sha256',
    reads: [...ALWAYS, 'pack'],
    writes: 'iso',
  },
  bundle: {
    name: 'bundle',
    kind: 'pack',
    title: 'Bundle the release zip',
    description: 'Write the deterministic release zip <label>.zip (the ISO, both md5 files and sources/<tarballs>) into dist/<projectRoot>/bundle.',
    summary: 'Zip the ISO, the md5 files and the source tarballs for release (GPL sources)',
    reads: [...ALWAYS, 'pack.label'],
    writes: 'bundle',
  },
  'combine-packs': {
    name: 'combine-packs',
    kind: 'bundle',
    title: 'Combine legacy packs',
    description:
      "Bundle projects: combine the legacy packs of packs[] (member projects' ISOs or ISO files) into <name>.iso and <name>.iso.md5 in dist/<projectRoot>/bundle-iso, each pack in packages.<label>/ listed in XS-REPOSITORY-LIST.",
    summary: 'Combine the legacy packs into one ISO (packages.<label>/ + XS-REPOSITORY-LIST) with its .iso.md5',
    reads: 'all',
    writes: 'bundleIso',
  },
  'rebuild-iso': {
    name: 'rebuild-iso',
    kind: 'installer',
    title: 'Rebuild an installer ISO',
    description:
      'Installer projects: copy baseIso with the packs of packs[] added (packages.<label>/ + XS-REPOSITORY-LIST), the answerfile injected and the include files added, into dist/<projectRoot>/installer/<output>.',
    summary: 'Rebuild the installer ISO with the packs, the answerfile and the included files (boot kept)',
    reads: 'all',
    writes: 'installer',
  },
} as const satisfies { readonly [N in StageName]: StageInfo & { name: N } };

/** The stages of each kind of project, in build order. */
export function stagesOfKind(kind: ProjectKindName): StageName[] {
  return STAGE_NAMES.filter((s) => STAGES[s].kind === kind);
}

/** A stage of a pack project (the others belong to bundle and installer projects). */
export type PackStageName = Exclude<StageName, 'combine-packs' | 'rebuild-iso'>;

/** What each pack stage reads of suppack.json (docs/nx/caching.md). */
export const MANIFEST_READS = Object.fromEntries(
  STAGE_NAMES.flatMap((s) => {
    const reads = STAGES[s].reads;
    return reads === 'all' ? [] : [[s, reads]];
  }),
) as Record<PackStageName, readonly string[]>;
