import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { EXECUTOR_NAMES } from '../schemas/executors';

const ROOT = join(__dirname, '..');

test('the generated schema.json files, executors.json and suppack.schema.json match the zod schemas (run node scripts/gen-schemas.cjs if not)', () => {
  const r = spawnSync(process.execPath, [join(__dirname, 'gen-schemas.cjs'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('executors.json registers every executor, with an executor.ts and a schema.json in the source tree', () => {
  const { executors } = JSON.parse(readFileSync(join(ROOT, 'executors.json'), 'utf8')) as {
    executors: Record<string, { implementation: string; schema: string; description: string }>;
  };
  expect(Object.keys(executors)).toEqual(EXECUTOR_NAMES);
  for (const [name, e] of Object.entries(executors)) {
    expect(e.implementation).toBe(`./dist/executors/${name}/executor`);
    expect(existsSync(join(ROOT, `executors/${name}/executor.ts`))).toBe(true);
    const schema = JSON.parse(readFileSync(join(ROOT, e.schema), 'utf8')) as Record<string, unknown>;
    expect(schema).toMatchObject({ cli: 'nx', type: 'object', additionalProperties: false, description: e.description });
    expect(typeof schema.title).toBe('string');
  }
});
