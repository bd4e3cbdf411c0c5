/**
 * rebuild-iso (installer projects): baseIso + the member packs' ISOs + answerfile + drivers +
 * include → the stage directory's <output> (default <project name>.iso) (core/products/installer-iso/rebuild.ts,
 * docs/formats/xenserver.md §4).
 */
import { promises as fsp } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { SuppackError } from '../../base/errors';
import { replaceDir } from '../../base/output';
import { progressPrinter } from '../../base/progress';
import { menuReportLines, rebuildIso } from './rebuild';
import { sourceDateEpoch } from '../../base/time';
import { memberIsos } from '../project';
import { defineStage } from '../stage';

const FILE_NAME = /^[A-Za-z0-9._-]+$/;

/** `<project name>.iso`, or the base ISO's own name when the project name is no plain file name (`@scope/x`). */
export function defaultInstallerOutput(projectName: string | undefined, baseIso: string): string {
  if (projectName !== undefined && FILE_NAME.test(projectName)) return `${projectName.replace(/\.iso$/i, '')}.iso`;
  return basename(baseIso.replace(/\\/g, '/'));
}

export const rebuildIsoStage = defineStage('rebuild-iso', async (p, _options, env) => {
  const m = p.manifest;
  const input = join(p.projectDir, m.baseIso);
  await fsp.access(input).catch(() => {
    throw new SuppackError(`${m.baseIso}: no such file, expected the installer ISO to start from`, { file: p.manifestFile, field: 'baseIso' });
  });
  const packs = await memberIsos(p, env.projectName, env.projectRootOf);
  const name = m.output ?? defaultInstallerOutput(env.projectName, m.baseIso);
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
  for (const line of menuReportLines(result.menus)) env.info(line);
  if (m.answerfile !== undefined) {
    const abs = join(p.projectDir, m.answerfile);
    for (const w of result.answerfileWarnings) env.warn(`warning: ${relative(p.workspaceRoot, abs)}${w.slice(abs.length)}`);
  }
  env.info(relative(p.workspaceRoot, join(p.dirs.installer, name)));
});
