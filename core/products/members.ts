/**
 * The packs of a bundle or installer project, resolved without a file system: each member is a
 * pack ISO file (ends in `.iso`) or a workspace project, whose ISO is the output of its build-iso
 * (legacy pack) or combine-packs (bundle) target. The plugin (inference) and the executors (run
 * time) resolve with the same function (plugin/create-nodes.ts, core/products/project.ts), so they cannot disagree on which ISO a member is.
 */
import { posix } from 'node:path';
import { SuppackError } from '../base/errors';
import { UPDATE_PACKS_CANNOT_COMBINE } from '../../schemas/pack-members';
import { stageDirs } from './layout';
import { isIsoPath } from '../../schemas/pack-members';
import type { ProjectManifest } from '../../schemas/manifest';

/** What the resolver knows of a workspace project: its root and its parsed suppack.json (none if invalid). */
export interface MemberProject {
  root: string;
  manifest?: ProjectManifest;
}

/** Finds a workspace suppack project by Nx project name. */
export type MemberLookup = (name: string) => MemberProject | undefined;

export type ResolvedMember =
  | {
      member: string;
      source: 'file';
      /** The ISO, relative to the member list's project root, POSIX, normalised. */
      path: string;
    }
  | {
      member: string;
      source: 'project';
      project: string;
      /** Which target makes its ISO: build-iso (legacy pack) or combine-packs (bundle). */
      stage: 'build-iso' | 'combine-packs';
      /** The ISO that target writes, relative to the workspace root. */
      iso: string;
    };

/** The ISO a legacy pack or bundle project builds, workspace-relative; undefined for other projects. */
export function projectIso(root: string, manifest: ProjectManifest): string | undefined {
  const dirs = stageDirs(root);
  if (manifest.kind === 'bundle') return posix.join(dirs.bundleIso, `${manifest.name}.iso`);
  if (manifest.kind === 'pack' && manifest.format === 'legacy') return posix.join(dirs.iso, `${manifest.pack.label}.iso`);
  return undefined;
}

/**
 * Resolve `members` (the `packs` of `manifestFile`, a bundle or installer of project `self`).
 * Throws a SuppackError naming the file and `packs[i]` for a member that cannot be on a medium.
 */
export function resolveMembers(manifestFile: string, self: string | undefined, members: readonly string[], lookup: MemberLookup): ResolvedMember[] {
  return members.map((member, i) => {
    const where = { file: manifestFile, field: `packs[${i}]` };
    if (isIsoPath(member)) return { member, source: 'file', path: posix.normalize(member.replace(/\\/g, '/')) };
    if (member === self) throw new SuppackError('a project cannot contain itself: expected another pack or bundle project', where);
    const p = lookup(member);
    const name = JSON.stringify(member);
    if (p === undefined) {
      throw new SuppackError(`no suppack project ${name} in the workspace: expected a legacy pack or bundle project, or a pack ISO path ending in .iso`, where);
    }
    const file = posix.join(p.root || '.', 'suppack.json');
    if (p.manifest === undefined) throw new SuppackError(`project ${name} has an invalid ${file}: fix it first`, where);
    if (p.manifest.kind === 'pack' && p.manifest.format === 'update') throw new SuppackError(`project ${name} ${UPDATE_PACKS_CANNOT_COMBINE}`, where);
    if (p.manifest.kind === 'installer') {
      throw new SuppackError(`project ${name} is an installer project: expected a legacy pack or bundle project (an installer ISO is no pack)`, where);
    }
    return {
      member,
      source: 'project',
      project: member,
      stage: p.manifest.kind === 'bundle' ? 'combine-packs' : 'build-iso',
      iso: projectIso(p.root, p.manifest)!,
    };
  });
}
