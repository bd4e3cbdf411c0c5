/**
 * suppack/gulp: the pack pipeline's stages as gulp plugins (vinyl 3 files in and out, errors as
 * PluginError of the plugin `suppack`, null files passed through, no dependency on gulp).
 * Read binary inputs with `src(glob, { encoding: false })`.
 */
export { renderSpec, type RenderSpecOptions } from './render-spec';
export { rpmInfo, type RpmVinyl } from './rpm-info';
export {
  supplementalPack,
  type SupplementalPackOptions,
  type LegacySupplementalPackOptions,
  type UpdateSupplementalPackOptions,
} from './supplemental-pack';
export { combinePacks, type CombinePacksOptions } from './combine-packs';
export { rebuildIso, type RebuildIsoOptions } from './rebuild-iso';
export { PLUGIN_NAME } from './errors';
export { lint, type LintOptions } from './lint';
