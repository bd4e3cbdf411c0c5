import { expect, test } from 'vitest';
import { pyStrip } from './py-strip';

test("Python's str.strip(): ASCII whitespace off both ends, nothing else", () => {
  expect(pyStrip('  \t\n\r\v\fa b\f\v\r\n\t  ')).toBe('a b');
  expect(pyStrip('\u00a0a\u2003')).toBe('\u00a0a\u2003');
  expect(pyStrip('')).toBe('');
  expect(pyStrip(' \t ')).toBe('');
  expect(pyStrip('\nkeep\n', ' \t')).toBe('\nkeep\n');
});

test('a million spaces before a letter (a regex would backtrack quadratically): stripped by one scan', () => {
  const s = `${' '.repeat(1_000_000)}x${' '.repeat(1_000_000)}y`;
  expect(pyStrip(s)).toBe(s.slice(1_000_000));
});
