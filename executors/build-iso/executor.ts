/**
 * build-iso: metadata + RPMs → dist/<projectRoot>/iso/: <label>.iso, .iso.md5 and .metadata.md5
 * (legacy), or the signed update / driver-disk ISO and its .sha256 (update; the secret key comes
 * from SUPPACK_SIGNING_KEY, never from options).
 */
import { relative } from 'node:path';
import { logger } from '@nx/devkit';
import { buildLegacyIsoFromMetadata } from '../../core/legacy-pack-stages';
import { buildUpdateIsoFromMetadata } from '../../core/update-pack-stages';
import { progressPrinter } from '../../core/progress';
import { sourceDateEpoch } from '../../core/time';
import { runStage, updatePackFiles } from '../project';

export default runStage('build-iso', async (p) => {
  const m = p.manifest;
  const epoch = sourceDateEpoch();
  const out =
    m.format === 'legacy'
      ? await buildLegacyIsoFromMetadata({
          pack: m.pack,
          metadataDir: p.dirs.metadata,
          rpmsDir: p.dirs.rpms,
          outDir: p.dirs.iso,
          epoch,
          onProgress: progressPrinter(`${m.pack.label}.iso`),
        })
      : await buildUpdateIsoFromMetadata({
          pack: m.pack,
          metadataDir: p.dirs.metadata,
          rpmsDir: p.dirs.rpms,
          outDir: p.dirs.iso,
          files: updatePackFiles(p, m.pack),
          epoch,
          onProgress: progressPrinter(`${m.pack.label} ISO`),
        });
  logger.info(relative(p.workspaceRoot, out.iso));
});
