/**
 * combine-packs (bundle projects): the member packs' ISOs → dist/<projectRoot>/bundle-iso/:
 * <name>.iso and <name>.iso.md5, each pack in packages.<label>/, listed in XS-REPOSITORY-LIST.
 */
import { relative } from 'node:path';
import { logger } from '@nx/devkit';
import { combinePacks } from '../../core/combine-packs';
import { progressPrinter } from '../../core/progress';
import { sourceDateEpoch } from '../../core/time';
import { memberIsos, runKindStage } from '../project';

export default runKindStage('combine-packs', 'bundle', async (p, _options, context) => {
  const m = p.manifest;
  const out = await combinePacks({
    packs: await memberIsos(p, context),
    outDir: p.dirs.bundleIso,
    name: m.name,
    volumeId: m.volumeId,
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${m.name}.iso`),
  });
  logger.info(relative(p.workspaceRoot, out.iso));
});
