/**
 * combine-packs (bundle projects): the member packs' ISOs → dist/<projectRoot>/bundle-iso/:
 * <name>.iso and <name>.iso.md5, each pack in packages.<label>/, listed in XS-REPOSITORY-LIST.
 */
import { join, relative } from 'node:path';
import { logger } from '@nx/devkit';
import { combinePacks } from '../../core/combine-packs';
import { progressPrinter } from '../../core/progress';
import { replaceDir } from '../../core/output';
import { sourceDateEpoch } from '../../core/time';
import { memberIsos, runKindStage } from '../project';

export default runKindStage('combine-packs', 'bundle', async (p, _options, context) => {
  const m = p.manifest;
  const packs = await memberIsos(p, context);
  // The stage directory is replaced as a whole: a renamed bundle leaves no stale ISO.
  await replaceDir(p.dirs.bundleIso, (tmp) =>
    combinePacks({ packs, outDir: tmp, name: m.name, volumeId: m.volumeId, epoch: sourceDateEpoch(), onProgress: progressPrinter(`${m.name}.iso`) }),
  );
  logger.info(relative(p.workspaceRoot, join(p.dirs.bundleIso, `${m.name}.iso`)));
});
