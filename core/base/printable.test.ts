import { describe, expect, test } from 'vitest';
import { SuppackError } from './errors';
import { joinLines, printableLine, printableText } from './printable';

describe('text from inputs, made printable (docs/security.md "What suppack prints")', () => {
  test('control characters become escapes; tabs and other text stay', () => {
    expect(printableLine('a\x1b]2;title\x07b\tc\r\nd\u0085e\u2028f\x7f')).toBe('a\\x1b]2;title\\x07b\tc\\r\\nd\\x85e\\u2028f\\x7f');
    expect(printableText('line 1\n\x1b[31mline 2\n')).toBe('line 1\n\\x1b[31mline 2\n');
    expect(printableLine('plain ümlaut 漢字')).toBe('plain ümlaut 漢字');
  });

  test('joinLines: whitespace around line breaks becomes one space; a megabyte of spaces is read once', () => {
    expect(joinLines('  a \n\n  b\t\n c\td  ')).toBe('a b c\td');
    expect(joinLines('  no break  ')).toBe('no break');
    // /\s*\n\s*/ retried from every space of the run: ~10^12 steps for this one
    const spaces = ' '.repeat(1_000_000);
    expect(joinLines(`a${spaces}b`)).toBe(`a${spaces}b`);
  });

  test('a SuppackError is one line whatever its input holds', () => {
    const e = new SuppackError(`unknown key ${'x\n\x1b[2J'}`, { file: 'evil\r.json', field: `pack.${' '.repeat(100_000)}y` });
    expect(e.message).not.toMatch(/[\x00-\x08\x0a-\x1f]/);
    expect(e.message).toMatch(/^evil\\r\.json: pack\. {100000}y: unknown key x \\x1b\[2J$/);
  });
});
