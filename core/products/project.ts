/**
 * A suppack project as its stages see it: the workspace and project roots, its suppack.json read
 * and validated once (core/products/manifest-file.ts), and the absolute stage directories
 * (core/products/layout.ts). No Nx here: the executors (executors/project.ts) give the workspace
 * root and project roots they get from Nx; tests and other adapters can give their own.
 */
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SuppackError, describeError } from '../base/errors';
import { parseProjectManifestText } from './manifest-file';
import { stageDirs, type StageDirs } from './layout';
import { MANIFEST_FILE, type ProjectKind, type ProjectManifest } from '../../schemas/manifest';
import { isIsoPath } from '../../schemas/pack-members';
import { resolveMembers, type MemberProject } from './members';
import { readInputFile } from '../base/open-input';

export interface ProjectOf<M extends ProjectManifest> {
  /** Absolute workspace root. */
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

export type ManifestOfKind<K extends ProjectKind> = Extract<ProjectManifest, { kind: K }>;

/** Read and validate `<root>/suppack.json` (any kind). Throws a SuppackError naming the file and field. */
export async function readProjectAt(workspaceRoot: string, root: string): Promise<ProjectOf<ProjectManifest>> {
  const projectRoot = normaliseRoot(root);
  const projectDir = join(workspaceRoot, projectRoot);
  const manifestFile = posix.join(projectRoot || '.', MANIFEST_FILE);
  let text: string;
  try {
    text = (await readInputFile(join(projectDir, MANIFEST_FILE))).toString('utf8');
  } catch (e) {
    throw new SuppackError(describeError(e), { file: manifestFile });
  }
  const manifest = parseProjectManifestText(text, manifestFile);
  const rel = stageDirs(projectRoot);
  const dirs = Object.fromEntries(Object.entries(rel).map(([k, v]) => [k, join(workspaceRoot, v)])) as unknown as StageDirs;
  return { workspaceRoot, projectRoot, projectDir, manifestFile, manifest, dirs };
}

/** readProjectAt, for a stage that runs on projects of `kind` only (`target` names the stage in the error). */
export async function readProjectOfKind<K extends ProjectKind>(workspaceRoot: string, root: string, kind: K, target: string): Promise<ProjectOf<ManifestOfKind<K>>> {
  const p = await readProjectAt(workspaceRoot, root);
  if (p.manifest.kind !== kind) {
    throw new SuppackError(`expected a ${kind} project for the ${target} target, got a ${p.manifest.kind} project`, { file: p.manifestFile, field: 'kind' });
  }
  return p as ProjectOf<ManifestOfKind<K>>;
}

/**
 * The absolute pack ISOs of a bundle or installer, in order: ISO files under the project
 * directory, and the ISO each member project's build-iso / combine-packs wrote (read from the
 * member's suppack.json, resolved as the plugin does: core/products/members.ts). Each must exist.
 * `projectRootOf` gives a workspace project's root by name (undefined: no such project).
 */
export async function memberIsos(
  p: ProjectOf<ManifestOfKind<'bundle' | 'installer'>>,
  self: string | undefined,
  projectRootOf: (name: string) => string | undefined,
): Promise<string[]> {
  const known = new Map<string, MemberProject>();
  for (const member of p.manifest.packs) {
    const root = isIsoPath(member) || known.has(member) ? undefined : projectRootOf(member);
    if (root === undefined) continue;
    if (!existsSync(join(p.workspaceRoot, normaliseRoot(root), MANIFEST_FILE))) continue; // not a suppack project: reported below
    const m = await readProjectAt(p.workspaceRoot, root);
    known.set(member, { root: m.projectRoot, manifest: m.manifest });
  }
  const resolved = resolveMembers(p.manifestFile, self, p.manifest.packs, (n) => known.get(n));
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

export function normaliseRoot(root: string): string {
  return root.split(/[\\/]+/).filter(Boolean).join('/');
}
