/**
 * createNodes: every `suppack.json` in the workspace is a pack project whose targets are inferred
 * (plugin/targets.ts).
 *
 * A broken manifest (invalid JSON, schema error) must not break the other projects. Nx 24 turns
 * the AggregateCreateNodesError that createNodesFromFiles throws into "Failed to process project
 * graph" and lists no project at all (checked with `nx show projects` on nx 24.0.6), so a
 * SuppackError is logged instead (one line: file, field, what was expected) and that file yields
 * no project. Any other error (a bug) still goes through createNodesFromFiles.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createNodesFromFiles, logger, type CreateNodes, type CreateNodesContext, type CreateNodesResult } from '@nx/devkit';
import { isSuppackError } from '../core/errors';
import { MANIFEST_FILE } from '../schemas/manifest';
import { readManifest } from './manifest-file';
import type { SuppackPluginOptions } from './options';
import { inferProjectMetadata, inferTargets, PACKAGE_NAME } from './targets';

export const MANIFEST_GLOB = `**/${MANIFEST_FILE}`;

export const createNodes: CreateNodes<SuppackPluginOptions> = [
  MANIFEST_GLOB,
  async (files, options, context) => {
    const external = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false;
    return createNodesFromFiles((file, opts, ctx) => createPackNodeOrReport(file, opts, ctx, undefined, external), files, options ?? {}, context);
  },
];

/** createPackNode, with a broken manifest reported through `report` and left out of the graph. */
export async function createPackNodeOrReport(
  file: string,
  options: SuppackPluginOptions | undefined,
  context: CreateNodesContext,
  report: (message: string) => void = (m) => logger.error(m),
  externalDependency: string | false = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false,
): Promise<CreateNodesResult> {
  try {
    return await createPackNode(file, options, context, externalDependency);
  } catch (e) {
    if (!isSuppackError(e)) throw e;
    report(`suppack: ${e.message} (project skipped)`);
    return {};
  }
}

/** The project of one `suppack.json` (workspace-relative path). */
export async function createPackNode(
  file: string,
  options: SuppackPluginOptions | undefined,
  context: CreateNodesContext,
  externalDependency: string | false = isLockedDependency(context.workspaceRoot) ? PACKAGE_NAME : false,
): Promise<CreateNodesResult> {
  const manifestFile = toPosix(file);
  const root = posix.dirname(manifestFile);
  const manifest = await readManifest(context.workspaceRoot, manifestFile);
  const targets = inferTargets(root, manifest, {
    ...options,
    externalDependency,
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
