import { describe, expect, it } from 'vitest';
import { encodeMpi, decodeMpi } from './mpi';
import { decodePackets, decodeSubpackets, encodePacket, encodeSubpacket } from './packets';

describe('packet framing (RFC 4880 4.2)', () => {
  it('encodes old-format headers with the shortest length and decodes them back', () => {
    for (const [n, header] of [[10, [0x88, 10]], [300, [0x89, 0x01, 0x2c]], [70000, [0x8a, 0, 1, 0x11, 0x70]]] as const) {
      const p = encodePacket(2, Buffer.alloc(n, 7));
      expect([...p.subarray(0, header.length)]).toEqual(header);
      expect(decodePackets(p)).toEqual([{ tag: 2, body: Buffer.alloc(n, 7), offset: 0 }]);
    }
  });

  it('decodes new-format one-, two-, five-octet and partial lengths', () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const two = Buffer.concat([Buffer.from([0xcd, ((1000 - 192) >> 8) + 192, (1000 - 192) & 0xff]), body]);
    const five = Buffer.concat([Buffer.from([0xcd, 0xff, 0, 0, 3, 0xe8]), body]);
    // Partial: 512 (0xE9), then 256 (0xE8), then the final 232 as a two-octet length.
    const partial = Buffer.concat([Buffer.from([0xcd, 0xe9]), body.subarray(0, 512), Buffer.from([0xe8]), body.subarray(512, 768), Buffer.from([192, 40]), body.subarray(768)]);
    const one = Buffer.from([0xcd, 3, 1, 2, 3]);
    const all = decodePackets(Buffer.concat([two, five, partial, one]));
    expect(all.map((p) => p.tag)).toEqual([13, 13, 13, 13]);
    expect(all.slice(0, 3).every((p) => p.body.equals(body))).toBe(true);
    expect([...all[3]!.body]).toEqual([1, 2, 3]);
    expect(all.map((p) => p.offset)).toEqual([0, two.length, two.length + five.length, two.length + five.length + partial.length]);
  });

  it('rejects truncated packets and non-packet octets', () => {
    expect(() => decodePackets(Buffer.from([0x89, 0x01]))).toThrow(/truncated packet header/);
    expect(() => decodePackets(Buffer.from([0x88, 5, 1]))).toThrow(/truncated packet: 5 body octets/);
    expect(() => decodePackets(Buffer.from([0x41]))).toThrow(/not an OpenPGP packet/);
  });
});

describe('subpackets (RFC 4880 5.2.3.1) and MPIs (3.2)', () => {
  it('round-trips subpackets of each length form', () => {
    const area = Buffer.concat([encodeSubpacket(2, Buffer.alloc(4, 1)), encodeSubpacket(20, Buffer.alloc(300, 2), true), encodeSubpacket(9, Buffer.alloc(9000, 3))]);
    expect(area[0]).toBe(5);
    expect(decodeSubpackets(area, 'f').map((s) => [s.type, s.critical, s.data.length])).toEqual([[2, false, 4], [20, true, 300], [9, false, 9000]]);
  });

  it('encodes MPIs with the bit count of the magnitude', () => {
    expect([...encodeMpi(Buffer.from([0x00, 0x01]))]).toEqual([0, 1, 1]);
    expect([...encodeMpi(Buffer.from([0x01, 0xff]))]).toEqual([0, 9, 1, 0xff]);
    expect([...encodeMpi(Buffer.from([0x80]))]).toEqual([0, 8, 0x80]);
    expect([...encodeMpi(Buffer.alloc(2))]).toEqual([0, 0]);
    const { value, end } = decodeMpi(Buffer.from([9, 9, 0, 9, 1, 0xff]), 2, 'f');
    expect([...value, end]).toEqual([1, 0xff, 6]);
    expect(() => decodeMpi(Buffer.from([0, 17, 1]), 0, 'f')).toThrow(/truncated MPI/);
  });
});
