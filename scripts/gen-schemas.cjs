// Generates the JSON Schemas from the zod schemas, so they cannot drift from the code:
//   executors/<name>/schema.json   (Nx executor options, from schemas/executors.ts)
//   executors.json                 (the executor registry; descriptions from the same schemas)
//   schemas/suppack.schema.json    (suppack.json, so editors complete and check it)
// `node scripts/gen-schemas.cjs` writes them; `--check` exits 1 when one is stale. Needs the build (dist/).
const { join } = require('node:path');
const { writeGenerated } = require('./write-generated.cjs');
const { z } = require('zod');

const root = join(__dirname, '..');
const dist = (p) => require(join(root, 'dist', p));

function jsonSchema(schema) {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
}

function files() {
  const { executorOptionSchemas } = dist('schemas/executors.js');
  const { projectManifestSchema } = dist('schemas/manifest.js');
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
  const { $schema, ...manifest } = jsonSchema(projectManifestSchema);
  out['schemas/suppack.schema.json'] = {
    $schema,
    title: 'suppack.json',
    description:
      'A project of the suppack Nx plugin: a supplemental pack (pack metadata, RPM specs, prebuilt RPMs, kernels; kind "pack", the default), a bundle of legacy packs on one ISO (kind "bundle") or an installer ISO rebuilt with packs (kind "installer").',
    ...manifest,
  };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, `${JSON.stringify(v, null, 2)}\n`]));
}

writeGenerated(files(), 'generated schemas');
