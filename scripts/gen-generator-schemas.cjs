// Writes generators/<name>/schema.json from the zod schemas in schemas/generators.ts, so the
// options Nx validates and prompts for cannot drift from the ones the generators check.
// `node scripts/gen-generator-schemas.cjs` writes them; `--check` exits 1 when one is stale.
// Needs the build (dist/).
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');

const root = join(__dirname, '..');
const { GENERATORS, generatorJsonSchemaText } = require(join(root, 'dist/schemas/generators.js'));

const check = process.argv.includes('--check');
let stale = 0;
for (const name of Object.keys(GENERATORS)) {
  const file = join(root, 'generators', name, 'schema.json');
  const text = generatorJsonSchemaText(name);
  let current = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current === text) continue;
  if (check) {
    process.stderr.write(`generators/${name}/schema.json is stale: run node scripts/gen-generator-schemas.cjs\n`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`wrote generators/${name}/schema.json\n`);
  }
}
process.exit(stale ? 1 : 0);
