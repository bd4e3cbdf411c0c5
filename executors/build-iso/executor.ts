/** build-iso: metadata + RPMs → dist/<projectRoot>/iso/<label>.iso, .iso.md5, .metadata.md5. */
import { relative } from 'node:path';
import { logger } from '@nx/devkit';
import { buildLegacyIsoFromMetadata } from '../../core/legacy-pack-stages';
import { progressPrinter } from '../../core/progress';
import { sourceDateEpoch } from '../../core/time';
import { runStage } from '../project';

export default runStage('build-iso', async (p) => {
  const out = await buildLegacyIsoFromMetadata({
    pack: p.manifest.pack,
    metadataDir: p.dirs.metadata,
    rpmsDir: p.dirs.rpms,
    outDir: p.dirs.iso,
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${p.manifest.pack.label}.iso`),
  });
  logger.info(relative(p.workspaceRoot, out.iso));
});
