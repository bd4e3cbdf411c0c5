/**
 * `nx g suppack:init` (also run by `nx add suppack`; hidden, `x-type: init`): register the plugin
 * in nx.json so every suppack.json becomes a project with inferred targets, loaded from its own
 * subpath (`suppack/plugin`: computing the graph loads no pipeline code) and with every target
 * name option written out, as first-party plugins do. Idempotent: an entry naming the plugin
 * (`suppack` or `suppack/plugin`, as a string or as `{ plugin }`, with or without options)
 * counts as registered.
 */
import { readNxJson, updateNxJson, writeJson, type Tree } from '@nx/devkit';
import { initGeneratorSchema, type InitGeneratorOptions } from '../../schemas/generators';
import { parseWithSchema } from '../../schemas/parse';
import { defaultPluginOptions } from '../../schemas/plugin-options';

export const PLUGIN = 'suppack/plugin';
const NAMES = ['suppack', PLUGIN];

export function initGenerator(tree: Tree, options: InitGeneratorOptions = {}): void {
  parseWithSchema(initGeneratorSchema, options, { file: 'suppack:init', field: (p) => `--${p.join('.')}` });
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => NAMES.includes(typeof p === 'string' ? p : p.plugin))) return;
  nxJson.plugins = [...plugins, { plugin: PLUGIN, options: defaultPluginOptions() }];
  // updateNxJson only updates an existing nx.json.
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', nxJson);
}

export default initGenerator;
