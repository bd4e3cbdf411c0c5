/** Test helper: which modules a file of the build (dist/) loads, in a fresh Node, as a user's process would. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const DIST = join(__dirname, '../dist');

/** The paths in require.cache after `require(dist/<entry>)` in a new Node process. */
export function loadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(join(DIST, entry))});
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}
