/**
 * Test-only: re-protects an unprotected secret key export (S2K usage 0) with another cipher, hash,
 * S2K type and usage, written independently of s2k.ts so that reading it checks the reader.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { decodePackets, PACKET_TAG } from './packets';
import { decodePublicKey } from './public-key';
import { newFormatPacket, type Protect } from './testing';

const SALT = Buffer.from('0102030405060708', 'hex');
const COUNT_BYTE = 0x60; // (16 + 0) << (6 + 6) = 65536 octets
const IV = Buffer.alloc(16, 0x5a);

function s2kKey(p: Protect, passphrase: Buffer): Buffer {
  const input = p.s2kType === 0 ? passphrase : Buffer.concat([SALT, passphrase]);
  let total = input.length;
  if (p.s2kType === 3) total = Math.max(65536, input.length);
  const out: Buffer[] = [];
  for (let pre = 0; Buffer.concat(out).length < p.keySize; pre++) {
    const h = createHash(p.hashName);
    h.update(Buffer.alloc(pre));
    let left = total;
    while (left > 0) {
      const n = Math.min(left, input.length);
      h.update(input.subarray(0, n));
      left -= n;
    }
    out.push(h.digest());
  }
  return Buffer.concat(out).subarray(0, p.keySize);
}

function s2kSpecifier(p: Protect): Buffer {
  if (p.s2kType === 0) return Buffer.from([0, p.hash]);
  if (p.s2kType === 1) return Buffer.concat([Buffer.from([1, p.hash]), SALT]);
  return Buffer.concat([Buffer.from([3, p.hash]), SALT, Buffer.from([COUNT_BYTE])]);
}

/** Every secret (sub)key packet of `clearExport` (binary, usage 0) re-protected with `p` and `passphrase`, new-format headers. */
export function reprotect(clearExport: Buffer, p: Protect, passphrase: string): Buffer {
  return Buffer.concat(
    decodePackets(clearExport).map(({ tag, body }) => {
      if (tag !== PACKET_TAG.SECRET_KEY && tag !== PACKET_TAG.SECRET_SUBKEY) return newFormatPacket(tag, body);
      const { end } = decodePublicKey(body, 'test');
      if (body[end] !== 0) throw new Error('expected an unprotected key');
      const fields = body.subarray(end + 1, body.length - 2);
      let check: Buffer;
      if (p.usage === 254) check = createHash('sha1').update(fields).digest();
      else {
        check = Buffer.alloc(2);
        check.writeUInt16BE(fields.reduce((a, b) => (a + b) & 0xffff, 0));
      }
      const iv = IV.subarray(0, p.blockSize);
      const c = createCipheriv(p.openssl, s2kKey(p, Buffer.from(passphrase, 'utf8')), iv);
      const enc = Buffer.concat([c.update(Buffer.concat([fields, check])), c.final()]);
      const head = Buffer.from([p.usage, p.cipher]);
      return newFormatPacket(tag, Buffer.concat([body.subarray(0, end), head, s2kSpecifier(p), iv, enc]));
    }),
  );
}
