import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DEFAULT_PACK_VERSION, GENERATORS, generatorJsonSchemaText, packGeneratorSchema, type GeneratorName } from './generators';

const root = join(__dirname, '..');

test('generators/<name>/schema.json match schemas/generators.ts (run npm run generate if not)', () => {
  for (const name of Object.keys(GENERATORS) as GeneratorName[]) {
    expect(readFileSync(join(root, 'generators', name, 'schema.json'), 'utf8'), name).toBe(generatorJsonSchemaText(name));
  }
});

test('generators.json names every generator with its factory and schema', () => {
  const json = JSON.parse(readFileSync(join(root, 'generators.json'), 'utf8')) as { generators: Record<string, { factory: string; schema: string }> };
  expect(Object.keys(json.generators).sort()).toEqual(Object.keys(GENERATORS).sort());
  for (const [name, g] of Object.entries(json.generators)) {
    expect(g.factory).toBe(`./dist/generators/${name}/generator`);
    expect(g.schema).toBe(`./generators/${name}/schema.json`);
  }
});

test('the pack schema prompts for what it needs and leaves regular expressions to the generator', () => {
  const schema = JSON.parse(generatorJsonSchemaText('pack'));
  // vendorCode is prompted for but not required: an update pack has none (the generator asks it of legacy packs).
  expect(schema.required).toEqual(['name', 'type', 'vendorName']);
  expect(schema.properties.vendorCode['x-prompt']).toMatch(/legacy pack .* leave empty for an update pack/);
  expect(schema.properties.name.$default).toEqual({ $source: 'argv', index: 0 });
  expect(schema.properties.type['x-prompt'].type).toBe('list');
  expect(schema.properties.text.maxLength).toBe(32);
  expect(generatorJsonSchemaText('pack')).not.toContain('"pattern"');
  // No fixed default: the generator picks an installed kernel (or the kernel-devel RPM's).
  expect(schema.properties.kernel.default).toBeUndefined();
  expect(schema.properties.kernelDevelRpm.type).toBe('string');
});

test('the pack schema offers --format legacy|update (default legacy) and --uuid; packVersion defaults per format', () => {
  const schema = JSON.parse(generatorJsonSchemaText('pack'));
  expect(schema.properties.format.enum).toEqual(['legacy', 'update']);
  expect(schema.properties.format.default).toBe('legacy');
  expect(schema.properties.format['x-prompt'].items.map((i: { value: string }) => i.value)).toEqual(['legacy', 'update']);
  expect(schema.properties.uuid.type).toBe('string');
  expect(schema.properties.uuid.description).toContain('--format update only');
  // 1.0 for legacy, 1.0.0 for update: the generator fills it in, so the schema has none.
  expect(schema.properties.packVersion.default).toBeUndefined();
  expect(schema.required).not.toContain('format');
});

test('packGeneratorSchema: format defaults to legacy; a UUID is checked and belongs to update packs', () => {
  const base = { name: 'x', type: 'driver', vendorCode: 'acme', vendorName: 'Acme' };
  expect(packGeneratorSchema.parse(base).format).toBe('legacy');
  expect(packGeneratorSchema.parse(base).packVersion).toBeUndefined();
  const uuid = '6854ab19-f807-4444-b94f-3ce7d64efe50';
  expect(packGeneratorSchema.parse({ ...base, format: 'update', uuid }).uuid).toBe(uuid);
  expect(packGeneratorSchema.safeParse({ ...base, format: 'update', uuid: uuid.toUpperCase() }).success).toBe(false);
  expect(packGeneratorSchema.safeParse({ ...base, uuid }).error?.issues.map((i) => i.path)).toEqual([['uuid']]);
  expect(DEFAULT_PACK_VERSION).toEqual({ legacy: '1.0', update: '1.0.0' });
});
