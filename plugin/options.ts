/**
 * Options of the suppack Nx plugin (schemas/plugin-options.ts): one `<stage>TargetName` option per
 * inferred target, all optional; by default each target is named after its stage.
 */
import { parsePluginOptions, STAGES, type Stage, type SuppackPluginOptions } from '../schemas/plugin-options';

export { STAGES, type Stage, type SuppackPluginOptions };

/** The target name of each stage under `options` (checked: a SuppackError lists every problem). */
export function targetNames(options: SuppackPluginOptions | undefined): Record<Stage, string> {
  return parsePluginOptions(options);
}
