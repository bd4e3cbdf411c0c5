// Writes generators/<name>/schema.json from the zod schemas in schemas/generators.ts, so the
// options Nx validates and prompts for cannot drift from the ones the generators check.
// `node scripts/gen-generator-schemas.cjs` writes them; `--check` exits 1 when one is stale.
// Needs the build (dist/).
const { join } = require('node:path');
const { writeGenerated } = require('./write-generated.cjs');

const root = join(__dirname, '..');
const { GENERATORS, generatorJsonSchemaText } = require(join(root, 'dist/schemas/generators.js'));

writeGenerated(
  Object.fromEntries(Object.keys(GENERATORS).map((name) => [`generators/${name}/schema.json`, generatorJsonSchemaText(name)])),
  'generator schemas',
);
