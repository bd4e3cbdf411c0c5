// Generates the JSON Schemas from the zod schemas, so they cannot drift from the code:
//   executors/<name>/schema.json   (Nx executor options, from schemas/executors.ts)
//   executors.json                 (the executor registry; descriptions from the same schemas)
//   schemas/suppack.schema.json    (suppack.json, so editors complete and check it)
// `node scripts/gen-schemas.cjs` writes them; `--check` exits 1 when one is stale. Needs the build (dist/).
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { z } = require('zod');

const root = join(__dirname, '..');
const dist = (p) => require(join(root, 'dist', p));

function jsonSchema(schema) {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
}

function files() {
  const { executorOptionSchemas } = dist('schemas/executors.js');
  const { manifestSchema } = dist('schemas/manifest.js');
  const out = {};
  const executors = {};
  for (const [name, schema] of Object.entries(executorOptionSchemas)) {
    const { $schema, title, description, properties, required, additionalProperties } = jsonSchema(schema);
    out[`executors/${name}/schema.json`] = {
      $schema,
      cli: 'nx',
      title,
      description,
      type: 'object',
      properties: properties ?? {},
      ...(required ? { required } : {}),
      additionalProperties,
    };
    executors[name] = {
      implementation: `./dist/executors/${name}/executor`,
      schema: `./executors/${name}/schema.json`,
      description,
    };
  }
  out['executors.json'] = { executors };
  const { $schema, ...manifest } = jsonSchema(manifestSchema);
  out['schemas/suppack.schema.json'] = {
    $schema,
    title: 'suppack.json',
    description: 'A supplemental-pack project of the suppack Nx plugin: pack metadata, RPM specs, prebuilt RPMs, kernels.',
    ...manifest,
  };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, `${JSON.stringify(v, null, 2)}\n`]));
}

const check = process.argv.includes('--check');
const stale = [];
for (const [rel, text] of Object.entries(files())) {
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
  console.error(`stale generated schemas: ${stale.join(', ')} (run npm run build && node scripts/gen-schemas.cjs)`);
  process.exit(1);
}
