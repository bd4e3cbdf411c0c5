/**
 * Package entry. For Nx it is the plugin (`plugins: ["suppack"]` in nx.json): `name`,
 * `createNodes` / `createNodesV2` and `createDependencies`. For library users it re-exports core.
 */
export { name, createNodes, createNodesV2, createDependencies } from './plugin';
export type { SuppackPluginOptions } from './plugin';
export * from './core';
