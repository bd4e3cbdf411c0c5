/**
 * createDependencies: a pack whose `pack.requires` names `<originator>:<name>` of another
 * workspace pack (its `pack.vendorCode:pack.label`) depends on it, statically, from its
 * `suppack.json`. With `dependsOn: ['^build-iso']` the required pack is built first.
 */
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { validateDependency, DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { MANIFEST_FILE, type Manifest } from '../schemas/manifest';
import { readManifest } from './manifest-file';
import type { SuppackPluginOptions } from './options';

export const createDependencies: CreateDependencies<SuppackPluginOptions> = async (_options, context) => {
  const packs: { project: string; file: string; manifest: Manifest }[] = [];
  for (const [project, config] of Object.entries(context.projects)) {
    const file = posix.join(config.root.replace(/\\/g, '/'), MANIFEST_FILE);
    if (!existsSync(join(context.workspaceRoot, file))) continue;
    try {
      packs.push({ project, file, manifest: await readManifest(context.workspaceRoot, file) });
    } catch {
      // createNodes reports broken manifests (with file and field); nothing to add here.
    }
  }
  const byId = new Map<string, string>();
  // Only legacy packs name other packs (XS-REPOSITORY <requires>); update packs depend on RPMs.
  for (const p of packs) if (p.manifest.format === 'legacy') byId.set(packId(p.manifest.pack.vendorCode, p.manifest.pack.label), p.project);

  const deps: RawProjectGraphDependency[] = [];
  for (const p of packs) {
    const targets = new Set<string>();
    for (const r of p.manifest.format === 'legacy' ? p.manifest.pack.requires : []) {
      const target = byId.get(packId(r.originator, r.name));
      if (target === undefined || target === p.project || targets.has(target)) continue;
      targets.add(target);
      const dep: RawProjectGraphDependency = { source: p.project, target, type: DependencyType.static, sourceFile: p.file };
      validateDependency(dep, context);
      deps.push(dep);
    }
  }
  return deps;
};

function packId(originator: string, name: string): string {
  return `${originator}:${name}`;
}
