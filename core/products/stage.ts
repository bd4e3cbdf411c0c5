/**
 * A stage you can run: its descriptor (core/products/stages.ts) joined to its run function. Each
 * product declares its runs (core/products/<product>/stage.ts); every adapter runs them the same
 * way: the Nx executors through executors/project.ts `nxExecutor`, others by calling `runStage`.
 * A run gets the project (its manifest limited to what the stage's target hashes, for a pack
 * stage: core/products/stage-reads.ts), its validated options and what only the build system knows
 * (StageEnv); it writes its stage directory and nothing else.
 */
import type { z } from 'zod';
import { guardManifest } from './stage-reads';
import { executorOptionSchemas } from '../../schemas/executors';
import { parseWithSchema } from '../../schemas/parse';
import { readProjectOfKind, type ManifestOfKind, type ProjectOf } from './project';
import { STAGES, type StageInfo, type StageName } from './stages';
import type { ProjectKind } from '../../schemas/manifest';

/** What a stage may need from whoever runs it. */
export interface StageEnv {
  /** The project's name in the workspace (rebuild-iso's default output name; a bundle cannot contain itself). */
  projectName?: string;
  /** A workspace project's root by name: the members of a bundle or installer. */
  projectRootOf(name: string): string | undefined;
  /** The project's files as the build system hashes them, project-relative (collect-rpms); undefined when not known. */
  hashedFiles(): Promise<Set<string> | undefined>;
  /** suppack's own version (lint's SARIF names the tool). */
  toolVersion: string;
  info(line: string): void;
  warn(line: string): void;
}

export type KindOf<N extends StageName> = (typeof STAGES)[N]['kind'];
export type StageOptions<N extends StageName> = z.output<(typeof executorOptionSchemas)[N]>;
export type StageOptionsInput<N extends StageName> = z.input<(typeof executorOptionSchemas)[N]>;

export interface Stage<N extends StageName> {
  info: StageInfo & { name: N };
  run(project: ProjectOf<ManifestOfKind<KindOf<N>>>, options: StageOptions<N>, env: StageEnv): Promise<void>;
}

/** Join `name`'s descriptor to its run. */
export function defineStage<N extends StageName>(name: N, run: Stage<N>['run']): Stage<N> {
  return { info: STAGES[name] as StageInfo & { name: N }, run };
}

/**
 * Run `stage` on the project at `projectRoot` (workspace-relative) of `workspaceRoot`: options
 * checked against the stage's schema (`optionsFile` names them in errors), the manifest read and
 * checked to be of the stage's kind, a pack stage's manifest guarded to what its target hashes.
 * Errors are SuppackErrors naming the file and field.
 */
export async function runStage<N extends StageName>(
  stage: Stage<N>,
  o: { workspaceRoot: string; projectRoot: string; options: unknown; optionsFile: string; env: StageEnv; target?: string },
): Promise<void> {
  const name = stage.info.name;
  const options = parseWithSchema(executorOptionSchemas[name], o.options ?? {}, { file: o.optionsFile }) as StageOptions<N>;
  const kind = stage.info.kind as ProjectKind;
  const p = await readProjectOfKind(o.workspaceRoot, o.projectRoot, kind, o.target ?? name);
  const guarded = stage.info.reads === 'all' ? p : { ...p, manifest: guardManifest(p.manifest, name as Parameters<typeof guardManifest>[1]) };
  await stage.run(guarded as ProjectOf<ManifestOfKind<KindOf<N>>>, options, o.env);
}
