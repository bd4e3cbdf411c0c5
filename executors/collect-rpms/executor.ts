/** collect-rpms: built RPMs + suppack.json prebuilt globs → dist/<projectRoot>/rpms (core/collect-rpms.ts). */
import { collectRpms } from '../../core/collect-rpms';
import { runStage } from '../project';

export default runStage('collect-rpms', async (p) => {
  await collectRpms({
    manifest: p.manifest,
    projectDir: p.projectDir,
    builtDir: p.dirs.built,
    outDir: p.dirs.rpms,
    manifestFile: p.manifestFile,
  });
});
