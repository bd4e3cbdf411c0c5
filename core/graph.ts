/**
 * The core as the Nx plugin needs it to compute the project graph: the stage descriptors, where
 * each stage writes, how a bundle's or installer's members resolve, and the suppack.json reader.
 * Small on purpose: it loads no pipeline, format or XenServer code (plugin/load.test.ts), so the
 * graph stays fast in a large workspace. Everything else is core/index.ts.
 */
export { SuppackError, isSuppackError } from './base/errors';
export { readProjectManifest } from './products/manifest-file';
export { projectIso, resolveMembers } from './products/members';
export type { MemberLookup, MemberProject, ResolvedMember } from './products/members';
export { kernelBuildDir, kernelRelease, stageDirs } from './products/layout';
export type { StageDirs } from './products/layout';
export { MANIFEST_READS, STAGE_NAMES, STAGES, stagesOfKind } from './products/stages';
export type { PackStageName, StageInfo, StageName } from './products/stages';
