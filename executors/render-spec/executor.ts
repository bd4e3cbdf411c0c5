/** render-spec: suppack.json rpms[] templates → dist/<projectRoot>/specs (core/spec.ts). */
import { renderSpecs } from '../../core/spec';
import { runStage } from '../project';

export default runStage('render-spec', async (p) => {
  await renderSpecs({ manifest: p.manifest, projectDir: p.projectDir, outDir: p.dirs.specs, manifestFile: p.manifestFile });
});
