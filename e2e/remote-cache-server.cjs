// A self-hosted Nx remote cache for the e2e tests: the `/v1/cache/<hash>` API Nx speaks when
// NX_SELF_HOSTED_REMOTE_CACHE_SERVER is set (GET → 200 with the tar or 404; PUT stores it).
// Runs in its own process (the tests block their event loop on spawnSync while Nx talks to it),
// in memory, on 127.0.0.1. Prints its port on the first stdout line. GET /_log returns every
// request as JSON lines `GET <hash> HIT|MISS` or `PUT <hash>`.
const { createServer } = require('node:http');

const token = process.argv[2] ?? 'e2e-token';
const store = new Map();
const log = [];
const server = createServer((req, res) => {
  if (req.url === '/_log') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log));
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
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
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
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
