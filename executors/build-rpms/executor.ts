/** build-rpms: rpmbuild -bb on every rendered spec → dist/<projectRoot>/RPMS (core/rpmbuild.ts). */
import { logger } from '@nx/devkit';
import { buildRpms } from '../../core/rpmbuild';
import { sourceDateEpoch } from '../../core/time';
import { runStage } from '../project';

export default runStage('build-rpms', async (p, options) => {
  await buildRpms({
    manifest: p.manifest,
    specsDir: p.dirs.specs,
    sourcesDir: p.dirs.sources,
    outDir: p.dirs.built,
    workDir: p.dirs.work,
    epoch: sourceDateEpoch(),
    log: options.verbose ? (line) => logger.info(line) : undefined,
    manifestFile: p.manifestFile,
  });
});
