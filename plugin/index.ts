/** The suppack Nx plugin: inferred pack targets and pack-to-pack dependencies. */
import { createDependencies } from './create-dependencies';
import { createNodes } from './create-nodes';

export const name = 'suppack';
export { createNodes, createDependencies };
/** Nx 22 reads createNodesV2; Nx 23+ reads createNodes (same signature). */
export const createNodesV2 = createNodes;
export type { SuppackPluginOptions, Stage } from './options';
export { STAGES } from './options';
export { inferTargets, inferProjectMetadata, tokenisedStageDirs } from './targets';
