/** build-srctarballs: each rpms[].sources directory → dist/<projectRoot>/SOURCES/<name>-<version>.tar.gz. */
import { buildSourceTarballs } from '../../core/srctarball';
import { sourceDateEpoch } from '../../core/time';
import { runStage } from '../project';

export default runStage('build-srctarballs', async (p) => {
  await buildSourceTarballs({
    manifest: p.manifest,
    projectDir: p.projectDir,
    outDir: p.dirs.sources,
    epoch: sourceDateEpoch(),
    manifestFile: p.manifestFile,
  });
});
