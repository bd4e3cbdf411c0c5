import { describe, expect, it } from 'vitest';
import { decodeHeader, RPM_TYPE } from './header';
import { encodeHeader, padTo8 } from './header-write';

describe('encodeHeader', () => {
  it('sorts tags, aligns data and ends the store with the region trailer', () => {
    const buf = encodeHeader(
      [
        { tag: 1004, type: RPM_TYPE.INT32, value: [7, 0xffffffff] },
        { tag: 1000, type: RPM_TYPE.STRING, value: 'abc' },
        { tag: 1002, type: RPM_TYPE.INT16, value: [0o100644] },
        { tag: 1001, type: RPM_TYPE.STRING_ARRAY, value: ['x', ''] },
        { tag: 1003, type: RPM_TYPE.BIN, value: Buffer.from([1, 2]) },
        { tag: 1005, type: RPM_TYPE.I18NSTRING, value: ['hi'] },
      ],
      63,
    );
    const h = decodeHeader(buf, 0, 'main');
    expect([...h.entries.keys()]).toEqual([63, 1000, 1001, 1002, 1003, 1004, 1005]);
    expect(h.string(1000)).toBe('abc');
    expect(h.strings(1001)).toEqual(['x', '']);
    expect(h.numbers(1002)).toEqual([0o100644]);
    expect(h.bin(1003)).toEqual(Buffer.from([1, 2]));
    expect(h.numbers(1004)).toEqual([7, 0xffffffff]);
    expect(h.entries.get(1004)!.offset % 4).toBe(0);
    expect(h.string(1005)).toBe('hi');
    expect(buf.subarray(-16).toString('hex')).toBe('0000003f00000007ffffff9000000010');
    expect(h.end).toBe(buf.length);
  });

  it('refuses duplicate tags, empty arrays and NUL in strings', () => {
    expect(() => encodeHeader([{ tag: 1, type: RPM_TYPE.STRING, value: 'a' }, { tag: 1, type: RPM_TYPE.STRING, value: 'b' }], 63)).toThrow(/duplicate header tag 1/);
    expect(() => encodeHeader([{ tag: 1, type: RPM_TYPE.INT32, value: [] }], 63)).toThrow(/count 0/);
    expect(() => encodeHeader([{ tag: 1, type: RPM_TYPE.STRING, value: 'a\0b' }], 63)).toThrow(/NUL/);
  });

  it('pads to a multiple of 8', () => {
    expect(padTo8(Buffer.alloc(13)).length).toBe(16);
    expect(padTo8(Buffer.alloc(16)).length).toBe(16);
  });
});
