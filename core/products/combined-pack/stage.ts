/**
 * combine-packs (bundle projects): the member packs' ISOs → the stage directory: <name>.iso and
 * <name>.iso.md5, each pack in packages.<label>/, listed in XS-REPOSITORY-LIST (core/products/combined-pack/combine.ts,
 * docs/formats/xenserver.md §3).
 */
import { join, relative } from 'node:path';
import { combinePacks } from './combine';
import { replaceDir } from '../../base/output';
import { progressPrinter } from '../../base/progress';
import { sourceDateEpoch } from '../../base/time';
import { memberIsos } from '../project';
import { defineStage } from '../stage';

export const combinePacksStage = defineStage('combine-packs', async (p, _options, env) => {
  const m = p.manifest;
  const packs = await memberIsos(p, env.projectName, env.projectRootOf);
  // The stage directory is replaced as a whole: a renamed bundle leaves no stale ISO.
  await replaceDir(p.dirs.bundleIso, (tmp) =>
    combinePacks({ packs, outDir: tmp, name: m.name, volumeId: m.volumeId, epoch: sourceDateEpoch(), onProgress: progressPrinter(`${m.name}.iso`) }),
  );
  env.info(relative(p.workspaceRoot, join(p.dirs.bundleIso, `${m.name}.iso`)));
});
