/**
 * A self-hosted Nx remote cache for tests: the `/v1/cache/<hash>` API Nx speaks when
 * NX_SELF_HOSTED_REMOTE_CACHE_SERVER is set (GET → 200 with the tar or 404; PUT stores it).
 * In memory, on 127.0.0.1, recording every request so tests can count hits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RemoteCache {
  url: string;
  token: string;
  /** Every request as `GET <hash> HIT|MISS` or `PUT <hash>`. */
  log: string[];
  close(): Promise<void>;
}

export async function startRemoteCache(): Promise<RemoteCache> {
  const store = new Map<string, Buffer>();
  const log: string[] = [];
  const token = 'e2e-token';
  const server: Server = createServer((req, res) => {
    const m = /^\/v1\/cache\/([^/?]+)/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    const hash = m[1];
    if (req.method === 'GET') {
      const body = store.get(hash);
      log.push(`GET ${hash} ${body ? 'HIT' : 'MISS'}`);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      return void res.end(body);
    }
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (store.has(hash)) return void res.writeHead(409).end();
        store.set(hash, Buffer.concat(chunks));
        log.push(`PUT ${hash}`);
        res.writeHead(200).end();
      });
      return;
    }
    res.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    log,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
