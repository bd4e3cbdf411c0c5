import { random } from '../../../testing/random';
import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { decodeHeader, decodeHeaderIntro, RPM_TYPE } from './header';
import { REGION_TAG, TAG } from './tags';
import { buildHeader, type BuiltEntry } from './testing';

const T = RPM_TYPE;
const ENTRIES: BuiltEntry[] = [
  { tag: TAG.HEADERI18NTABLE, type: T.STRING_ARRAY, value: ['C'] },
  { tag: TAG.NAME, type: T.STRING, value: 'hand-built' },
  { tag: TAG.EPOCH, type: T.INT32, value: [7] },
  { tag: TAG.SUMMARY, type: T.I18NSTRING, value: ['A summary'] },
  { tag: TAG.FILEMODES, type: T.INT16, value: [0o100644, 0o40755, 0o120777] },
  { tag: TAG.FILEFLAGS, type: T.INT8, value: [1, 255] },
  { tag: TAG.LONGFILESIZES, type: T.INT64, value: [5n, 1n << 40n] },
  { tag: TAG.BASENAMES, type: T.STRING_ARRAY, value: ['a', 'b', 'é'] },
  { tag: TAG.PAYLOADDIGEST, type: T.BIN, value: Buffer.from([1, 2, 3]) },
];

function expectError(fn: () => unknown, parts: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SuppackError);
  const msg = (caught as SuppackError).message;
  expect(msg).not.toContain('\n');
  for (const p of parts) expect(msg).toMatch(p);
}

describe('decodeHeader on a hand-built header', () => {
  const built = buildHeader(ENTRIES, REGION_TAG.HEADERIMMUTABLE);
  const prefix = Buffer.from('0123456789'); // decode at a non-zero offset
  const buf = Buffer.concat([prefix, built.buf, Buffer.from('payload')]);

  it('decodes every type', () => {
    const h = decodeHeader(buf, prefix.length, 'main');
    expect(h.start).toBe(10);
    expect(h.end).toBe(10 + 16 + 16 * built.il + built.dl);
    expect(h.paddedEnd).toBe(h.end);
    expect(h.bytes.equals(built.buf)).toBe(true);
    expect(h.string(TAG.NAME)).toBe('hand-built');
    expect(h.number(TAG.EPOCH)).toBe(7);
    expect(h.string(TAG.SUMMARY)).toBe('A summary');
    expect(h.numbers(TAG.FILEMODES)).toEqual([0o100644, 0o40755, 0o120777]);
    expect(h.numbers(TAG.FILEFLAGS)).toEqual([1, 255]);
    expect(h.numbers(TAG.LONGFILESIZES)).toEqual([5, 2 ** 40]);
    expect(h.strings(TAG.BASENAMES)).toEqual(['a', 'b', 'é']);
    expect(h.strings(TAG.NAME)).toEqual(['hand-built']);
    expect(h.bin(TAG.PAYLOADDIGEST)).toEqual(Buffer.from([1, 2, 3]));
    expect(h.has(REGION_TAG.HEADERIMMUTABLE)).toBe(true);
    expect(h.string(TAG.VERSION)).toBeUndefined();
  });

  it('names the tag when an accessor meets the wrong type', () => {
    const h = decodeHeader(buf, prefix.length, 'main');
    expectError(() => h.numbers(TAG.NAME), ['main header tag 1000 (NAME)', 'expected an integer, got type STRING']);
    expectError(() => h.string(TAG.EPOCH), ['tag 1003 (EPOCH)', 'expected a string']);
  });

  it('pads the signature header to 8', () => {
    const sig = buildHeader([{ tag: 1000, type: T.INT32, value: [1] }, { tag: 269, type: T.STRING, value: 'abc' }], REGION_TAG.HEADERSIGNATURES);
    const intro = decodeHeaderIntro(sig.buf, 0, 'signature');
    expect(intro.size).toBe(16 + 16 * 3 + 24);
    expect(intro.size % 8).toBe(0);
    expect(intro.paddedSize).toBe(intro.size);
    const odd = buildHeader([{ tag: 269, type: T.STRING, value: 'abcd' }], REGION_TAG.HEADERSIGNATURES);
    const oddIntro = decodeHeaderIntro(odd.buf, 0, 'signature');
    expect(oddIntro.size).toBe(16 + 32 + 21);
    expect(oddIntro.paddedSize).toBe(72);
    expect(decodeHeader(Buffer.concat([odd.buf, Buffer.alloc(3)]), 0, 'signature').paddedEnd).toBe(72);
    expect(decodeHeaderIntro(odd.buf, 0, 'main').paddedSize).toBe(69);
  });

  it('accepts a header without a region tag', () => {
    const plain = buildHeader(ENTRIES.slice(1, 3));
    const h = decodeHeader(plain.buf, 0, 'main');
    expect(h.string(TAG.NAME)).toBe('hand-built');
  });
});

