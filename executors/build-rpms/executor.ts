/**
 * build-rpms: rpmbuild -bb on every rendered spec → dist/<projectRoot>/RPMS (core/rpmbuild.ts),
 * after extracting the kernel-devel RPMs that kernels[].develRpm names (core/kernel-devel.ts).
 */
import { logger } from '@nx/devkit';
import { prepareKernelTrees } from '../../core/kernel-devel';
import { buildRpms } from '../../core/rpmbuild';
import { sourceDateEpoch } from '../../core/time';
import { runStage } from '../project';

export default runStage('build-rpms', async (p, options) => {
  const log = options.verbose ? (line: string) => logger.info(line) : undefined;
  const manifest = await prepareKernelTrees(p.manifest, { baseDir: p.workspaceRoot, workDir: p.dirs.work, manifestFile: p.manifestFile, log });
  await buildRpms({
    manifest,
    specsDir: p.dirs.specs,
    sourcesDir: p.dirs.sources,
    outDir: p.dirs.built,
    workDir: p.dirs.work,
    epoch: sourceDateEpoch(),
    log,
    manifestFile: p.manifestFile,
  });
});
