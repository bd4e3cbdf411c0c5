/**
 * The suppack projects of a workspace as the generators see it (the Nx Tree, so --dry-run and
 * tests see the same): every `suppack.json`, named as the plugin names it (a sibling project.json
 * or package.json `name`, else the folder), with its manifest when it is valid. And the members
 * a bundle or installer generator picks: named ones checked, or every legacy pack.
 */
import { posix } from 'node:path';
import { visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { SuppackError } from '../core';
import { MANIFEST_FILE, projectManifestSchema, type ProjectManifest } from '../schemas/manifest';
import { isIsoPath, UPDATE_PACKS_CANNOT_COMBINE } from '../schemas/pack-members';
import { closest } from '../schemas/parse';

export interface WorkspacePack {
  name: string;
  root: string;
  manifest: ProjectManifest;
}

function projectName(tree: Tree, root: string): string {
  for (const f of ['project.json', 'package.json']) {
    const p = posix.join(root, f);
    if (!tree.exists(p)) continue;
    try {
      const name = (JSON.parse(tree.read(p, 'utf8') ?? '{}') as { name?: unknown }).name;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // not JSON: the folder names the project
    }
  }
  return posix.basename(root);
}

/** Every valid suppack project of the workspace, by name (invalid manifests are left out). */
export function workspacePacks(tree: Tree): Map<string, WorkspacePack> {
  const found = new Map<string, WorkspacePack>();
  visitNotIgnoredFiles(tree, '', (file) => {
    if (posix.basename(file) !== MANIFEST_FILE || file.startsWith('node_modules/') || file.startsWith('dist/')) return;
    const root = posix.dirname(file);
    let manifest: ProjectManifest;
    try {
      manifest = projectManifestSchema.parse(JSON.parse(tree.read(file, 'utf8') ?? ''));
    } catch {
      return;
    }
    const name = projectName(tree, root);
    found.set(name, { name, root, manifest });
  });
  return found;
}

/** A project a bundle or installer can take: a legacy pack or a bundle. */
const isLegacyPack = (m: ProjectManifest) => m.kind === 'pack' && m.format === 'legacy';
const canBeMember = (m: ProjectManifest) => isLegacyPack(m) || m.kind === 'bundle';

/**
 * The members: `given` (project names or .iso paths) each checked, or every legacy pack of the
 * workspace in name order. `flag` names the option in errors (`suppack:bundle: --packs`).
 */
export function pickMembers(tree: Tree, given: readonly string[] | undefined, where: { file: string; field: string }): string[] {
  const packs = workspacePacks(tree);
  if (given === undefined || given.length === 0) {
    const all = [...packs.values()].filter((p) => isLegacyPack(p.manifest)).map((p) => p.name).sort();
    if (all.length === 0) {
      throw new SuppackError('the workspace has no legacy pack project to take: create one first (nx g suppack:pack), or name pack ISO files', where);
    }
    return all;
  }
  const problems: string[] = [];
  for (const m of given) {
    if (isIsoPath(m)) continue;
    const p = packs.get(m);
    if (p === undefined) {
      const near = closest(m, [...packs.keys()]);
      problems.push(`"${m}" is no suppack project of the workspace${near === undefined ? '' : `; did you mean ${near}?`}`);
    } else if (p.manifest.kind === 'pack' && p.manifest.format === 'update') {
      problems.push(`project "${m}" ${UPDATE_PACKS_CANNOT_COMBINE}`);
    } else if (!canBeMember(p.manifest)) {
      problems.push(`project "${m}" is an installer project, expected a legacy pack or a bundle`);
    }
  }
  const dup = given.find((m, i) => given.indexOf(m) !== i);
  if (dup !== undefined) problems.push(`"${dup}" is listed twice`);
  if (problems.length > 0) throw new SuppackError(problems.join('; '), where);
  return [...given];
}

/** Refuses a directory that already holds files. */
export function assertFreeDirectory(tree: Tree, directory: string, where: { file: string; field: string }): void {
  // Nx's tree lists no children of "." (its paths have no "./"), so the root would pass as free and its template files keep their names
  if (directory === '.' || directory === '') {
    throw new SuppackError('expected a directory under the workspace root, not the root itself (it holds the workspace\'s own files)', where);
  }
  if (tree.exists(directory) && (!tree.isFile(directory) ? tree.children(directory).length > 0 : true)) {
    throw new SuppackError(`${directory} already exists; choose another --directory or --name`, where);
  }
}
