/** The library API: each pipeline end to end, as the CLI runs it. Stages and byte layouts stay internal. */
export * from './errors';
export * from './time';
export { buildLegacyPack } from './legacy-pack';
export type { LegacyPackBuild, LegacyPackResult } from './legacy-pack';
export { buildUpdatePack } from './update-pack';
export type { UpdatePackBuild, UpdatePackFiles } from './update-pack';
export { combinePacks } from './combine-packs';
export type { CombinePacksBuild } from './combine-packs';
export { rebuildIso } from './rebuild-iso';
export type { IncludeSpec, RebuildIsoBuild, RebuildIsoResult } from './rebuild-iso';
export { inspectPack, verifyPack } from './pack-report';
export type { PackReport, PackVerification } from './pack-report';
