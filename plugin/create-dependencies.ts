/**
 * createDependencies, all static and from the `suppack.json` that names the other project:
 *  - a pack whose `pack.requires` names `<originator>:<name>` of another workspace pack (its
 *    `pack.vendorCode:pack.label`) depends on it. With `dependsOn: ['^build-iso']` the required
 *    pack is built first;
 *  - a bundle or installer depends on each workspace project its `packs` names (the others are
 *    ISO files). Its target's explicit dependsOn builds them first.
 */
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { CreateDependencies, RawProjectGraphDependency } from '@nx/devkit';
import { devkit } from './devkit';
import { MANIFEST_FILE, type ProjectManifest } from '../schemas/manifest';
import { isIsoPath } from '../schemas/pack-members';
import { readProjectManifest } from '../core/graph';
import { targetNames, type SuppackPluginOptions } from './options';

export const createDependencies: CreateDependencies<SuppackPluginOptions> = async (options, context) => {
  targetNames(options);
  const suppackProjects: { project: string; file: string; manifest: ProjectManifest }[] = [];
  for (const [project, config] of Object.entries(context.projects)) {
    const file = posix.join(config.root.replace(/\\/g, '/'), MANIFEST_FILE);
    if (!existsSync(join(context.workspaceRoot, file))) continue;
    try {
      suppackProjects.push({ project, file, manifest: await readProjectManifest(context.workspaceRoot, file) });
    } catch {
      // createNodes reports broken manifests (with file and field); nothing to add here.
    }
  }
  const byId = new Map<string, string>();
  // Only legacy packs name other packs (XS-REPOSITORY <requires>); update packs depend on RPMs.
  for (const p of suppackProjects) if (p.manifest.kind === 'pack' && p.manifest.format === 'legacy') byId.set(packId(p.manifest.pack.vendorCode, p.manifest.pack.label), p.project);

  const deps: RawProjectGraphDependency[] = [];
  for (const p of suppackProjects) {
    const m = p.manifest;
    const named =
      m.kind === 'pack'
        ? (m.format === 'legacy' ? m.pack.requires : []).map((r) => byId.get(packId(r.originator, r.name)))
        : m.packs.filter((member) => !isIsoPath(member) && context.projects[member] !== undefined);
    const targets = new Set<string>();
    for (const target of named) {
      if (target === undefined || target === p.project || targets.has(target)) continue;
      targets.add(target);
      const dep: RawProjectGraphDependency = { source: p.project, target, type: devkit().DependencyType.static, sourceFile: p.file };
      devkit().validateDependency(dep, context);
      deps.push(dep);
    }
  }
  return deps;
};

function packId(originator: string, name: string): string {
  return `${originator}:${name}`;
}
