/**
 * The rpm releases of the hosts suppack targets, as test oracles (docs/hosts.md):
 *   4.11 = rpm 4.11.3, CentOS 7: the dom0 of XenServer 7.x, Citrix Hypervisor 8.x, XCP-ng 8.x
 *   4.4  = rpm 4.4.2.3, CentOS 5: the dom0 of XenServer 5.6 to 6.5
 * built from upstream sources by `.ci/run` (scripts/old-rpm.sh) into
 * $SUPPACK_OLD_RPM_BASE (default ~/.cache/suppack-old-rpm)/<release>/bin/rpm.
 *
 * A test that needs one fails with the command that builds it: it is never skipped.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type OldRpmRelease = '4.11' | '4.4';

export function oldRpmBase(): string {
  return process.env.SUPPACK_OLD_RPM_BASE || join(homedir(), '.cache/suppack-old-rpm');
}

/** Absolute path of `rpm` (or another tool of that release, e.g. `rpmkeys`) of `release`. */
export function oldRpmBin(release: OldRpmRelease, tool = 'rpm'): string {
  const bin = join(oldRpmBase(), release, 'bin', tool);
  if (!existsSync(bin)) {
    throw new Error(
      `rpm ${release} is not built (${bin} missing): run scripts/old-rpm.sh, as .ci/run does`,
    );
  }
  return bin;
}

export interface RpmRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertions on rpm's messages. */
  output: string;
}

/** Runs `rpm` of `release` with `args`; never throws on a non-zero exit. */
export function runOldRpm(release: OldRpmRelease, args: string[], tool = 'rpm'): RpmRun {
  const r = spawnSync(oldRpmBin(release, tool), args, {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    timeout: 120_000,
  });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  return { status: r.status, stdout, stderr, output: stdout + stderr };
}

/**
 * A private root with an empty rpm database for `release`, for installs with
 * `runOldRpm(release, ['--root', root, '--dbpath', '/var/lib/rpm', ...])`.
 * (rpm 4.4 keeps its lock under the dbpath, so the dbpath is always given.)
 */
export function privateRpmRoot(release: OldRpmRelease, parent = tmpdir()): string {
  const root = mkdtempSync(join(parent, `suppack-rpm${release}-root-`));
  mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
  const r = runOldRpm(release, ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb']);
  if (r.status !== 0) throw new Error(`rpm ${release} --initdb failed: ${r.output}`);
  return root;
}

/** `rpm --root root --dbpath /var/lib/rpm ...args` with rpm `release`. */
export function rpmInRoot(release: OldRpmRelease, root: string, args: string[]): RpmRun {
  return runOldRpm(release, ['--root', root, '--dbpath', '/var/lib/rpm', ...args]);
}

/**
 * Put a shell at `/bin/sh` of a private root (with the shared libraries it loads, as ldd names
 * them, and /tmp, /var/tmp where rpm writes scriptlet files), so that rpm run as root can chroot
 * into it and run %pre/%posttrans scriptlets. `shell` is the host's binary to copy: `/bin/sh`
 * (dash here) or `/bin/bash` (dom0's /bin/sh is bash); `at` puts it elsewhere (e.g. /bin/bash).
 */
export function addShellToRoot(root: string, shell = '/bin/sh', at = '/bin/sh'): void {
  const binary = realpathSync(shell);
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  const libs = (ldd.stdout ?? '')
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const [src, dest] of [[binary, at], ...libs.map((l) => [l, l])] as Array<[string, string]>) {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    copyFileSync(src, join(root, dest));
    chmodSync(join(root, dest), 0o755);
  }
  for (const d of ['tmp', 'var/tmp']) mkdirSync(join(root, d), { recursive: true });
}

/**
 * A stub package that provides what a host's base system provides to a pack (e.g. /bin/sh,
 * kernel-uname-r = <release>, xenserver-release), built by the real rpmbuild with md5 file
 * digests and a gzip payload so that every host rpm installs it. Returns the RPM's path in `dir`.
 * Stands in for the platform's own packages, which cannot be installed here.
 */
export function platformStubRpm(dir: string, provides: string[], name = 'suppack-platform-stub'): string {
  const top = mkdtempSync(join(dir, 'stub-top-'));
  const spec = join(top, `${name}.spec`);
  writeFileSync(
    spec,
    [
      `Name: ${name}`,
      'Version: 1',
      'Release: 1',
      'Summary: what the host platform provides (test stub)',
      'License: MIT',
      'BuildArch: noarch',
      ...provides.map((p) => `Provides: ${p}`),
      '%description',
      'Test stub standing in for the host platform.',
      '%files',
      '',
    ].join('\n'),
  );
  const r = spawnSync(
    'rpmbuild',
    ['-bb', '--define', `_topdir ${top}`, '--define', '_binary_filedigest_algorithm 1', '--define', '_binary_payload w9.gzdio', spec],
    { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
  );
  if (r.status !== 0) throw new Error(`rpmbuild of the platform stub failed: ${r.stdout}${r.stderr}`);
  const out = join(dir, `${name}-1-1.noarch.rpm`);
  renameSync(join(top, 'RPMS/noarch', `${name}-1-1.noarch.rpm`), out);
  rmSync(top, { recursive: true, force: true });
  return out;
}

