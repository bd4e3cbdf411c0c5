/**
 * Options of the suppack Nx plugin (nx.json `plugins: [{ plugin: 'suppack', options }]`).
 * All optional: by default the inferred targets are named after their stage.
 */

/**
 * The stages, each a target running the executor `suppack:<stage>`: those of a pack project in
 * build order, then `combine-packs` (bundle projects) and `rebuild-iso` (installer projects).
 */
export const STAGES = [
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

export type Stage = (typeof STAGES)[number];

export interface SuppackPluginOptions {
  /**
   * Rename inferred targets, e.g. `{ "build-iso": "iso" }` when the workspace already uses a name.
   * The executor stays `suppack:<stage>`; dependsOn follows the new names.
   */
  targetNames?: Partial<Record<Stage, string>>;
}

/** The target name of each stage under `options`. */
export function targetNames(options: SuppackPluginOptions | undefined): Record<Stage, string> {
  const names = {} as Record<Stage, string>;
  for (const stage of STAGES) {
    const custom = options?.targetNames?.[stage];
    names[stage] = typeof custom === 'string' && custom !== '' ? custom : stage;
  }
  return names;
}
