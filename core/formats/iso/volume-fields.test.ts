import { expect, test } from 'vitest';
import { DR, VD } from './volume-fields';

test('the volume descriptor table: fields in order, none overlapping, inside one 2048-byte sector (ECMA-119 8.4)', () => {
  const fields = Object.entries(VD).sort(([, a], [, b]) => a.offset - b.offset);
  expect(fields.map(([name]) => name)).toEqual(Object.keys(VD));
  for (let i = 1; i < fields.length; i++) {
    const [prevName, prev] = fields[i - 1]!;
    const [name, f] = fields[i]!;
    expect(f.offset, `${name} starts after ${prevName} ends`).toBeGreaterThanOrEqual(prev.offset + prev.size);
  }
  // BP 884 to 1395 is the application use field, the last one before the reserved bytes
  expect(VD.applicationUse.offset + VD.applicationUse.size).toBe(1395);
  expect(Object.values(VD).every((f) => /^8\.[45]\.\d+$/.test(f.clause))).toBe(true);
});

test('the directory record table: fields in order and contiguous up to the file identifier at byte 33 (ECMA-119 9.1)', () => {
  const fields = Object.values(DR);
  for (let i = 1; i < fields.length; i++) expect(fields[i]!.offset).toBe(fields[i - 1]!.offset + fields[i - 1]!.size);
  expect(DR.fileId.offset).toBe(33);
});
