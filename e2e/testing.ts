/**
 * e2e helpers (one file, as every folder's test helpers are its testing.ts). The plugin as users get it: `npm pack` of the built package, installed into a
 * fresh project in a temp dir, once per test file. No mocks: the tests run the installed bin.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const REPO = join(__dirname, '..');

export interface Installed {
  /** The temp directory holding the tarball and the project; remove it when done. */
  root: string;
  dir: string;
  bin: string;
}

/** Pack the repository (expects `npm run build` to have run) and install the tarball into a new project. */
export function installPackedSuppack(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-e2e-'));
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  const tgz = join(dir, out.trim().split('\n').at(-1)!);
  const project = join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'e2e-project', private: true }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tgz], { cwd: project, stdio: 'pipe' });
  return { root: dir, dir: project, bin: join(project, 'node_modules/.bin/suppack') };
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, env: { ...process.env, ...opts.env }, input: opts.input });
}

/** The build-supplemental-pack flags the e2e tests build the example pack with (examples/gulp/gulpfile.js uses the same options). */
export const EXAMPLE_FLAGS = [
  '--vendor-code=example',
  '--vendor-name=Example Vendor Inc.',
  '--label=example-hello',
  '--text=Example hello pack',
  '--version=1.0',
  '--build=42',
  '--mem=20',
  '--product-version=7.0.0',
];

/**
 * `run` without blocking the event loop: long commands (npm install, nx run-many) would otherwise
 * keep vitest's worker from answering its RPCs ("Timeout calling onTaskUpdate").
 */
export function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * When SUPPACK_OUTPUT_HASHES names a file, append `sha256  <label>/<path>` for every file under
 * `dir` (build scratch `.rpmbuild` left out). scripts/output-hashes.sh collects these from the e2e
 * runs to show that a refactoring left every output byte the same.
 */
export function recordOutputHashes(label: string, dir: string): void {
  const file = process.env.SUPPACK_OUTPUT_HASHES;
  if (!file) return;
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === '.rpmbuild') continue;
      if (statSync(p).isDirectory()) walk(p);
      else lines.push(`${createHash('sha256').update(readFileSync(p)).digest('hex')}  ${label}/${relative(dir, p)}\n`);
    }
  };
  walk(dir);
  appendFileSync(file, lines.join(''));
}

// ---- nx ----
/** e2e support for Nx workspaces: their environment, how each task ran, and the digests of an output tree. */

/**
 * The environment of every e2e Nx run in `workspace`: no daemon, no cloud, no TUI, plain output,
 * the local cache inside the workspace and a fixed SOURCE_DATE_EPOCH; `extra` adds to it.
 */
export function nxEnv(workspace: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    CI: 'true',
    NX_CACHE_DIRECTORY: join(workspace, '.nx-local-cache'),
    SOURCE_DATE_EPOCH: '1700000000',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

/**
 * A new Nx 24 workspace at `ws` with suppack installed from the tarball `npm pack` makes of the
 * repository (written into `root`, ws's parent): package.json named `name`, `nxJson` (the schema
 * reference is added), `.gitignore` when given. Throws when npm install fails.
 */
export async function newNxWorkspace(root: string, ws: string, o: { name: string; nxJson?: Record<string, unknown>; gitignore?: string }): Promise<void> {
  mkdirSync(ws, { recursive: true });
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const json = (file: string, value: unknown) => writeFileSync(join(ws, file), `${JSON.stringify(value, null, 2)}\n`);
  json('package.json', { name: o.name, private: true, devDependencies: { nx: '24.0.6', '@nx/devkit': '24.0.0', suppack: `file:../${tgz}` } });
  json('nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', ...o.nxJson });
  if (o.gitignore !== undefined) writeFileSync(join(ws, '.gitignore'), o.gitignore);
  const installed = await runAsync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ws });
  if (installed.status !== 0) throw new Error(`npm install of the packed suppack failed:\n${installed.stderr}`);
}

export type TaskRun = 'ran' | 'local' | 'remote' | 'cached';

/** `project:target` → how it ran, from Nx's static output (`> nx run p:t  [local cache]`). */
export function taskRuns(output: string): Map<string, TaskRun> {
  const runs = new Map<string, TaskRun>();
  // eslint-disable-next-line no-control-regex
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const m = /> nx run ([\w.-]+:[\w-]+)(.*)$/.exec(line);
    if (!m) continue;
    const how = m[2]!;
    runs.set(m[1]!, /remote cache/.test(how) ? 'remote' : /local cache/.test(how) ? 'local' : /cache/.test(how) ? 'cached' : 'ran');
  }
  return runs;
}

/** sha256 of every file under `dir` (rpmbuild's scratch space left out), by relative path. */
export function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === '.rpmbuild') continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

// ---- remote-cache ----
/**
 * Starts e2e/remote-cache-server.cjs (a self-hosted Nx remote cache) in its own process: the
 * tests run Nx with spawnSync, which would starve a server living in the test's own event loop.
 */

export interface RemoteCache {
  url: string;
  token: string;
  /** Every request so far as `GET <hash> HIT|MISS` or `PUT <hash>`. */
  requests(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startRemoteCache(): Promise<RemoteCache> {
  const token = 'e2e-token';
  const child = spawn(process.execPath, [join(__dirname, 'remote-cache-server.cjs'), token], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`remote cache server exited with ${code}`)));
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    token,
    requests: async () => (await (await fetch(`${url}/_log`)).json()) as string[],
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
