import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { GENERATORS, generatorJsonSchemaText, type GeneratorName } from './generators';

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
  expect(schema.required).toEqual(['name', 'type', 'vendorCode', 'vendorName']);
  expect(schema.properties.name.$default).toEqual({ $source: 'argv', index: 0 });
  expect(schema.properties.type['x-prompt'].type).toBe('list');
  expect(schema.properties.text.maxLength).toBe(32);
  expect(generatorJsonSchemaText('pack')).not.toContain('"pattern"');
  expect(schema.properties.kernel.default).toBe('4.19.0+1');
});
