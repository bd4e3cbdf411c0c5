/**
 * The core as `suppack build-supplemental-pack` needs it: the legacy pack's one call and nothing
 * else, so that the command does not load the update-pack, installer and lint code (through
 * core/index.ts it started ~0.2 s later, docs/formats/containers.md §3 "Start-up"). Small on purpose,
 * like core/installer.ts; everything else is core/index.ts.
 */
export { progressPrinter } from './base/progress';
export { sourceDateEpoch } from './base/time';
export { buildLegacyPack } from './products/legacy-pack/pack';
export { removedNotice } from './products/output-family';
