/**
 * The one Nx adapter every executor is: `nxExecutor(stage)` runs a stage (core/products/stage.ts)
 * on the project of the ExecutorContext. Nx gives the workspace and project roots, the project's
 * hashed files and the logger; the stage does the rest. A SuppackError is printed as its one-line
 * message (no stack) and gives `{ success: false }`; anything else is a bug and is rethrown.
 */
import { posix } from 'node:path';
import { createProjectFileMapUsingProjectGraph, logger, type ExecutorContext, type PromiseExecutor } from '@nx/devkit';
import { SuppackError, isSuppackError } from '../core';
import { runStage, type Stage, type StageEnv, type StageOptionsInput } from '../core';
import type { StageName } from '../core';
import { packageVersion } from '../cli/version';

export function nxExecutor<N extends StageName>(stage: Stage<N>): PromiseExecutor<StageOptionsInput<N>> {
  return async (rawOptions, context) => {
    try {
      const name = context.projectName;
      const config = name === undefined ? undefined : context.projectsConfigurations?.projects?.[name];
      if (config === undefined) {
        throw new SuppackError(`no project ${JSON.stringify(name ?? '')} in the workspace: run the target of a suppack project`);
      }
      await runStage(stage, {
        workspaceRoot: context.root,
        projectRoot: config.root,
        // Nx adds its own `__unparsed__` and the like: not the user's options.
        options: Object.fromEntries(Object.entries(rawOptions ?? {}).filter(([k]) => !k.startsWith('__'))),
        optionsFile: `${name ?? ''}:${context.targetName ?? stage.info.name} options`,
        target: context.targetName ?? stage.info.name,
        env: nxEnv(context, config.root),
      });
      return { success: true };
    } catch (e) {
      if (isSuppackError(e)) {
        logger.error(e.message);
        return { success: false };
      }
      throw e;
    }
  };
}

function nxEnv(context: ExecutorContext, projectRoot: string): StageEnv {
  return {
    ...(context.projectName !== undefined ? { projectName: context.projectName } : {}),
    projectRootOf: (n) => context.projectsConfigurations?.projects?.[n]?.root,
    hashedFiles: () => hashedFiles(context, projectRoot),
    toolVersion: packageVersion(),
    info: (line) => logger.info(line),
    warn: (line) => logger.warn(line),
  };
}

/**
 * The project's files as Nx hashes them (its file map: .gitignore and .nxignore applied, symlinked
 * directories not entered), relative to the project root; undefined outside a project graph.
 */
async function hashedFiles(context: ExecutorContext, projectRoot: string): Promise<Set<string> | undefined> {
  const name = context.projectName;
  if (name === undefined || context.projectGraph?.nodes?.[name] === undefined) return undefined;
  const files = (await createProjectFileMapUsingProjectGraph(context.projectGraph))[name] ?? [];
  const root = projectRoot.split(/[\\/]+/).filter(Boolean).join('/');
  const prefix = root === '' || root === '.' ? '' : `${root}/`;
  return new Set(files.map((f) => posix.relative(prefix || '.', f.file)).filter((f) => !f.startsWith('..')));
}
