/**
 * Where rpmbuild works (its _topdir, and the kernel trees extracted from kernel-devel RPMs).
 *
 * rpm writes its paths into the scripts it runs without quotes (`cd %{_builddir}` in %prep,
 * `%{_sourcedir}/<tarball>` in %setup), and kbuild refuses a tree or module directory with a
 * space or a colon. So a workspace under `/home/me/My Packs/` or `/srv/it's/` failed in %prep
 * with `cd: can't cd to ...`. When the work directory's absolute path has a character outside
 * PLAIN_PATH, rpmbuild works in a fresh private directory under the temp directory instead
 * (docs/nx/caching.md, "Paths with spaces"): the same RPM bytes either way, since the work
 * directory is mapped out of what the build records (rpmbuildEnv's -ffile-prefix-map).
 *
 * That directory is named like the hidden temps next to outputs (core/base/temp-names.ts,
 * `.suppack-rpmbuild.<pid>-<hex>.tmp`), removed when the build ends, and, when a build was
 * killed, by the next build-rpms run that looks in the same temp directory.
 */
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { removeStaleTemps, tempSibling } from '../../base/temp-names';

/** Absolute paths rpm's unquoted scripts, make and kbuild all take as they are. */
export const PLAIN_PATH = /^\/[A-Za-z0-9._+~@/-]*$/;

/** What the scratch directories of rpmbuild are named after (their names: tempSibling's). */
const SCRATCH_NAME = 'suppack-rpmbuild';

/** The first of the temp directories whose path is plain: TMPDIR (os.tmpdir()), /var/tmp, /tmp. */
export function plainTempRoot(candidates: readonly string[] = [tmpdir(), '/var/tmp', '/tmp']): string | undefined {
  return candidates.map((c) => resolve(c)).find((c) => PLAIN_PATH.test(c));
}

/**
 * Run `build` with rpmbuild's work directory: `workDir` itself when its path is plain, else a
 * fresh directory (mode 0700) under plainTempRoot(), removed afterwards whatever the outcome.
 */
export async function withRpmbuildWorkDir<T>(
  workDir: string,
  build: (dir: string) => Promise<T>,
  o: { tempRoots?: readonly string[]; log?: (line: string) => void } = {},
): Promise<T> {
  const root = plainTempRoot(o.tempRoots);
  // A killed build's scratch goes on the next run, whichever workspace that run is for.
  if (root !== undefined) await removeStaleTemps(join(root, SCRATCH_NAME));
  const abs = resolve(workDir);
  if (PLAIN_PATH.test(abs)) return build(abs);
  if (root === undefined) {
    throw new SuppackError(
      `rpmbuild cannot work under this path: rpm's build scripts and kbuild take only letters, digits and "/ . _ + - ~ @" in it, and no temp directory of such a path was found: set TMPDIR to one`,
      { file: abs },
    );
  }
  const scratch = tempSibling(join(root, SCRATCH_NAME), 'tmp');
  try {
    await fsp.mkdir(scratch, { mode: 0o700 });
  } catch (e) {
    throw new SuppackError(`cannot make rpmbuild's work directory: ${isNodeError(e) ? describeNodeError(e) : String(e)}`, { file: scratch });
  }
  o.log?.(`rpmbuild works in ${scratch}: the path ${abs} has characters rpm's build scripts do not quote`);
  try {
    return await build(scratch);
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
