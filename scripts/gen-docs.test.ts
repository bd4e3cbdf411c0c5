import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('the generated option pages match the schemas and the CLI (run npm run generate if not)', () => {
  const r = spawnSync(process.execPath, [join(__dirname, 'gen-docs.cjs'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
