// prepack: refuse to pack (npm pack, npm publish) a package without a build, or with a build older
// than its sources. Building here instead would remove dist/ under any test that is using it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/cli/main.js');
const SOURCES = ['index.ts', 'core', 'schemas', 'cli', 'plugin', 'executors', 'generators', 'gulp'];
const SOURCE = /\.(ts|sh|xml|txt|json|tmpl)$/;

/** The newest source file under `path` that the build compiles or copies (tests are not packed). */
function newest(path, best) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (name !== 'node_modules' && name !== 'fixtures') best = newest(join(path, name), best);
    }
    return best;
  }
  if (!SOURCE.test(path) || /\.test\.ts$/.test(path)) return best;
  return best === null || st.mtimeMs > best.mtimeMs ? { path, mtimeMs: st.mtimeMs } : best;
}

function fail(message) {
  process.stderr.write(`prepack: ${message}\n`);
  process.exit(1);
}

if (!existsSync(built)) fail('dist/ has no build: run npm run build before npm pack or npm publish');
let source = null;
for (const s of SOURCES) if (existsSync(join(root, s))) source = newest(join(root, s), source);
const builtAt = statSync(built).mtimeMs;
if (source !== null && source.mtimeMs > builtAt) {
  fail(`dist/ is older than ${relative(root, source.path)}: run npm run build before npm pack or npm publish`);
}
