// Shared by the gen-*.cjs scripts: write generated files, or with --check (the tests) report the
// stale ones and exit 1. `files` maps a repo-relative path to its full expected text.
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');

const root = join(__dirname, '..');

function writeGenerated(files, what) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [rel, text] of Object.entries(files)) {
    const path = join(root, rel);
    let current = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current === text) continue;
    if (check) stale.push(rel);
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${rel}`);
    }
  }
  if (stale.length) {
    console.error(`stale ${what}: ${stale.join(', ')} (run npm run generate)`);
    process.exit(1);
  }
}

module.exports = { root, writeGenerated };
