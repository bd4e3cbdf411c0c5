/**
 * pack-metadata: the collected RPMs → dist/<projectRoot>/metadata/: XS-REPOSITORY and
 * XS-PACKAGES (legacy), or update.xml and the generated update-/control- RPMs (update).
 */
import { writeLegacyPackMetadata } from '../../core/legacy-pack-stages';
import { writeUpdatePackMetadata } from '../../core/update-pack-stages';
import { sourceDateEpoch } from '../../core/time';
import { runStage, updatePackFiles } from '../project';

export default runStage('pack-metadata', async (p) => {
  const m = p.manifest;
  if (m.format === 'legacy') {
    await writeLegacyPackMetadata({ pack: m.pack, rpmsDir: p.dirs.rpms, outDir: p.dirs.metadata });
  } else {
    await writeUpdatePackMetadata({
      pack: m.pack,
      rpmsDir: p.dirs.rpms,
      outDir: p.dirs.metadata,
      files: updatePackFiles(p, m.pack),
      epoch: sourceDateEpoch(),
    });
  }
});
