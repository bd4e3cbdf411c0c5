/**
 * rebuild-iso (installer projects): baseIso + the member packs' ISOs + answerfile + include →
 * dist/<projectRoot>/installer/<output> (default <project name>.iso).
 */
import { promises as fsp } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { logger } from '@nx/devkit';
import { SuppackError } from '../../core/errors';
import { progressPrinter } from '../../core/progress';
import { menuReportLines, rebuildIso } from '../../core/rebuild-iso';
import { replaceDir } from '../../core/output';
import { sourceDateEpoch } from '../../core/time';
import { memberIsos, runKindStage } from '../project';

const FILE_NAME = /^[A-Za-z0-9._-]+$/;

/** `<project name>.iso`, or the base ISO's own name when the project name is no plain file name (`@scope/x`). */
export function defaultInstallerOutput(projectName: string | undefined, baseIso: string): string {
  if (projectName !== undefined && FILE_NAME.test(projectName)) return `${projectName.replace(/\.iso$/i, '')}.iso`;
  return basename(baseIso.replace(/\\/g, '/'));
}

export default runKindStage('rebuild-iso', 'installer', async (p, _options, context) => {
  const m = p.manifest;
  const input = join(p.projectDir, m.baseIso);
  await fsp.access(input).catch(() => {
    throw new SuppackError(`${m.baseIso}: no such file, expected the installer ISO to start from`, { file: p.manifestFile, field: 'baseIso' });
  });
  const packs = await memberIsos(p, context);
  const name = m.output ?? defaultInstallerOutput(context.projectName, m.baseIso);
  // The stage directory is replaced as a whole: an output renamed in suppack.json leaves no stale ISO.
  const result = await replaceDir(p.dirs.installer, (tmp) =>
    rebuildIso({
      input,
      output: join(tmp, name),
      packs,
      ...(m.answerfile !== undefined ? { answerfile: join(p.projectDir, m.answerfile) } : {}),
      ...(m.bootEntries !== undefined ? { bootEntries: m.bootEntries } : {}),
      drivers: m.drivers.map((d) => join(p.projectDir, d)),
      include: m.include.map((inc) => ({ from: join(p.projectDir, inc.from), ...(inc.to !== undefined ? { to: inc.to } : {}) })),
      ...(m.volumeId !== undefined ? { volumeId: m.volumeId } : {}),
      epoch: sourceDateEpoch(),
      onProgress: progressPrinter(name),
    }),
  );
  for (const line of menuReportLines(result.menus)) logger.info(line);
  if (m.answerfile !== undefined) {
    const abs = join(p.projectDir, m.answerfile);
    for (const w of result.answerfileWarnings) logger.warn(`warning: ${relative(p.workspaceRoot, abs)}${w.slice(abs.length)}`);
  }
  logger.info(relative(p.workspaceRoot, join(p.dirs.installer, name)));
});
