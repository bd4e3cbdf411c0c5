/**
 * What every executor shares: finding the project from the ExecutorContext, reading and
 * validating `<projectRoot>/suppack.json` once, the absolute stage directories, and turning a
 * SuppackError into one logged line and `{ success: false }`. Pack stages run on pack projects
 * only (runStage); combine-packs and rebuild-iso on bundle and installer projects (runKindStage).
 */
import { existsSync, promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { logger, type ExecutorContext, type PromiseExecutor } from '@nx/devkit';
import { SuppackError, isSuppackError, describeError } from '../core/errors';
import { stageDirs, type StageDirs } from '../core/project-layout';
import { guardManifest, type PackStageName } from '../core/stage-reads';
import { executorOptionSchemas, type ExecutorName } from '../schemas/executors';
import { parseProjectManifestText } from '../core/manifest-file';
import { MANIFEST_FILE, type Manifest, type ProjectKind, type ProjectManifest } from '../schemas/manifest';
import { isIsoPath } from '../schemas/pack-members';
import { parseWithSchema } from '../schemas/parse';
import { resolveMembers, type MemberProject } from '../plugin/members';
import type { z } from 'zod';
import type { UpdatePackFiles } from '../core/update-pack';

export interface ProjectOf<M extends ProjectManifest> {
  /** Absolute workspace root (context.root). */
  workspaceRoot: string;
  /** The project root relative to the workspace, POSIX, e.g. `packs/acme`. */
  projectRoot: string;
  /** Absolute project directory. */
  projectDir: string;
  /** The manifest as errors name it, relative to the workspace: `packs/acme/suppack.json`. */
  manifestFile: string;
  manifest: M;
  /** Every stage's output directory, absolute. */
  dirs: StageDirs;
}

/** A pack project: what the pack stages (render-spec ... bundle) read. */
export type StageProject = ProjectOf<Manifest>;
export type ManifestOfKind<K extends ProjectKind> = Extract<ProjectManifest, { kind: K }>;

/** Read and validate `<projectRoot>/suppack.json` (any kind). Throws a SuppackError naming the file and field. */
export async function readProjectAt(workspaceRoot: string, root: string): Promise<ProjectOf<ProjectManifest>> {
  const projectRoot = normaliseRoot(root);
  const projectDir = join(workspaceRoot, projectRoot);
  const manifestFile = posix.join(projectRoot || '.', MANIFEST_FILE);
  const manifestPath = join(projectDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new SuppackError(describeError(e), { file: manifestFile });
  }
  const manifest = parseProjectManifestText(text, manifestFile);
  const rel = stageDirs(projectRoot);
  const dirs = Object.fromEntries(Object.entries(rel).map(([k, v]) => [k, join(workspaceRoot, v)])) as unknown as StageDirs;
  return { workspaceRoot, projectRoot, projectDir, manifestFile, manifest, dirs };
}

/** Find the project of `context` and read its suppack.json, which must be of `kind`. */
export async function readProjectOfKind<K extends ProjectKind>(context: ExecutorContext, kind: K): Promise<ProjectOf<ManifestOfKind<K>>> {
  const name = context.projectName;
  const config = name === undefined ? undefined : context.projectsConfigurations?.projects?.[name];
  if (config === undefined) {
    throw new SuppackError(`no project ${JSON.stringify(name ?? '')} in the workspace: run the target of a suppack project`);
  }
  const p = await readProjectAt(context.root, config.root);
  if (p.manifest.kind !== kind) {
    throw new SuppackError(
      `expected a ${kind} project for the ${context.targetName ?? 'target'} target, got a ${p.manifest.kind} project`,
      { file: p.manifestFile, field: 'kind' },
    );
  }
  return p as ProjectOf<ManifestOfKind<K>>;
}

/** Find the pack project of `context` and read its suppack.json. Throws a SuppackError naming the file and field. */
export function readStageProject(context: ExecutorContext): Promise<StageProject> {
  return readProjectOfKind(context, 'pack');
}

/**
 * The absolute pack ISOs of a bundle or installer, in order: ISO files under the project
 * directory, and the ISO each member project's build-iso / combine-packs wrote (read from the
 * member's suppack.json, resolved like the plugin does). Each must exist.
 */
export async function memberIsos(p: ProjectOf<ManifestOfKind<'bundle' | 'installer'>>, context: ExecutorContext): Promise<string[]> {
  const configs = context.projectsConfigurations?.projects ?? {};
  const known = new Map<string, MemberProject>();
  for (const member of p.manifest.packs) {
    const config = configs[member];
    if (isIsoPath(member) || known.has(member) || config === undefined) continue;
    if (!existsSync(join(p.workspaceRoot, normaliseRoot(config.root), MANIFEST_FILE))) continue; // not a suppack project: reported below
    const m = await readProjectAt(p.workspaceRoot, config.root);
    known.set(member, { root: m.projectRoot, manifest: m.manifest });
  }
  const resolved = resolveMembers(p.manifestFile, context.projectName, p.manifest.packs, (n) => known.get(n));
  return resolved.map((m, i) => {
    const iso = m.source === 'file' ? join(p.projectDir, m.path) : join(p.workspaceRoot, m.iso);
    if (!existsSync(iso)) {
      const what =
        m.source === 'file'
          ? `${posix.join(p.projectRoot || '.', m.path)}: no such file`
          : `${m.iso} does not exist: build project ${JSON.stringify(m.project)} first (its ${m.stage} target)`;
      throw new SuppackError(what, { file: p.manifestFile, field: `packs[${i}]` });
    }
    return iso;
  });
}

type Options<N extends ExecutorName> = z.output<(typeof executorOptionSchemas)[N]>;
type OptionsInput<N extends ExecutorName> = z.input<(typeof executorOptionSchemas)[N]>;

/**
 * An executor for the pack stage `name`: validates the options, reads the pack project, runs
 * `stage`. A SuppackError is printed as its one-line message (no stack) and gives
 * `{ success: false }`; anything else is a bug and is rethrown.
 */
export function runStage<N extends ExecutorName & PackStageName>(
  name: N,
  stage: (project: StageProject, options: Options<N>, context: ExecutorContext) => Promise<void>,
): PromiseExecutor<OptionsInput<N>> {
  // The stage sees only the parts of suppack.json its target hashes (core/stage-reads.ts).
  return runKindStage(name, 'pack', (p, options, context) => stage({ ...p, manifest: guardManifest(p.manifest, name) }, options, context));
}

/** runStage for a project of `kind` (bundle: combine-packs, installer: rebuild-iso). */
export function runKindStage<N extends ExecutorName, K extends ProjectKind>(
  name: N,
  kind: K,
  stage: (project: ProjectOf<ManifestOfKind<K>>, options: Options<N>, context: ExecutorContext) => Promise<void>,
): PromiseExecutor<OptionsInput<N>> {
  return async (rawOptions, context) => {
    try {
      const given = Object.fromEntries(Object.entries(rawOptions ?? {}).filter(([k]) => !k.startsWith('__')));
      const options = parseWithSchema(executorOptionSchemas[name], given, {
        file: `${context.projectName ?? ''}:${context.targetName ?? name} options`,
      }) as Options<N>;
      const project = await readProjectOfKind(context, kind);
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

function normaliseRoot(root: string): string {
  return root.split(/[\\/]+/).filter(Boolean).join('/');
}
