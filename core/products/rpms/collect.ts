/**
 * The collect-rpms stage: every RPM of the pack in one flat directory, the ones build-rpms made
 * plus the manifest's `prebuilt` globs. Each file is read as an RPM first, so a stray file is
 * reported here, naming the glob that picked it, rather than deep inside the ISO stage.
 */
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { SuppackError, isNodeError, type ErrorWhere, describeError } from '../../base/errors';
import { expandGlobs } from '../../base/file-globs';
import { checkRpmsForHost } from '../../xenserver/host-check';
import { targetHost } from '../../xenserver/hosts';
import { globPatternProblem } from '../../../schemas/paths';
import { readPackRpm } from '../../formats/rpm';
import { replaceDir } from '../../base/output';
import type { Manifest } from '../../../schemas/manifest';

export interface CollectRpms {
  manifest: Manifest;
  /** The project directory the `prebuilt` globs are relative to. */
  projectDir: string;
  /** build-rpms' output (RPMs directly in it or in per-arch subdirectories); may be absent without `rpms`. */
  builtDir: string;
  outDir: string;
  /** How errors name the manifest, e.g. `packs/acme/suppack.json` (default `suppack.json`). */
  manifestFile?: string;
  /**
   * The project's files a build cache hashes (paths relative to `projectDir`, POSIX), when one
   * does (Nx: its project file map). A prebuilt RPM outside it, or a symbolic link (hashed as a
   * link, not as the RPM it points to), is refused: a change to it would be served from the cache.
   */
  hashedFiles?: ReadonlySet<string>;
}

/** Replace `outDir` with copies of the built and prebuilt RPMs; returns their new paths, sorted. */
export async function collectRpms(o: CollectRpms): Promise<string[]> {
  const manifestFile = o.manifestFile ?? 'suppack.json';
  const picked: Array<{ path: string; from: string; shownAs: string }> = [];

  for (const path of await builtRpms(o.builtDir, o.manifest.rpms.length > 0)) {
    await checkRpm(path, { file: path });
    picked.push({ path, from: path, shownAs: path });
  }
  const patterns = o.manifest.prebuilt;
  for (const [i, pattern] of patterns.entries()) {
    const problem = globPatternProblem(pattern);
    if (problem !== undefined) throw new SuppackError(`${JSON.stringify(pattern)}: ${problem}`, { file: manifestFile, field: `prebuilt[${i}]` });
  }
  const { matches, empty } = await expandGlobs(o.projectDir, patterns);
  if (empty.length > 0) {
    const i = empty[0];
    const excluded = patterns.some((p) => p.startsWith('!')) ? ' (after the "!" exclusions)' : '';
    throw new SuppackError(`${JSON.stringify(patterns[i])} matched no file${excluded}`, { file: manifestFile, field: `prebuilt[${i}]` });
  }
  for (const { file: rel, pattern: i } of matches) {
    const field = `prebuilt[${i}]`;
    const path = join(o.projectDir, rel);
    if (o.hashedFiles !== undefined) await checkHashed(path, rel, o.hashedFiles, { file: manifestFile, field });
    await checkRpm(path, { file: manifestFile, field }, rel);
    picked.push({ path, from: `${manifestFile}: ${field} (${rel})`, shownAs: `${rel} (${manifestFile} ${field})` });
  }

  const byName = new Map<string, string>();
  for (const p of picked) {
    const name = basename(p.path);
    const prior = byName.get(name);
    if (prior !== undefined) {
      throw new SuppackError(`two RPMs named ${name}: ${prior} and ${p.from}; every package in a pack needs its own file name`, {
        file: manifestFile,
        field: 'prebuilt',
      });
    }
    byName.set(name, p.from);
  }

  // Every RPM must install with the rpm of the host the manifest targets (docs/hosts.md).
  await checkRpmsForHost(picked.map((p) => ({ path: p.path, shownAs: p.shownAs })), targetHost(o.manifest));

  const names = [...byName.keys()].sort();
  const sourceOf = new Map(picked.map((p) => [basename(p.path), p.path]));
  await replaceDir(o.outDir, async (tmp) => {
    for (const name of names) await fsp.copyFile(sourceOf.get(name) as string, join(tmp, name));
  });
  return names.map((n) => join(o.outDir, n));
}

/** Refuse a prebuilt file the build cache does not hash by content (see CollectRpms.hashedFiles). */
async function checkHashed(path: string, rel: string, hashed: ReadonlySet<string>, where: ErrorWhere): Promise<void> {
  const st = await fsp.lstat(path);
  if (st.isSymbolicLink()) {
    throw new SuppackError(
      `${rel} is a symbolic link: Nx hashes the link, not the RPM it points to, so a changed RPM would be served from the cache; copy the RPM into the project instead`,
      where,
    );
  }
  if (!hashed.has(rel)) {
    throw new SuppackError(
      `${rel} is not among the files Nx hashes for this project (ignored by a .gitignore or .nxignore, or below a symlinked directory), so a changed RPM would be served from the cache; stop ignoring it or move it`,
      where,
    );
  }
}

/** Read `path` as a binary RPM; on failure throw a SuppackError placed at `where`, naming the file as `shownAs`. */
async function checkRpm(path: string, where: ErrorWhere, shownAs?: string): Promise<void> {
  const subject = shownAs === undefined ? '' : `${shownAs} `;
  let isSource: boolean;
  try {
    isSource = (await readPackRpm(path)).info.isSource;
  } catch (e) {
    if (!(e instanceof SuppackError)) throw e;
    const why = e.file !== undefined && e.message.startsWith(`${e.file}: `) ? e.message.slice(e.file.length + 2) : e.message;
    throw new SuppackError(`${subject}is not a valid RPM (${why})`, where);
  }
  if (isSource) throw new SuppackError(`${subject}is a source RPM, expected a binary RPM`, where);
}

async function builtRpms(dir: string, expected: boolean): Promise<string[]> {
  const found: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const ent of await fsp.readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile() && ent.name.endsWith('.rpm') && !ent.name.startsWith('.')) found.push(p);
    }
  }
  try {
    await walk(dir);
  } catch (e) {
    if (isNodeError(e) && e.code === 'ENOENT' && !expected) return [];
    if (isNodeError(e) && e.code === 'ENOENT') {
      throw new SuppackError('missing: expected the RPMs of build-rpms (run the build-rpms target first)', { file: dir });
    }
    throw new SuppackError(describeError(e), { file: dir });
  }
  return found.sort();
}
