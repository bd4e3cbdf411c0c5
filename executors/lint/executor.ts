/** lint: the collected RPMs against the DDK guide's rules → dist/<projectRoot>/lint (core/products/lint/stage.ts). */
import { posix } from 'node:path';
import { assertLintClean, formatLintReport } from '../../core/products/lint';
import { lintStage } from '../../core/products/lint/stage';
import { stageDirs } from '../../core/project-layout';
import { packageVersion } from '../../cli/version';
import { logger } from '@nx/devkit';
import { runStage } from '../project';

export default runStage('lint', async (p) => {
  const report = await lintStage({
    manifest: p.manifest,
    manifestFile: p.manifestFile,
    projectDir: p.projectDir,
    rpmsDir: p.dirs.rpms,
    rpmsDirUri: stageDirs(p.projectRoot).rpms,
    outDir: p.dirs.lint,
    version: packageVersion(),
  });
  for (const line of formatLintReport(report)) logger.info(line);
  logger.info(`report: ${posix.join(stageDirs(p.projectRoot).lint, 'lint.sarif')}`);
  assertLintClean(report, p.manifestFile);
});
