/** e2e support for Nx workspaces: their environment, how each task ran, and the digests of an output tree. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

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
