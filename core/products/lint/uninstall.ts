/**
 * DDK guide 7.4: every RPM of a pack can be erased cleanly. Checked for real: the RPM is installed
 * with its scriptlets into a private root (rpm --root, which chroots into it to run them: root
 * only), erased again, and whatever is left besides rpm's database, the shell and file tools put
 * there for the scriptlets and saved %config files is a leftover. Directories rpm made for the package's parents
 * are not counted (rpm never removes directories it does not own).
 */
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SuppackError } from '../../base/errors';
import { makeDir } from '../../base/make-dir';
import { boundToThisProcess } from '../../base/bound-child';

/** What a check needs of this machine; why it cannot run, or undefined. */
export function uninstallCheckUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the uninstall check runs the RPMs\' scriptlets in a private root, which rpm does as root only';
  }
  return undefined;
}

interface Run {
  status: number | null;
  output: string;
}

/** Runs a command with an argument array (no shell reads them); the child dies with this process. */
function run(cmd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const bound = boundToThisProcess(cmd, args);
    const child = spawn(bound.file, bound.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    const take = (d: Buffer) => {
      if (output.length < 64 * 1024) output += d.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** The commands scriptlets use most, put into the private root from this machine when it has them. */
const TOOLS = ['rm', 'mkdir', 'rmdir', 'cp', 'mv', 'ln', 'chmod', 'chown', 'cat', 'touch', 'sed', 'grep'];

/**
 * Puts the machine's /bin/sh and the usual file tools (with the libraries ldd names) into
 * `root`, at /bin/<name> and /usr/bin/<name>, for rpm's scriptlets.
 */
async function addTools(root: string): Promise<void> {
  const binaries: Array<[string, string[]]> = [[await realpath('/bin/sh'), ['/bin/sh']]];
  for (const t of TOOLS) {
    const found = await realpath(`/usr/bin/${t}`).catch(() => realpath(`/bin/${t}`).catch(() => undefined));
    if (found !== undefined) binaries.push([found, [`/bin/${t}`, `/usr/bin/${t}`]]);
  }
  const copies = new Map<string, string>();
  for (const [binary, places] of binaries) {
    for (const p of places) copies.set(p, binary);
    const ldd = await run('ldd', [binary]);
    for (const lib of ldd.output.split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1])) if (lib !== undefined) copies.set(lib, lib);
  }
  for (const [dest, src] of copies) {
    await makeDir(dirname(join(root, dest)));
    await copyFile(src, join(root, dest));
    await chmod(join(root, dest), 0o755);
  }
  for (const d of ['tmp', 'var/tmp', 'var/lib/rpm', 'etc']) await makeDir(join(root, d));
}

/** Every non-directory path under `root`, as `/relative`, sorted. */
async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) stack.push(p);
      else out.push(p);
    }
  }
  return out.sort();
}

const IGNORED = [/^\/var\/lib\/rpm\//, /^\/tmp\//, /^\/var\/tmp\//, /\.rpmsave$/, /^\/usr\/lib\/sysimage\/rpm\//];

/**
 * Installs `rpmPath` into a fresh private root and erases it; returns what is left. `name` is
 * the package's NAME (for `rpm -e`), read from its header and checked by the identity rules.
 */
export async function uninstallLeftovers(rpmPath: string, name: string, rpm = 'rpm'): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), `suppack-lint-root-${process.pid}-`));
  try {
    await addTools(root);
    const inRoot = (args: string[]) => run(rpm, ['--root', root, '--dbpath', '/var/lib/rpm', ...args]);
    const init = await inRoot(['--initdb']);
    if (init.status !== 0) throw new SuppackError(`rpm --initdb failed in the private root: ${init.output.trim()}`, { file: rpmPath });
    const before = new Set(await files(root));
    // --nodeps: the host's packages are not there; scriptlet failures (a command dom0 has and
    // this root lacks) are rpm's warnings, not ours: what matters is what is left afterwards.
    const install = await inRoot(['-i', '--nodeps', '--nosignature', '--', rpmPath]);
    const installed = await inRoot(['-q', '--', name]);
    if (installed.status !== 0) throw new SuppackError(`could not be installed into a private root to check its erasure: ${install.output.trim().split('\n')[0]}`, { file: rpmPath });
    await inRoot(['-e', '--nodeps', '--', name]);
    return (await files(root)).filter((f) => !before.has(f) && !IGNORED.some((re) => re.test(f)));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
