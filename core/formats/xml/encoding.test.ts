import { expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { decodeXmlBytes } from './encoding';

function offsetOf(b: Buffer): string {
  try {
    decodeXmlBytes(b, 'f.xml');
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    return /at offset (\d+) /.exec((e as Error).message)?.[1] ?? (e as Error).message;
  }
  throw new Error('expected an error');
}

test('a UTF-8 error names the first bad byte, or the lead byte of an incomplete sequence', () => {
  expect(offsetOf(Buffer.from([0x3c, 0x61, 0xff, 0x3e]))).toBe('2');
  expect(offsetOf(Buffer.from([0x3c, 0xc3, 0xa4, 0xe2, 0x82, 0x3e]))).toBe('3');
  expect(offsetOf(Buffer.from([0x3c, 0xc3, 0xa4, 0xe2, 0x82]))).toBe('3');
  expect(offsetOf(Buffer.from([0xff]))).toBe('0');
  expect(offsetOf(Buffer.from([0x3c, 0x80]))).toBe('1');
});

test('Python codec names as Python looks them up (case, punctuation, aliases)', () => {
  const doc = (enc: string): Buffer => Buffer.concat([Buffer.from(`<?xml version='1.0' encoding='${enc}'?><a>`), Buffer.from([0xa4]), Buffer.from('</a>')]);
  expect(decodeXmlBytes(doc('ISO-8859-15'), 'f').text).toContain('<a>\u20ac</a>');
  expect(decodeXmlBytes(doc('latin9'), 'f').encoding).toBe('iso8859_15');
  expect(decodeXmlBytes(doc('Latin-1'), 'f').text).toContain('<a>\u00a4</a>');
  expect(decodeXmlBytes(doc('ISO-8859-1'), 'f').encoding).toBe('latin_1');
  expect(decodeXmlBytes(doc('WINDOWS-1251'), 'f').text).toContain('<a>\u00a4</a>');
  // Python knows cp1251 and windows-1251, not cp-1251 (checked with Python's minidom).
  expect(() => decodeXmlBytes(doc('cp-1251'), 'f')).toThrow(/unknown encoding="cp-1251"/);
  expect(() => decodeXmlBytes(doc('EUC-JP'), 'f')).toThrow(/unknown encoding="EUC-JP"/);
  // Python's lookup would find "latin 1", but expat refuses the name first (XML 1.0 EncName).
  expect(() => decodeXmlBytes(doc('latin 1'), 'f')).toThrow(`f: not well-formed XML: encoding="latin 1" in the XML declaration is not an encoding name (expected a letter, then letters, digits, '.', '_' or '-')`);
  expect(() => decodeXmlBytes(doc(''), 'f')).toThrow(/encoding="" in the XML declaration is not an encoding name/);
});

test('UTF-16 big-endian without a byte order mark is detected from "<?"', () => {
  const b = Buffer.from('<?xml version="1.0"?><a>\u00e4</a>', 'utf16le').swap16();
  expect(decodeXmlBytes(b, 'f')).toEqual({ text: '<?xml version="1.0"?><a>\u00e4</a>', encoding: 'UTF-16' });
  expect(() => decodeXmlBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<?xml version="1.0" encoding="KOI8-R"?><a/>', 'utf16le').swap16()]), 'f')).toThrow(
    'f: not well-formed XML: the text is UTF-16 but the XML declaration says encoding="KOI8-R"',
  );
});