describe('decodeHeader rejects corruption with a SuppackError naming the field', () => {
  const built = buildHeader(ENTRIES, REGION_TAG.HEADERIMMUTABLE);
  /** Copy with index entry `i`'s field (0 tag, 4 type, 8 offset, 12 count) set to `v`. */
  const withEntry = (i: number, at: 0 | 4 | 8 | 12, v: number): Buffer => {
    const b = Buffer.from(built.buf);
    if (at === 8) b.writeInt32BE(v, 16 + 16 * i + at);
    else b.writeUInt32BE(v >>> 0, 16 + 16 * i + at);
    return b;
  };
  const decode = (b: Buffer, kind: 'main' | 'signature' = 'main') => () => decodeHeader(b, 0, kind);
  const nameEntry = 2; // region, I18NTABLE, NAME, ...

  it('bad magic', () => {
    const b = Buffer.from(built.buf);
    b[3] = 2;
    expectError(decode(b), ['main header', 'bad header magic']);
    const r = Buffer.from(built.buf);
    r[6] = 1;
    expectError(decode(r), ['bad header magic']);
  });

  it('il and dl limits', () => {
    const b = Buffer.from(built.buf);
    b.writeUInt32BE(0xfffffff0, 8);
    expectError(decode(b), ['main header', 'il 4294967280 out of range, expected 1..65535']);
    b.writeUInt32BE(33, 8);
    expectError(decode(b, 'signature'), ['signature header', 'il 33 out of range, expected 1..32']);
    b.writeUInt32BE(0, 8);
    expectError(decode(b), ['il 0 out of range']);
    const d = Buffer.from(built.buf);
    d.writeUInt32BE(0x10000000, 12);
    expectError(decode(d), ['dl 268435456 out of range, expected 1..268435455']);
    d.writeUInt32BE(64 * 1024 * 1024 + 1, 12);
    expectError(decode(d, 'signature'), ['dl 67108865 out of range, expected 1..67108864']);
  });

  it('a buffer shorter than il/dl announce', () => {
    expectError(decode(built.buf.subarray(0, built.buf.length - 1)), ['main header', `needs ${built.buf.length} bytes at offset 0, only ${built.buf.length - 1} available`]);
    expectError(decode(built.buf.subarray(0, 10)), ['needs 16 bytes']);
  });

  it('offset outside the data store, negative or huge', () => {
    expectError(decode(withEntry(nameEntry, 8, built.dl + 100)), ['main header: index entry 2 (tag 1000 (NAME))', 'outside the data store']);
    expectError(decode(withEntry(nameEntry, 8, -4)), ['index entry 2', 'offset -4 is outside']);
    expectError(decode(withEntry(nameEntry, 8, 0x7fffffff)), ['outside the data store']);
  });

  it('unknown type id and NULL type', () => {
    expectError(decode(withEntry(nameEntry, 4, 42)), ['index entry 2 (tag 1000 (NAME))', 'unknown type id 42']);
    expectError(decode(withEntry(nameEntry, 4, 0)), ['unknown type id 0']);
  });

  it('misaligned INT16/INT32/INT64', () => {
    const i16 = ENTRIES.findIndex((e) => e.type === T.INT16) + 1;
    const i32 = ENTRIES.findIndex((e) => e.type === T.INT32) + 1;
    const i64 = ENTRIES.findIndex((e) => e.type === T.INT64) + 1;
    expectError(decode(withEntry(i16, 8, built.offsets[i16]! + 1)), [`index entry ${i16} (tag 1030 (FILEMODES))`, 'INT16 data', 'not aligned to 2']);
    expectError(decode(withEntry(i32, 8, built.offsets[i32]! + 2)), ['not aligned to 4']);
    expectError(decode(withEntry(i64, 8, built.offsets[i64]! + 4)), ['INT64', 'not aligned to 8']);
  });

  it('counts that run past the data store', () => {
    const i64 = ENTRIES.findIndex((e) => e.type === T.INT64) + 1;
    expectError(decode(withEntry(i64, 12, 0xffffffff)), ['4294967295 INT64 values', 'run past the data store']);
    const arr = ENTRIES.findIndex((e) => e.tag === TAG.BASENAMES) + 1;
    expectError(decode(withEntry(arr, 12, 0xffffffff)), ['tag 1117 (BASENAMES)', 'cannot fit']);
    expectError(decode(withEntry(arr, 12, 0)), ['count is 0']);
  });

  it('a string without its NUL', () => {
    // Point NAME at the last data bytes (the region trailer ends in 0x10, no NUL after it).
    const b = withEntry(nameEntry, 8, built.dl - 1);
    expectError(decode(b), ['index entry 2 (tag 1000 (NAME))', 'runs past the data store']);
    const s = withEntry(nameEntry, 12, 2);
    expectError(decode(s), ['STRING count must be 1, got 2']);
  });

  it('region tag and trailer', () => {
    expectError(decode(withEntry(0, 4, T.INT32)), ['index entry 0 (tag 63 (HEADERIMMUTABLE))', 'region tag must be BIN with count 16']);
    expectError(decode(withEntry(0, 8, built.dl - 8)), ['region trailer offset']);
    const t = Buffer.from(built.buf);
    const trailerAt = 16 + 16 * built.il + built.dl - 16;
    t.writeInt32BE(-16 * (built.il + 1), trailerAt + 8);
    expectError(decode(t), ['region trailer offset', 'must be -16 times']);
    t.writeInt32BE(-16 * built.il, trailerAt + 8);
    t.writeUInt32BE(62, trailerAt);
    expectError(decode(t), ['region trailer must be {63, 7, -16·il, 16}, got {62']);
    // A signature header must use tag 62: 63 is then an ordinary BIN entry, accepted.
    expect(decodeHeader(Buffer.from(built.buf), 0, 'main').has(63)).toBe(true);
  });

  it('duplicate tags inside the region', () => {
    expectError(decode(withEntry(3, 0, TAG.NAME)), ['index entry 3 (tag 1000 (NAME))', 'duplicate tag']);
  });

  it('never throws anything but a SuppackError for random corruption', () => {
    const rng = random(12345);
    const rand = () => rng.next();
    for (let n = 0; n < 3000; n++) {
      const b = Buffer.from(built.buf);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[16 + Math.floor(rand() * (b.length - 16))] = Math.floor(rand() * 256);
      try {
        decodeHeader(b, 0, 'main');
      } catch (e) {
        expect(e).toBeInstanceOf(SuppackError);
      }
    }
  });
});
