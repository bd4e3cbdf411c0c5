import { z } from 'zod';

/**
 * Options of the Nx executors. Executors take (nearly) nothing: everything comes from the
 * project root and its suppack.json, so no machine path ever reaches a target or a cache key.
 * scripts/gen-schemas.cjs turns these into executors/<name>/schema.json.
 */
const noOptions = (title: string, description: string) => z.object({}).strict().meta({ title, description });

export const executorOptionSchemas = {
  'render-spec': noOptions(
    'Render spec templates',
    'Render each spec template of suppack.json rpms[] with its %global definitions (one per kernel for kernel-module specs) into dist/<projectRoot>/specs.',
  ),
  'build-srctarballs': noOptions(
    'Build source tarballs',
    'Pack the sources directory of each rpms[] entry into a deterministic <name>-<version>.tar.gz in dist/<projectRoot>/SOURCES.',
  ),
  'build-rpms': z
    .object({
      verbose: z.boolean().default(false).describe("Print rpmbuild's output as it runs (it is always shown when rpmbuild fails)."),
    })
    .strict()
    .meta({
      title: 'Build RPMs',
      description:
        "Run rpmbuild -bb on every rendered spec, with SOURCE_DATE_EPOCH, into dist/<projectRoot>/RPMS; kernel-module specs against each kernel's build tree (the kernel-devel RPM of kernels[].develRpm, extracted first, or the installed one).",
    }),
  'collect-rpms': noOptions(
    'Collect RPMs',
    'Copy the built RPMs and the prebuilt globs of suppack.json, each checked as an RPM, into dist/<projectRoot>/rpms.',
  ),
  lint: noOptions(
    'Lint the pack',
    "Check the collected RPMs against the DDK guide's rules with the pack's facts from suppack.json (lint.ignore turns rules off with a reason); write lint.json and lint.sarif into dist/<projectRoot>/lint and fail on any error that is not ignored (docs/lint.md).",
  ),
  'pack-metadata': noOptions(
    'Write pack metadata',
    'Write XS-REPOSITORY and XS-PACKAGES for the collected RPMs (file name order, then dependency order) into dist/<projectRoot>/metadata.',
  ),
  'build-iso': noOptions(
    'Build the pack ISO',
    'Write <label>.iso, <label>.iso.md5 and <label>.metadata.md5 into dist/<projectRoot>/iso, byte-identical to suppack build-supplemental-pack.',
  ),
  bundle: noOptions(
    'Bundle the release zip',
    'Write the deterministic release zip <label>.zip (the ISO, both md5 files and sources/<tarballs>) into dist/<projectRoot>/bundle.',
  ),
  'combine-packs': noOptions(
    'Combine legacy packs',
    'Bundle projects: combine the legacy packs of packs[] (member projects\' ISOs or ISO files) into <name>.iso and <name>.iso.md5 in dist/<projectRoot>/bundle-iso, each pack in packages.<label>/ listed in XS-REPOSITORY-LIST.',
  ),
  'rebuild-iso': noOptions(
    'Rebuild an installer ISO',
    'Installer projects: copy baseIso with the packs of packs[] added (packages.<label>/ + XS-REPOSITORY-LIST), the answerfile injected and the include files added, into dist/<projectRoot>/installer/<output>.',
  ),
  'invalid-project': z
    .object({
      errors: z.array(z.string()).min(1).describe("The problems of the project's suppack.json, one line each (set by the plugin)."),
    })
    .strict()
    .meta({
      title: 'A project whose suppack.json is broken',
      description:
        'Given by the plugin to every target of a project whose suppack.json is invalid or conflicts with another project: fails with the errors, so runs name the file instead of skipping the project.',
    }),
} as const;

export type ExecutorName = keyof typeof executorOptionSchemas;
export const EXECUTOR_NAMES = Object.keys(executorOptionSchemas) as ExecutorName[];

export type RenderSpecOptions = z.input<(typeof executorOptionSchemas)['render-spec']>;
export type BuildSrcTarballsOptions = z.input<(typeof executorOptionSchemas)['build-srctarballs']>;
export type BuildRpmsOptions = z.input<(typeof executorOptionSchemas)['build-rpms']>;
export type CollectRpmsOptions = z.input<(typeof executorOptionSchemas)['collect-rpms']>;
export type LintOptions = z.input<(typeof executorOptionSchemas)['lint']>;
export type PackMetadataOptions = z.input<(typeof executorOptionSchemas)['pack-metadata']>;
export type BuildIsoOptions = z.input<(typeof executorOptionSchemas)['build-iso']>;
export type BundleOptions = z.input<(typeof executorOptionSchemas)['bundle']>;
export type CombinePacksOptions = z.input<(typeof executorOptionSchemas)['combine-packs']>;
export type RebuildIsoOptions = z.input<(typeof executorOptionSchemas)['rebuild-iso']>;
export type InvalidProjectOptions = z.input<(typeof executorOptionSchemas)['invalid-project']>;
