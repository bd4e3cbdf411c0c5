// Build: type-check and compile to CommonJS in dist/, then copy the non-TypeScript assets
// (shell scripts, templates) that core modules read at run time.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, readdirSync, statSync, chmodSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const ASSET = /\.(sh|xml|txt|json|tmpl)$/;
function copyAssets(dir) {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) {
      if (name !== 'node_modules' && name !== 'fixtures') copyAssets(rel);
    } else if (ASSET.test(name)) {
      cpSync(join(root, rel), join(dist, rel));
    }
  }
}
for (const dir of ['core', 'schemas', 'cli', 'plugin', 'executors', 'generators', 'gulp']) {
  if (existsSync(join(root, dir))) copyAssets(dir);
}
chmodSync(join(dist, 'cli/main.js'), 0o755);
