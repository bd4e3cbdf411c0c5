import { expect, test } from 'vitest';
import { jsonPosition } from './json-positions';

test('the start of a value and its key, by path, through nesting, arrays, escapes and a BOM', () => {
  const text = '\ufeff{\n  "a": { "b\\"q": [1, {"c": "x\\\\"}, []] },\n\t"d": null\n}';
  expect(jsonPosition(text, [])).toEqual({ value: { line: 1, column: 1 } }); // editors do not count the BOM
  expect(jsonPosition(text, ['a'])).toEqual({ key: { line: 2, column: 3 }, value: { line: 2, column: 8 } });
  expect(jsonPosition(text, ['a', 'b"q'])).toEqual({ key: { line: 2, column: 10 }, value: { line: 2, column: 18 } });
  expect(jsonPosition(text, ['a', 'b"q', 0])?.value).toEqual({ line: 2, column: 19 });
  expect(jsonPosition(text, ['a', 'b"q', 1, 'c'])?.value).toEqual({ line: 2, column: 28 });
  expect(jsonPosition(text, ['a', 'b"q', 2])?.value).toEqual({ line: 2, column: 36 });
  expect(jsonPosition(text, ['d'])).toEqual({ key: { line: 3, column: 2 }, value: { line: 3, column: 7 } });
  // an index is not a key of the same spelling; absent paths have no position
  expect(jsonPosition('{"0": 1, "x": [5]}', ['x', '0'])).toBeUndefined();
  expect(jsonPosition('{"0": 1, "x": [5]}', ['x', 0])?.value).toEqual({ line: 1, column: 16 });
  expect(jsonPosition('{"a": 1}', ['b'])).toBeUndefined();
  expect(jsonPosition('{"a": [1]}', ['a', 3])).toBeUndefined();
});

test('deep nesting is walked without recursion, in memory linear in the depth', () => {
  const depth = 200_000;
  const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  expect(jsonPosition(text, Array<number>(depth - 1).fill(0))?.value).toEqual({ line: 1, column: depth });
  expect(jsonPosition(text, ['x'])).toBeUndefined();
});
