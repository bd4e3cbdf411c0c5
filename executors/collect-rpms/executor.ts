/** collect-rpms: built RPMs + suppack.json prebuilt globs → dist/<projectRoot>/rpms (core/collect-rpms.ts). */
import { posix } from 'node:path';
import { createProjectFileMapUsingProjectGraph, type ExecutorContext } from '@nx/devkit';
import { collectRpms } from '../../core/collect-rpms';
import { runStage } from '../project';

export default runStage('collect-rpms', async (p, _options, context) => {
  await collectRpms({
    manifest: p.manifest,
    projectDir: p.projectDir,
    builtDir: p.dirs.built,
    outDir: p.dirs.rpms,
    manifestFile: p.manifestFile,
    hashedFiles: await hashedFiles(context, p.projectRoot),
  });
});

/**
 * The project's files as Nx hashes them (its file map: .gitignore and .nxignore applied, symlinked
 * directories not entered), relative to the project root; undefined outside a project graph.
 */
async function hashedFiles(context: ExecutorContext, projectRoot: string): Promise<Set<string> | undefined> {
  const name = context.projectName;
  if (name === undefined || context.projectGraph?.nodes?.[name] === undefined) return undefined;
  const files = (await createProjectFileMapUsingProjectGraph(context.projectGraph))[name] ?? [];
  const prefix = projectRoot === '' || projectRoot === '.' ? '' : `${projectRoot}/`;
  return new Set(files.map((f) => posix.relative(prefix || '.', f.file)).filter((f) => !f.startsWith('..')));
}
