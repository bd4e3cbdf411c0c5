/**
 * Starts e2e/remote-cache-server.cjs (a self-hosted Nx remote cache) in its own process: the
 * tests run Nx with spawnSync, which would starve a server living in the test's own event loop.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
