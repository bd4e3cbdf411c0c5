/** pack-metadata: the collected RPMs → dist/<projectRoot>/metadata/XS-REPOSITORY, XS-PACKAGES. */
import { writeLegacyPackMetadata } from '../../core/legacy-pack-stages';
import { runStage } from '../project';

export default runStage('pack-metadata', async (p) => {
  await writeLegacyPackMetadata({ pack: p.manifest.pack, rpmsDir: p.dirs.rpms, outDir: p.dirs.metadata });
});
