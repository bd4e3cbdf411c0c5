import { describe, expect, test } from 'vitest';
import { encodeCE, encodeER, encodeNM, encodePX, encodeSL, encodeSP, encodeTF, S_IFDIR } from './rockridge';

const hex = (b: Buffer) => b.toString('hex');

/** Decode SL entries the way Linux does (components joined by '/', CONTINUE joins without one). */
function readSL(entries: Buffer[]): string {
  let out = '';
  let sep = '';
  for (const e of entries) {
    let p = 5;
    while (p < e.length) {
      const flags = e[p];
      const len = e[p + 1];
      const text = flags & 0x02 ? '.' : flags & 0x04 ? '..' : flags & 0x08 ? '' : e.subarray(p + 2, p + 2 + len).toString('utf8');
      out += sep + text;
      sep = flags & 0x01 ? '' : '/';
      p += 2 + len;
    }
  }
  return out;
}

describe('SUSP entries', () => {
  test('SP (SUSP 5.3)', () => {
    expect(hex(encodeSP())).toBe('5350070' + '1beef00');
  });

  test('CE (SUSP 5.1)', () => {
    expect(hex(encodeCE(0x15, 0, 0xed))).toBe('43451c01' + '1500000000000015' + '0000000000000000' + 'ed000000000000ed');
  });

  test('ER for RRIP_1991A is 237 bytes like xorriso', () => {
    const er = encodeER();
    expect(er.length).toBe(237);
    expect(hex(er.subarray(0, 8))).toBe('4552ed010a548701');
    expect(er.subarray(8, 18).toString('latin1')).toBe('RRIP_1991A');
  });
});

describe('Rock Ridge entries', () => {
  test('PX is the 36-byte RRIP 1.10 form', () => {
    const px = encodePX(S_IFDIR | 0o555, 3);
    expect(px.length).toBe(36);
    expect(hex(px)).toBe('50582401' + '6d4100000000416d' + '0300000000000003' + '0'.repeat(32));
  });

  test('TF holds mtime, atime, ctime (flags 0x0E)', () => {
    const tf = encodeTF(Date.UTC(2024, 0, 1) / 1000);
    expect(tf.length).toBe(26);
    expect(hex(tf)).toBe('54461a010e' + '7c010100000000'.repeat(3));
  });

  test('NM: one entry up to 250 bytes, CONTINUE-split beyond', () => {
    const short = encodeNM(Buffer.from('readme'));
    expect(short.map(hex)).toEqual(['4e4d0b0100' + Buffer.from('readme').toString('hex')]);
    const long = encodeNM(Buffer.alloc(255, 0x61));
    expect(long.map((e) => [e[2], e[4]])).toEqual([
      [255, 1],
      [10, 0],
    ]);
    expect(Buffer.concat(long.map((e) => e.subarray(5))).toString()).toBe('a'.repeat(255));
  });

  test('SL: relative with "..", absolute with ".", components flags', () => {
    const rel = encodeSL('../big/blob.bin');
    expect(rel.length).toBe(1);
    expect(hex(rel[0])).toBe('534c' + (5 + 2 + 5 + 10).toString(16) + '01' + '00' + '0400' + '0003' + '626967' + '0008' + Buffer.from('blob.bin').toString('hex'));
    const abs = encodeSL('/usr/./x');
    expect(hex(abs[0].subarray(5))).toBe('0800' + '0003757372' + '0200' + '000178');
  });

  test('SL: long targets span several entries flagged CONTINUE, long components split', () => {
    const target = Array.from({ length: 6 }, (_, i) => `c${i}-${'z'.repeat(100)}`).join('/') + `/${'q'.repeat(255)}`;
    const sl = encodeSL(target);
    expect(sl.length).toBeGreaterThan(2);
    for (const e of sl) expect(e.length).toBeLessThanOrEqual(255);
    expect(sl.slice(0, -1).every((e) => e[4] === 1)).toBe(true);
    expect(sl[sl.length - 1][4]).toBe(0);
    expect(readSL(sl)).toBe(target);
    expect(readSL(encodeSL('/usr/./x'))).toBe('/usr/./x');
  });
});
