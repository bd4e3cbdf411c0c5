import { describe, expect, test } from 'vitest';
import { RELATIVE_PATH } from './paths';

describe('RELATIVE_PATH', () => {
  // JSON Schema validators (ajv) compile a "pattern" with the u flag; zod runs the literal without.
  const withU = new RegExp(RELATIVE_PATH.source, 'u');
  const cases: Array<[string, boolean]> = [
    ['src/driver.c', true],
    ['src/\u00e9t\u00e9', true],
    ['src/\ud83d\ude00', true],
    ['\ud83d\ude00\ud83d\ude01/x', true],
    ['src/\ud83d', false],
    ['\ud83dx', false],
    ['x\udc00', false],
    ['\udc00', false],
    ['\ude00\ud83d', false],
    ['a\ud83d\ude00\udc00', false],
    ['a/../b', false],
    ['a\\b', false],
    ['C:/x', false],
    ['a\tb', false],
  ];
  test.each(cases)('%j: %s, read with the u flag or without', (path, valid) => {
    expect(RELATIVE_PATH.test(path)).toBe(valid);
    expect(withU.test(path)).toBe(valid);
  });
});
