/**
 * createNodes: every `suppack.json` in the workspace is a pack, bundle or installer project whose
 * targets are inferred (plugin/targets.ts). All manifests are read first, so a bundle or installer
 * knows what its member projects are (a legacy pack, a bundle, an update pack it must refuse).
 *
 * A broken manifest (invalid JSON, schema error, a member that cannot be resolved, a pack
 * identity another project has: plugin/workspace-checks.ts) must neither break the other projects
 * nor vanish: Nx 24 turns the AggregateCreateNodesError that createNodesFromFiles throws into
 * "Failed to process project graph" and lists no project at all (nx 24.0.6), and a project left
 * out makes `run-many` green. So the project stays in the graph with the targets of its kind, each
 * running the `invalid-project` executor, which fails with the manifest's errors; the problem is
 * also logged once at graph time. Any other error (a bug) still goes through createNodesFromFiles.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { devkit } from './devkit';
import { isSuppackError } from '../core/graph';
import { MANIFEST_FILE } from '../schemas/manifest';
import type { ProjectManifest } from '../schemas/manifest';
import { readProjectManifest } from '../core/graph';
import type { MemberProject } from '../core/graph';
import { targetNames, type SuppackPluginOptions } from './options';
import { brokenProjectTargets, inferProjectMetadata, inferTargets, PACKAGE_NAME } from './targets';
import { workspaceConflicts } from './workspace-checks';

export const MANIFEST_GLOB = `**/${MANIFEST_FILE}`;

export const createNodes: CreateNodes<SuppackPluginOptions> = [
  MANIFEST_GLOB,
  async (files, options, context) => {
    // Wrong options fail the whole graph with every problem listed (nx.json, not a project, is wrong).
    targetNames(options);
    const external = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false;
    const workspace = await readWorkspaceProjects(files, context.workspaceRoot);
    return devkit().createNodesFromFiles(
      (file, opts, ctx) => createPackNodeOrReport(file, opts, ctx, undefined, external, workspace),
      files,
      options ?? {},
      context,
    );
  },
];

/** One `suppack.json` read: its project's root and Nx name, and the manifest or why it is invalid. */
interface WorkspaceProject {
  root: string;
  name: string;
  manifest?: ProjectManifest;
  error?: unknown;
}

/** Every suppack project of one createNodes call, by manifest file and by Nx name. */
export interface WorkspaceProjects {
  byFile: Map<string, WorkspaceProject>;
  byName: Map<string, MemberProject>;
}

/** Read all manifests once; errors are kept for the file's own createNodes to report. */
export async function readWorkspaceProjects(files: readonly string[], workspaceRoot: string): Promise<WorkspaceProjects> {
  const byFile = new Map<string, WorkspaceProject>();
  const byName = new Map<string, MemberProject>();
  for (const f of files) {
    const file = toPosix(f);
    const root = posix.dirname(file);
    const entry: WorkspaceProject = { root, name: projectName(workspaceRoot, root) };
    try {
      entry.manifest = await readProjectManifest(workspaceRoot, file);
    } catch (e) {
      entry.error = e;
    }
    byFile.set(file, entry);
  }
  for (const [file, conflict] of workspaceConflicts([...byFile].map(([file, e]) => ({ file, name: e.name, manifest: e.manifest })))) {
    byFile.get(file)!.error = conflict;
  }
  for (const e of byFile.values()) byName.set(e.name, { root: e.root, ...(e.manifest && e.error === undefined ? { manifest: e.manifest } : {}) });
  return { byFile, byName };
}

/**
 * The name Nx gives the project at `root`: the `name` of a sibling project.json, else of a
 * package.json, else the folder's name (what createPackNode sets).
 */
function projectName(workspaceRoot: string, root: string): string {
  for (const f of ['project.json', 'package.json']) {
    try {
      const json: unknown = JSON.parse(readFileSync(join(workspaceRoot, root, f), 'utf8'));
      if (json !== null && typeof json === 'object' && typeof (json as { name?: unknown }).name === 'string') return (json as { name: string }).name;
    } catch {
      // no such file, or not JSON: Nx reports that one itself
    }
  }
  return posix.basename(root === '.' ? toPosix(workspaceRoot) : root);
}

/**
 * createPackNode; a broken manifest is reported through `report` and its project gets targets
 * that fail with the message (see the file comment).
 */
export async function createPackNodeOrReport(
  file: string,
  options: SuppackPluginOptions | undefined,
  context: CreateNodesContext,
  report: (message: string) => void = (m) => devkit().logger.error(m),
  externalDependency: string | false = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false,
  workspace?: WorkspaceProjects,
): Promise<CreateNodesResult> {
  try {
    return await createPackNode(file, options, context, externalDependency, workspace);
  } catch (e) {
    if (!isSuppackError(e)) throw e;
    const lines = e.message.split('\n');
    report(`${lines.map((l) => `suppack: ${l}`).join('\n')} (its targets fail until it is fixed)`);
    return brokenProjectNode(toPosix(file), lines, options, context.workspaceRoot);
  }
}

/**
 * The project of one `suppack.json` (workspace-relative path). `workspace` holds every manifest
 * of the call (bundle and installer members are looked up there); without it only this one is read.
 */
export async function createPackNode(
  file: string,
  options: SuppackPluginOptions | undefined,
  context: CreateNodesContext,
  externalDependency: string | false = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false,
  workspace?: WorkspaceProjects,
): Promise<CreateNodesResult> {
  const manifestFile = toPosix(file);
  const root = posix.dirname(manifestFile);
  const known = workspace?.byFile.has(manifestFile) ? workspace : undefined;
  const ws = known ?? (await readWorkspaceProjects([manifestFile], context.workspaceRoot));
  const self = ws.byFile.get(manifestFile)!;
  if (self.error !== undefined || self.manifest === undefined) throw self.error;
  const manifest = self.manifest;
  const targets = inferTargets(root, manifest, {
    options,
    externalDependency,
    projectName: self.name,
    members: (name) => ws.byName.get(name),
  });
  // A sibling project.json / package.json names the project; otherwise the folder does.
  const named = ['project.json', 'package.json'].some((f) => existsSync(join(context.workspaceRoot, root, f)));
  return {
    projects: {
      [root]: {
        ...(named ? {} : { name: posix.basename(root === '.' ? toPosix(context.workspaceRoot) : root) }),
        root,
        targets,
        metadata: inferProjectMetadata(manifest, targets),
      },
    },
  };
}

/** The project of a broken `suppack.json`: the targets of its kind (when its JSON says), all failing with `errors`. */
function brokenProjectNode(manifestFile: string, errors: string[], options: SuppackPluginOptions | undefined, workspaceRoot: string): CreateNodesResult {
  const root = posix.dirname(manifestFile);
  const named = ['project.json', 'package.json'].some((f) => existsSync(join(workspaceRoot, root, f)));
  return {
    projects: {
      [root]: {
        ...(named ? {} : { name: posix.basename(root === '.' ? toPosix(workspaceRoot) : root) }),
        root,
        targets: brokenProjectTargets(declaredKind(workspaceRoot, manifestFile), manifestFile, errors, options),
      },
    },
  };
}

/** The `kind` a manifest's JSON declares, if it parses and says a known one; else "pack" (the default). */
function declaredKind(workspaceRoot: string, manifestFile: string): 'pack' | 'bundle' | 'installer' {
  try {
    const kind = (JSON.parse(readFileSync(join(workspaceRoot, manifestFile), 'utf8')) as { kind?: unknown })?.kind;
    return kind === 'bundle' || kind === 'installer' ? kind : 'pack';
  } catch {
    return 'pack';
  }
}

const LOCKFILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];

/**
 * Whether Nx has an external node for suppack, so `{externalDependencies: ['suppack']}` can hash
 * its version: Nx makes external nodes from the lockfile only, and fails every task whose
 * externalDependencies name a package it cannot find ("The externalDependency 'suppack' ...
 * could not be found", nx 24.0.6). False in suppack's own repo, which runs the plugin from
 * source, and in a workspace without a lockfile.
 */
export function isLockedDependency(workspaceRoot: string): boolean {
  if (!existsSync(join(workspaceRoot, 'node_modules', PACKAGE_NAME, 'package.json'))) return false;
  for (const lock of LOCKFILES) {
    try {
      if (readFileSync(join(workspaceRoot, lock), 'utf8').includes(PACKAGE_NAME)) return true;
    } catch {
      // no such lockfile
    }
  }
  return false;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}
