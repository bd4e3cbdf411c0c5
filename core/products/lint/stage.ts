/**
 * The lint stage of a pack project: the collected RPMs (collect-rpms' output) checked against
 * the rules with the pack's facts from suppack.json, the report written as lint.json and
 * lint.sarif into the stage directory. The Nx executor and gulp call it; build-iso runs after it.
 */
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import type { Manifest } from '../../../schemas/manifest';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { targetHost, targetPlatform } from '../../xenserver/hosts';
import { replaceDir } from '../../base/output';
import type { LintReport } from './findings';
import { runLint } from './index';
import { assertLintClean, formatLintReport } from './lint';
import { stageDirs } from '../layout';
import { defineStage } from '../stage';
import type { LintPack } from './rules';
import { lintSarif } from './sarif';

export const LINT_JSON = 'lint.json';
export const LINT_SARIF = 'lint.sarif';

/** What the manifest tells lint about the pack. */
export function manifestLintPack(m: Manifest): Omit<LintPack, 'previous'> {
  if (m.format === 'update') return { format: 'update', version: m.pack.version, host: targetHost(m) };
  return {
    format: 'legacy',
    vendorCode: m.pack.vendorCode,
    vendorName: m.pack.vendorName,
    version: m.pack.version,
    platform: targetPlatform(m),
    host: targetHost(m),
    memMiB: m.pack.memoryMb,
  };
}

export interface LintStage {
  manifest: Manifest;
  /** How messages and SARIF name the manifest, relative to the workspace: `packs/acme/suppack.json`. */
  manifestFile: string;
  projectDir: string;
  /** collect-rpms' output. */
  rpmsDir: string;
  /** The same, relative to the workspace (SARIF artifact URIs). */
  rpmsDirUri: string;
  outDir: string;
  version: string;
}

export async function lintStage(o: LintStage): Promise<LintReport> {
  let names: string[];
  try {
    names = (await fsp.readdir(o.rpmsDir)).filter((n) => n.endsWith('.rpm')).sort();
  } catch (e) {
    throw new SuppackError(isNodeError(e) ? `${describeNodeError(e)} (run collect-rpms first)` : String(e), { file: o.rpmsDir });
  }
  const previous = o.manifest.lint.previous;
  const report = await runLint({
    inputs: names.map((n) => join(o.rpmsDir, n)),
    pack: manifestLintPack(o.manifest),
    previous: previous !== undefined ? join(o.projectDir, previous) : undefined,
    ignore: o.manifest.lint.ignore,
    ignoreWhere: { file: o.manifestFile, field: 'lint.ignore' },
    uninstallCheck: o.manifest.lint.uninstallCheck,
  });
  const sarif = lintSarif(report, { version: o.version, artifactUri: (rpm) => posix.join(o.rpmsDirUri, rpm), packUri: o.manifestFile });
  await replaceDir(o.outDir, async (tmp) => {
    await fsp.writeFile(join(tmp, LINT_JSON), `${JSON.stringify(report, null, 2)}\n`);
    await fsp.writeFile(join(tmp, LINT_SARIF), `${JSON.stringify(sarif, null, 2)}\n`);
  });
  return report;
}

/** The lint stage as every adapter runs it (core/products/stage.ts): report, write, fail on an error. */
export const lintProjectStage = defineStage('lint', async (p, _options, env) => {
  const rel = stageDirs(p.projectRoot);
  const report = await lintStage({
    manifest: p.manifest,
    manifestFile: p.manifestFile,
    projectDir: p.projectDir,
    rpmsDir: p.dirs.rpms,
    rpmsDirUri: rel.rpms,
    outDir: p.dirs.lint,
    version: env.toolVersion,
  });
  for (const line of formatLintReport(report)) env.info(line);
  env.info(`report: ${posix.join(rel.lint, LINT_SARIF)}`);
  assertLintClean(report, p.manifestFile);
});
