import { describe, expect, test } from 'vitest';
import {
  both16,
  both32,
  encodeDate17,
  encodeDate7,
  encodeDirRecord,
  encodePathTableRecord,
  encodeTerminator,
  encodeVolumeDescriptor,
  recordLength,
} from './encode';

const hex = (b: Buffer) => b.toString('hex');
const EPOCH_2024 = Date.UTC(2024, 0, 1) / 1000;

describe('numbers (ECMA-119 7.2, 7.3)', () => {
  test('both-endian 16 and 32 bit', () => {
    expect(hex(both16(0x0800))).toBe('00080800');
    expect(hex(both16(1))).toBe('01000001');
    expect(hex(both32(0x1600))).toBe('0016000000001600');
    expect(hex(both32(0xfffffffe))).toBe('fefffffffffffffe');
  });
});

describe('dates', () => {
  test('7-byte directory record date (9.1.5)', () => {
    expect(hex(encodeDate7(EPOCH_2024))).toBe('7c010100000000');
    expect([...encodeDate7(946684800 + 13 * 3600 + 14 * 60 + 15)]).toEqual([100, 1, 1, 13, 14, 15, 0]);
  });

  test('17-byte volume date (8.4.26.1) and "not specified"', () => {
    const d = encodeDate17(Date.UTC(2023, 10, 14, 22, 13, 20) / 1000);
    expect(d.subarray(0, 16).toString('latin1')).toBe('2023111422132000');
    expect(d[16]).toBe(0);
    const none = encodeDate17(null);
    expect(none.subarray(0, 16).toString('latin1')).toBe('0000000000000000');
    expect(none.length).toBe(17);
    expect(none[16]).toBe(0);
  });
});

describe('directory record (9.1)', () => {
  test('root record matches the bytes xorriso writes', () => {
    const r = encodeDirRecord({ extent: 0x14, size: 2048, date: encodeDate7(EPOCH_2024), flags: 2, id: Buffer.from([0]) });
    expect(hex(r)).toBe('22' + '00' + '1400000000000014' + '0008000000000800' + '7c010100000000' + '02' + '0000' + '01000001' + '01' + '00');
  });

  test('file record: odd id length has no pad byte, System Use follows, total is even', () => {
    const id = Buffer.from('A.;1', 'latin1'); // 4 chars: even, so one pad byte
    const r = encodeDirRecord({ extent: 5, size: 3, date: encodeDate7(0), flags: 0, id, systemUse: Buffer.from([9, 9, 9]) });
    expect(r.length).toBe(recordLength(4, 3));
    expect(r.length % 2).toBe(0);
    expect(r[0]).toBe(r.length);
    expect(r[32]).toBe(4);
    expect(r.subarray(33, 37).toString('latin1')).toBe('A.;1');
    expect(r[37]).toBe(0); // pad after even-length id
    expect([...r.subarray(38, 41)]).toEqual([9, 9, 9]);
    const odd = encodeDirRecord({ extent: 5, size: 3, date: encodeDate7(0), flags: 0, id: Buffer.from('AB.;1', 'latin1') });
    expect(odd.length).toBe(38);
  });

  test('refuses records over 255 bytes', () => {
    expect(() =>
      encodeDirRecord({ extent: 0, size: 0, date: encodeDate7(0), flags: 0, id: Buffer.alloc(30), systemUse: Buffer.alloc(200) }),
    ).toThrow(RangeError);
  });
});

describe('path table record (9.4)', () => {
  test('L and M forms, odd id padded', () => {
    const l = encodePathTableRecord({ id: Buffer.from('ABC'), extent: 0x12345678, parent: 0x0102 }, true);
    expect(hex(l)).toBe('0300' + '78563412' + '0201' + '414243' + '00');
    const m = encodePathTableRecord({ id: Buffer.from('AB'), extent: 0x12345678, parent: 1 }, false);
    expect(hex(m)).toBe('0200' + '12345678' + '0001' + '4142');
  });
});

describe('volume descriptors (8.4, 8.5, 8.3)', () => {
  const root = encodeDirRecord({ extent: 20, size: 2048, date: encodeDate7(EPOCH_2024), flags: 2, id: Buffer.from([0]) });
  const fields = {
    systemId: 'LINUX',
    volumeId: 'MY-VOLUME',
    volumeSetId: '',
    publisherId: 'PUB',
    preparerId: '',
    applicationId: 'APP',
    volumeBlocks: 0x1600,
    pathTableSize: 0x5a,
    lPathTable: 0x2e,
    mPathTable: 0x2f,
    root,
    epoch: EPOCH_2024,
  };

  test('PVD field positions', () => {
    const b = encodeVolumeDescriptor({ ...fields, type: 1, escape: '' });
    expect(b.length).toBe(2048);
    expect(hex(b.subarray(0, 7))).toBe('01' + Buffer.from('CD001').toString('hex') + '01');
    expect(b.subarray(8, 40).toString('latin1')).toBe('LINUX'.padEnd(32));
    expect(b.subarray(40, 72).toString('latin1')).toBe('MY-VOLUME'.padEnd(32));
    expect(hex(b.subarray(80, 88))).toBe('0016000000001600');
    expect(hex(b.subarray(88, 120))).toBe('00'.repeat(32));
    expect(hex(b.subarray(120, 132))).toBe('01000001' + '01000001' + '00080800');
    expect(hex(b.subarray(132, 140))).toBe('5a0000000000005a');
    expect(b.readUInt32LE(140)).toBe(0x2e);
    expect(b.readUInt32BE(148)).toBe(0x2f);
    expect(hex(b.subarray(156, 190))).toBe(hex(root));
    expect(b.subarray(318, 446).toString('latin1')).toBe('PUB'.padEnd(128));
    expect(b.subarray(574, 702).toString('latin1')).toBe('APP'.padEnd(128));
    expect(b.subarray(813, 830).toString('latin1')).toBe('2024010100000000\0');
    expect(b.subarray(830, 847).toString('latin1')).toBe('2024010100000000\0');
    expect(b.subarray(847, 864).toString('latin1')).toBe('0000000000000000\0');
    expect(b.subarray(864, 881).toString('latin1')).toBe('0000000000000000\0');
    expect(b[881]).toBe(1);
  });

  test('Joliet SVD: type 2, escape %/E, UCS-2BE text', () => {
    const b = encodeVolumeDescriptor({ ...fields, type: 2, escape: '%/E', volumeId: 'MY-VOLUME' });
    expect(b[0]).toBe(2);
    expect(b.subarray(88, 91).toString('latin1')).toBe('%/E');
    expect(b.subarray(40, 72).swap16().toString('utf16le')).toBe('MY-VOLUME'.padEnd(16));
    expect(b.subarray(574, 702).swap16().toString('utf16le')).toBe('APP'.padEnd(64));
  });

  test('terminator', () => {
    const t = encodeTerminator();
    expect(hex(t.subarray(0, 7))).toBe('ff' + Buffer.from('CD001').toString('hex') + '01');
    expect(t.subarray(7).every((x) => x === 0)).toBe(true);
  });
});
