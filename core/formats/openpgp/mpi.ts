/** OpenPGP multiprecision integers (RFC 4880 3.2): a 2-octet bit count, then the big-endian magnitude. */
import { SuppackError } from '../../base/errors';

/** RFC 4880 3.2: MPI = bit length u16 BE + ceil(bits / 8) octets, leading zero octets stripped. */
export function encodeMpi(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length && value[start] === 0) start++;
  const body = value.subarray(start);
  const bits = body.length === 0 ? 0 : (body.length - 1) * 8 + (32 - Math.clz32(body[0]!));
  if (bits > 0xffff) throw new SuppackError(`MPI of ${bits} bits is longer than OpenPGP allows (65535)`);
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(bits, 0);
  body.copy(out, 2);
  return out;
}

/** Reads the MPI at `offset`: its magnitude (no leading zeros) and the offset just past it. */
export function decodeMpi(buf: Buffer, offset: number, field: string): { value: Buffer; end: number } {
  if (offset + 2 > buf.length) throw new SuppackError('truncated MPI length', { field });
  const bits = buf.readUInt16BE(offset);
  const end = offset + 2 + Math.ceil(bits / 8);
  if (end > buf.length) throw new SuppackError(`truncated MPI: ${bits} bits at offset ${offset} run past the packet`, { field });
  return { value: buf.subarray(offset + 2, end), end };
}

/** An unsigned big-endian magnitude as a BigInt. */
export function toBigInt(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

/** A non-negative BigInt as big-endian bytes, left-padded with zeros to at least `minLength`. */
export function fromBigInt(n: bigint, minLength = 0): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  const b = n === 0n ? Buffer.alloc(0) : Buffer.from(hex, 'hex');
  return b.length >= minLength ? b : Buffer.concat([Buffer.alloc(minLength - b.length), b]);
}

/** base64url without padding, as JWK wants (RFC 7518 6.3.1). */
export function toBase64Url(b: Buffer): string {
  return b.toString('base64url');
}
