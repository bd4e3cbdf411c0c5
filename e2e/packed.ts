/**
 * e2e support: the plugin as users get it. `npm pack` of the built package, installed into a
 * fresh project in a temp dir, once per test file. No mocks: the tests run the installed bin.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
