/** bundle: the ISO, its md5 files and the source tarballs → dist/<projectRoot>/bundle/<label>.zip. */
import { relative } from 'node:path';
import { logger } from '@nx/devkit';
import { buildBundle } from '../../core/bundle';
import { sourceDateEpoch } from '../../core/time';
import { runStage } from '../project';

export default runStage('bundle', async (p) => {
  const zip = await buildBundle({
    label: p.manifest.pack.label,
    isoDir: p.dirs.iso,
    sourcesDir: p.dirs.sources,
    outDir: p.dirs.bundle,
    epoch: sourceDateEpoch(),
    ...(p.manifest.format === 'update' ? { files: 'all' as const } : {}),
  });
  logger.info(relative(p.workspaceRoot, zip));
});
