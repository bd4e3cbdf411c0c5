/**
 * What every executor shares: finding the project from the ExecutorContext, reading and
 * validating `<projectRoot>/suppack.json` once, the absolute stage directories, and turning a
 * SuppackError into one logged line and `{ success: false }`.
 */
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { logger, type ExecutorContext, type PromiseExecutor } from '@nx/devkit';
import { SuppackError, describeNodeError, isNodeError, isSuppackError } from '../core/errors';
import { stageDirs, type StageDirs } from '../core/project-layout';
import { executorOptionSchemas, type ExecutorName } from '../schemas/executors';
import { MANIFEST_FILE, manifestSchema, type Manifest } from '../schemas/manifest';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import type { z } from 'zod';
import type { UpdatePackFiles } from '../core/update-pack';

export interface StageProject {
  /** Absolute workspace root (context.root). */
  workspaceRoot: string;
  /** The project root relative to the workspace, POSIX, e.g. `packs/acme`. */
  projectRoot: string;
  /** Absolute project directory. */
  projectDir: string;
  /** The manifest as errors name it, relative to the workspace: `packs/acme/suppack.json`. */
  manifestFile: string;
  manifest: Manifest;
  /** Every stage's output directory, absolute. */
  dirs: StageDirs;
}

/** Find the project of `context` and read its suppack.json. Throws a SuppackError naming the file and field. */
export async function readStageProject(context: ExecutorContext): Promise<StageProject> {
  const workspaceRoot = context.root;
  const name = context.projectName;
  const config = name === undefined ? undefined : context.projectsConfigurations?.projects?.[name];
  if (config === undefined) {
    throw new SuppackError(`no project ${JSON.stringify(name ?? '')} in the workspace: run the target of a suppack project`);
  }
  const projectRoot = config.root.split(/[\\/]+/).filter(Boolean).join('/');
  const projectDir = join(workspaceRoot, projectRoot);
  const manifestFile = posix.join(projectRoot || '.', MANIFEST_FILE);
  const manifestPath = join(projectDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new SuppackError(isNodeError(e) ? describeNodeError(e) : String(e), { file: manifestFile });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SuppackError(`not valid JSON: ${(e as Error).message}`, { file: manifestFile });
  }
  const manifest = parseWithSchema(manifestSchema, json, { file: manifestFile, field: dottedPath });
  const rel = stageDirs(projectRoot);
  const dirs = Object.fromEntries(Object.entries(rel).map(([k, v]) => [k, join(workspaceRoot, v)])) as unknown as StageDirs;
  return { workspaceRoot, projectRoot, projectDir, manifestFile, manifest, dirs };
}

type Options<N extends ExecutorName> = z.output<(typeof executorOptionSchemas)[N]>;
type OptionsInput<N extends ExecutorName> = z.input<(typeof executorOptionSchemas)[N]>;

/**
 * An executor for the stage `name`: validates the options, reads the project, runs `stage`.
 * A SuppackError is printed as its one-line message (no stack) and gives `{ success: false }`;
 * anything else is a bug and is rethrown.
 */
export function runStage<N extends ExecutorName>(
  name: N,
  stage: (project: StageProject, options: Options<N>, context: ExecutorContext) => Promise<void>,
): PromiseExecutor<OptionsInput<N>> {
  return async (rawOptions, context) => {
    try {
      const given = Object.fromEntries(Object.entries(rawOptions ?? {}).filter(([k]) => !k.startsWith('__')));
      const options = parseWithSchema(executorOptionSchemas[name], given, {
        file: `${context.projectName ?? ''}:${context.targetName ?? name} options`,
      }) as Options<N>;
      const project = await readStageProject(context);
      await stage(project, options, context);
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

/** The files an update pack names, resolved against the project directory. */
export function updatePackFiles(
  p: StageProject,
  pack: { precheck?: string; remove?: string; key?: string; groupfile?: string },
): UpdatePackFiles {
  const files: UpdatePackFiles = {};
  for (const k of ['precheck', 'remove', 'key', 'groupfile'] as const) {
    const rel = pack[k];
    if (rel !== undefined) files[k] = join(p.projectDir, rel);
  }
  return files;
}
