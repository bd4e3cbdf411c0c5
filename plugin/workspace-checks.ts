/**
 * Checks across the workspace's suppack projects at graph time (pure: manifests in, conflicts
 * out). A conflict makes each project involved a broken one (plugin/create-nodes.ts), with a
 * message naming the other project:
 *  - two update packs with one UUID: xapi knows an update by its UUID, so the second would be
 *    taken for the first on every host;
 *  - two legacy packs with one identity (vendor code and label, the XS-REPOSITORY originator and
 *    name) for the same product and version: the installer keeps one pack per identity on a host,
 *    so installing one replaces the other. The same label for other product versions is fine (a
 *    driver vendor's per-release packs).
 */
import { SuppackError } from '../core/graph';
import type { ProjectManifest } from '../schemas/manifest';

export interface CheckedProject {
  /** The manifest, workspace-relative, POSIX. */
  file: string;
  /** The Nx project name. */
  name: string;
  /** Undefined when the manifest itself is invalid (then it takes part in no check). */
  manifest?: ProjectManifest;
}

/** Manifest file → the conflict that breaks it, for every project in a conflict. */
export function workspaceConflicts(projects: readonly CheckedProject[]): Map<string, SuppackError> {
  const groups = new Map<string, { field: string; what: string; members: CheckedProject[] }>();
  const add = (key: string, field: string, what: string, p: CheckedProject) => {
    const g = groups.get(key) ?? { field, what, members: [] };
    g.members.push(p);
    groups.set(key, g);
  };
  for (const p of projects) {
    const m = p.manifest;
    if (m?.kind !== 'pack') continue;
    if (m.format === 'update') {
      add(`uuid\0${m.pack.uuid}`, 'pack.uuid', `the update UUID ${m.pack.uuid} (xapi knows an update by its UUID)`, p);
    } else {
      const target = `${m.pack.product} ${m.pack.productVersion ?? '(any version)'}`;
      add(
        `legacy\0${m.pack.vendorCode}\0${m.pack.label}\0${target}`,
        'pack.label',
        `the pack ${m.pack.vendorCode}:${m.pack.label} for ${target} (a host keeps one pack per vendor code and label)`,
        p,
      );
    }
  }
  const conflicts = new Map<string, SuppackError>();
  for (const g of groups.values()) {
    if (g.members.length < 2) continue;
    for (const p of g.members) {
      const others = g.members.filter((o) => o !== p).map((o) => `"${o.name}" (${o.file})`);
      conflicts.set(p.file, new SuppackError(`${g.what} is also built by project ${others.join(', ')}: give each pack its own`, { file: p.file, field: g.field }));
    }
  }
  return conflicts;
}
