import { z } from 'zod';
import { STAGES, type StageName } from '../core/products/stages';

/**
 * Options of the Nx executors. Executors take (nearly) nothing: everything comes from the
 * project root and its suppack.json, so no machine path ever reaches a target or a cache key.
 * Each stage's title and description come from its descriptor (core/products/stages.ts);
 * scripts/gen-schemas.cjs turns these into executors/<name>/schema.json and executors.json.
 */

/** A stage's executor options (`shape`; none by default), titled and described by its descriptor. */
function stageSchema<S extends z.ZodRawShape = Record<never, never>>(name: StageName, shape?: S) {
  const { title, description } = STAGES[name];
  return z
    .object(shape ?? ({} as S))
    .strict()
    .meta({ title, description });
}

export const executorOptionSchemas = {
  'render-spec': stageSchema('render-spec'),
  'build-srctarballs': stageSchema('build-srctarballs'),
  'build-rpms': stageSchema('build-rpms', {
    verbose: z.boolean().default(false).describe("Print rpmbuild's output as it runs (it is always shown when rpmbuild fails)."),
  }),
  'collect-rpms': stageSchema('collect-rpms'),
  lint: stageSchema('lint'),
  'pack-metadata': stageSchema('pack-metadata'),
  'build-iso': stageSchema('build-iso'),
  bundle: stageSchema('bundle'),
  'combine-packs': stageSchema('combine-packs'),
  'rebuild-iso': stageSchema('rebuild-iso'),
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
