import { describe, expect, it } from 'vitest';
import { armor, crc24, dearmor, isArmored } from './armor';

describe('crc24 (RFC 4880 6.1)', () => {
  it('matches the init value and the CRC-24/OPENPGP check value', () => {
    expect(crc24(Buffer.alloc(0))).toBe(0xb704ce);
    expect(crc24(Buffer.from('123456789'))).toBe(0x21cf02);
  });
});

describe('armor / dearmor', () => {
  it('round-trips, ignoring armor headers, CRLF and surrounding text', () => {
    const data = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff));
    const text = armor('PGP PUBLIC KEY BLOCK', data);
    expect(text.split('\n').filter((l) => l.length > 76)).toEqual([]);
    const withHeaders = `junk before\r\n${text.replace('-----\n\n', '-----\nVersion: GnuPG v2\nComment: x\n\n').replace(/\n/g, '\r\n')}after`;
    expect(dearmor(withHeaders)).toEqual([{ type: 'PGP PUBLIC KEY BLOCK', data }]);
    expect(isArmored(Buffer.from(withHeaders))).toBe(true);
    expect(isArmored(Buffer.from([0x99, 0x01]))).toBe(false);
    expect(isArmored(Buffer.from(`\ufeff${text}`))).toBe(true);
  });

  it('rejects a wrong CRC and a missing END line', () => {
    const text = armor('PGP SIGNATURE', Buffer.from('abc'));
    const crcLine = /\n=(.{4})\n/.exec(text)![1]!;
    expect(() => dearmor(text.replace(`=${crcLine}`, '=AAAA'))).toThrow(/CRC-24/);
    expect(() => dearmor(text.replace('-----END PGP SIGNATURE-----', ''))).toThrow(/no matching "-----END PGP SIGNATURE-----"/);
  });
});
