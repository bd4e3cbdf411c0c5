/**
 * The core's entry point: what the CLI, the Nx executors, the gulp plugins and library users
 * import (`suppack/core`). Each product end to end, the stages as the Nx targets run them, and
 * the few readers and helpers the adapters share. Byte layouts and the XenServer files stay
 * internal. The Nx plugin, which must not load any of this to compute the graph, imports
 * core/graph.ts instead. docs/ARCHITECTURE.md.
 */
export * from './base/errors';
export * from './base/time';
export { progressPrinter } from './base/progress';
export { printableLine, printableStrings, printableText } from './base/printable';
export { makeDir } from './base/make-dir';

// Products, end to end (one call each, as the CLI runs them).
export { buildLegacyPack, legacyRepository } from './products/legacy-pack/pack';
export type { LegacyPackBuild, LegacyPackResult } from './products/legacy-pack/pack';
export { buildUpdatePack } from './products/update-pack/pack';
export type { UpdatePackBuild, UpdatePackFiles } from './products/update-pack/pack';
export { combinePacks } from './products/combined-pack/combine';
export { packOutputFamily, removedNotice } from './products/output-family';
export type { CombinePacksBuild } from './products/combined-pack/combine';
export { menuReportLines, rebuildIso } from './products/installer-iso/rebuild';
export type { IncludeSpec, RebuildIsoBuild, RebuildIsoResult } from './products/installer-iso/rebuild';

// Stages, as the Nx targets run them (core/products/stages.ts describes them).
export { runStage } from './products/stage';
export type { Stage, StageEnv, StageOptionsInput } from './products/stage';
export type { StageName } from './products/stages';
export { buildRpmsStage, buildSrcTarballsStage, collectRpmsStage, renderSpecStage } from './products/rpms/stages';
export { lintProjectStage } from './products/lint/stage';
export { buildIsoStage, bundleStage, packMetadataStage } from './products/pack/stages';
export { combinePacksStage } from './products/combined-pack/stage';
export { rebuildIsoStage } from './products/installer-iso/stage';
export { planSpecs, renderTemplate } from './products/rpms/render-spec';
export type { SpecPlan } from './products/rpms/render-spec';
export { develRpmReleases, installedKernels } from './products/rpms/kernel-devel';

// Reading packs and RPMs back: inspect, verify, lint.
export { inspectPack, verifyPack } from './products/report/pack-report';
export type { LegacyPackReport, MediumReport, PackReport, PackVerification } from './products/report/pack-report';
export type { UpdatePackReport } from './xenserver/update/report';
export { assertLintClean, failingFindings, formatLintReport, lintSarif, runLint } from './products/lint';
export type { LintPack, LintReport } from './products/lint';
export { checkIgnore, lintRead, readLintRpmStream } from './products/lint/lint';
export type { LintRpm } from './products/lint/rules';
export { parseRpm, rpmHeadersLength } from './formats/rpm';
export type { RpmInfo } from './formats/rpm';

// The target host and the signing key's environment.
export { targetHost, targetPlatform } from './xenserver/hosts';
export { rpmHostFacts } from './xenserver/host-check';
export type { RpmHostSummary } from './xenserver/host-check';
export { SIGNING_KEY_ENV, SIGNING_KEY_ID_ENV, SIGNING_PASSPHRASE_ENV, SIGNING_PASSPHRASE_FILE_ENV } from './xenserver/update/signing';
export type { SigningSource } from './xenserver/update/signing';
export { redactAnswerfile } from './xenserver/installer/answerfile-redact';
