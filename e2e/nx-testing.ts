/** e2e support for Nx workspaces: their environment, how each task ran, and the digests of an output tree. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, runAsync } from './packed';

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
