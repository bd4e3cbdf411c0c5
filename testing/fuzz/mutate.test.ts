/**
 * The JSON mutator (mutate.ts mutateJson): its output stays JSON, so the cases reach the schema
 * and the Nx plugin's inference; it is the same for the same random source; it stays bounded
 * (a value nested 1000 deep and repeated once outgrew a JS string when indented).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { random } from '../random';
import { mutateJson } from './mutate';

const seed = readFileSync(join(__dirname, '../../examples/userspace/suppack.json'));

it('keeps a JSON document JSON, bounded, and the same for the same random source', () => {
  let changed = 0;
  let ownProto = 0;
  for (let i = 0; i < 3000; i++) {
    const { bytes, ops } = mutateJson(seed, random(i));
    expect(ops.length, `case ${i}`).toBeGreaterThan(0);
    expect(bytes.length, `case ${i}: ${ops.join('; ')}`).toBeLessThan(16 << 20);
    const doc: unknown = JSON.parse(bytes.toString('utf8'));
    if (JSON.stringify(doc) !== JSON.stringify(JSON.parse(seed.toString('utf8')))) changed++;
    if (bytes.includes('"__proto__"')) ownProto++;
    if (i % 100 === 0) expect(mutateJson(seed, random(i)).bytes.equals(bytes)).toBe(true);
  }
  expect(changed).toBeGreaterThan(2700);
  // a key the object model treats specially reaches the readers as an own key
  expect(ownProto).toBeGreaterThan(0);
});

it('gives text mutations to input that is not JSON', () => {
  const notJson = Buffer.from('{"format": "legacy",');
  const { bytes, ops } = mutateJson(notJson, random(7));
  expect(ops.length).toBeGreaterThan(0);
  expect(bytes.equals(notJson)).toBe(false);
});
