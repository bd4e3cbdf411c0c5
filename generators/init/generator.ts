/**
 * `nx g suppack:init` (also run by `nx add suppack`): register the plugin in nx.json so every
 * suppack.json becomes a project with inferred targets. Idempotent: an entry naming the plugin,
 * as a string or as `{ plugin }`, with or without options, counts as registered.
 */
import { readNxJson, updateNxJson, writeJson, type Tree } from '@nx/devkit';
import { initGeneratorSchema, type InitGeneratorOptions } from '../../schemas/generators';
import { parseWithSchema } from '../../schemas/parse';

export const PLUGIN = 'suppack';

export function initGenerator(tree: Tree, options: InitGeneratorOptions = {}): void {
  parseWithSchema(initGeneratorSchema, options, { file: 'suppack:init', field: (p) => `--${p.join('.')}` });
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN)) return;
  nxJson.plugins = [...plugins, { plugin: PLUGIN }];
  // updateNxJson only updates an existing nx.json.
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', nxJson);
}

export default initGenerator;
