/**
 * The core as `suppack rebuild-iso` needs it: rebuildIso starts copying the installer ISO first
 * and loads the rest of its code while the kernel copies. Small on purpose, like core/graph.ts:
 * through core/index.ts the copy started ~0.17 s later (all of the core and zod loaded first),
 * which on a 600 MiB ISO is half of what `cp` takes. Everything else is core/index.ts.
 */
export { SuppackError, isSuppackError } from './base/errors';
export { progressPrinter } from './base/progress';
export { sourceDateEpoch } from './base/time';
export { menuReportLines, rebuildIso } from './products/installer-iso/rebuild';
export type { IncludeSpec, RebuildIsoBuild, RebuildIsoResult } from './products/installer-iso/rebuild';
