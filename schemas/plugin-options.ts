import { z } from 'zod';
import { SuppackError, allProblems } from '../core/base/errors';
import { closest, parseWithSchema } from './parse';
import { STAGE_NAMES, type StageName } from '../core/products/stages';

/**
 * The suppack Nx plugin's options (nx.json `plugins: [{ "plugin": "suppack/plugin", "options" }]`),
 * the first-party way (as @nx/vite and @nx/docker name theirs): one `<stage>TargetName` option per
 * inferred target. `nx g suppack:init` writes them all explicitly. docs/nx/plugin-options.md.
 */

/**
 * The stages, each a target running the executor `suppack:<stage>`: those of a pack project in
 * build order, then `combine-packs` (bundle projects) and `rebuild-iso` (installer projects).
 * Declared once, in core/products/stages.ts.
 */
export const STAGES = STAGE_NAMES;
export type Stage = StageName;

/** `build-iso` → `buildIsoTargetName`. */
export function targetNameOption(stage: Stage): keyof SuppackPluginOptions {
  return `${stage.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}TargetName` as keyof SuppackPluginOptions;
}

/** Nx target names: no spaces, no `:` (it separates project and target), not empty. */
const targetName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a target name of letters, digits, "_", "." or "-"' });

const shape = Object.fromEntries(STAGES.map((s) => [targetNameOption(s), targetName.optional().describe(`The name of the ${s} target (default "${s}").`)])) as Record<
  keyof SuppackPluginOptions,
  z.ZodOptional<typeof targetName>
>;

export const pluginOptionsSchema = z.strictObject(shape);

/** nx.json `plugins[suppack].options`: each inferred target's name (default: the stage's own). */
export interface SuppackPluginOptions {
  renderSpecTargetName?: string;
  buildSrctarballsTargetName?: string;
  buildRpmsTargetName?: string;
  collectRpmsTargetName?: string;
  lintTargetName?: string;
  packMetadataTargetName?: string;
  buildIsoTargetName?: string;
  bundleTargetName?: string;
  combinePacksTargetName?: string;
  rebuildIsoTargetName?: string;
}

/** Where plugin option errors point. */
export const PLUGIN_OPTIONS_FILE = 'nx.json';

const FIELD = 'plugins[suppack].options';

/**
 * The options as given (nx.json may hold anything), checked: every problem at once, one line each,
 * naming the option (`plugins[suppack].options.buildIsoTargetName`), what was expected and what was
 * found; an unknown option with the closest known one. Returns each stage's target name.
 */
export function parsePluginOptions(options: unknown): Record<Stage, string> {
  const known = STAGES.map(targetNameOption) as string[];
  const problems: SuppackError[] = [];
  let given: Record<string, unknown> = {};
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw new SuppackError(`expected an object of options such as {"buildIsoTargetName": "iso"}, got ${Array.isArray(options) ? 'an array' : JSON.stringify(options)}`, { file: PLUGIN_OPTIONS_FILE, field: FIELD });
    }
    given = { ...(options as Record<string, unknown>) };
  }
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const hint =
      key === 'targetNames'
        ? `; each target now has its own option (${known.slice(0, 2).join(', ')}, …)`
        : closest(key, known) !== undefined
          ? `; did you mean ${closest(key, known)}?`
          : ` (known: ${known.join(', ')})`;
    problems.push(new SuppackError(`unknown option${hint}`, { file: PLUGIN_OPTIONS_FILE, field: `${FIELD}.${key}` }));
    delete given[key];
  }
  try {
    parseWithSchema(pluginOptionsSchema, given, { file: PLUGIN_OPTIONS_FILE, field: (path) => `${FIELD}.${path.map(String).join('.')}` });
  } catch (e) {
    if (!(e instanceof SuppackError)) throw e;
    problems.push(e);
  }
  // Two targets with one name (checked over the names that are valid, so every problem shows at once).
  const names = {} as Record<Stage, string>;
  const owner = new Map<string, string>();
  for (const s of STAGES) {
    const option = targetNameOption(s);
    const value = given[option];
    const name = typeof value === 'string' && pluginOptionsSchema.shape[option]!.safeParse(value).success ? value : s;
    const other = owner.get(name);
    if (other !== undefined) {
      problems.push(
        new SuppackError(`"${name}" is also the name of ${other === name ? `the ${other} target` : other}; each target needs its own name`, {
          file: PLUGIN_OPTIONS_FILE,
          field: `${FIELD}.${option}`,
        }),
      );
    }
    owner.set(name, value === undefined ? name : option);
    names[s] = name;
  }
  if (problems.length > 0) throw allProblems(problems);
  return names;
}

/** Every option written out with its default, as `nx g suppack:init` puts it in nx.json. */
export function defaultPluginOptions(): Record<string, string> {
  return Object.fromEntries(STAGES.map((s) => [targetNameOption(s), s]));
}
