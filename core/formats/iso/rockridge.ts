/**
 * Pure encoders for SUSP (IEEE P1281) and Rock Ridge RRIP 1.10 (IEEE P1282) System Use entries.
 * Every entry is `sig[2] len[1] ver[1]=1` followed by its payload; numbers are ECMA-119 7.3.3.
 */
import { encodeDate7, writeBoth32 } from './encode';

/** SUSP 4.1: an entry's length byte caps it at 255 bytes. */
const MAX_ENTRY = 255;
/** Length of a CE entry: every continuation pointer costs this much. */
export const CE_LENGTH = 28;

function entry(sig: string, payloadLen: number): Buffer {
  const b = Buffer.alloc(4 + payloadLen);
  b.write(sig, 0, 'latin1');
  b[2] = b.length;
  b[3] = 1;
  return b;
}

// SUSP 5.3: SP, must be the first entry of the root directory's "." record.
export function encodeSP(): Buffer {
  const b = entry('SP', 3);
  b[4] = 0xbe;
  b[5] = 0xef;
  b[6] = 0; // bytes skipped at the start of each System Use area
  return b;
}

// SUSP 5.1: CE, continuation area at `block`, `offset`, `length`.
export function encodeCE(block: number, offset: number, length: number): Buffer {
  const b = entry('CE', 24);
  writeBoth32(b, 4, block);
  writeBoth32(b, 12, offset);
  writeBoth32(b, 20, length);
  return b;
}

export const RRIP_1991A = {
  id: 'RRIP_1991A',
  descriptor: 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS',
  source:
    'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.',
};

// SUSP 5.5: ER, extensions reference (RRIP 1.10 identifies itself as RRIP_1991A).
export function encodeER(ext: { id: string; descriptor: string; source: string } = RRIP_1991A): Buffer {
  const id = Buffer.from(ext.id, 'latin1');
  const des = Buffer.from(ext.descriptor, 'latin1');
  const src = Buffer.from(ext.source, 'latin1');
  const b = entry('ER', 4 + id.length + des.length + src.length);
  b[4] = id.length;
  b[5] = des.length;
  b[6] = src.length;
  b[7] = 1; // extension version
  Buffer.concat([id, des, src]).copy(b, 8);
  return b;
}

// RRIP 1.10 4.1.1: PX, POSIX file attributes (36-byte form without inode number).
export function encodePX(mode: number, nlink: number, uid = 0, gid = 0): Buffer {
  const b = entry('PX', 32);
  writeBoth32(b, 4, mode);
  writeBoth32(b, 12, nlink);
  writeBoth32(b, 20, uid);
  writeBoth32(b, 28, gid);
  return b;
}

// RRIP 1.10 4.1.6: TF, time stamps; flags 0x0E = modify, access, attributes (7-byte form).
export function encodeTF(epoch: number): Buffer {
  const b = entry('TF', 1 + 3 * 7);
  b[4] = 0x0e;
  const d = encodeDate7(epoch);
  for (let i = 0; i < 3; i++) d.copy(b, 5 + 7 * i);
  return b;
}

// RRIP 1.10 4.1.4: NM, alternate name; split into 250-byte pieces flagged CONTINUE (0x01).
export function encodeNM(name: Buffer): Buffer[] {
  const max = MAX_ENTRY - 5;
  const out: Buffer[] = [];
  for (let off = 0; off === 0 || off < name.length; off += max) {
    const piece = name.subarray(off, off + max);
    const b = entry('NM', 1 + piece.length);
    b[4] = off + max < name.length ? 0x01 : 0;
    piece.copy(b, 5);
    out.push(b);
  }
  return out;
}

const SL_CONTINUE = 0x01;
const SL_CURRENT = 0x02;
const SL_PARENT = 0x04;
const SL_ROOT = 0x08;

/** Component records `cflags len bytes` of a symlink target (RRIP 1.10 4.1.3.1). */
function slComponents(target: string): Buffer[] {
  const max = MAX_ENTRY - 5 - 2;
  const out: Buffer[] = [];
  if (target.startsWith('/')) out.push(Buffer.from([SL_ROOT, 0]));
  for (const part of target.split('/')) {
    if (part === '') continue;
    if (part === '.') out.push(Buffer.from([SL_CURRENT, 0]));
    else if (part === '..') out.push(Buffer.from([SL_PARENT, 0]));
    else {
      const bytes = Buffer.from(part, 'utf8');
      for (let off = 0; off < bytes.length; off += max) {
        const piece = bytes.subarray(off, off + max);
        const more = off + max < bytes.length;
        out.push(Buffer.concat([Buffer.from([more ? SL_CONTINUE : 0, piece.length]), piece]));
      }
    }
  }
  return out;
}

// RRIP 1.10 4.1.3: SL, symbolic link; entries after the first continue it (flag 0x01 on all but the last).
export function encodeSL(target: string): Buffer[] {
  const groups: Buffer[][] = [];
  let current: Buffer[] = [];
  let used = 5;
  for (const c of slComponents(target)) {
    if (used + c.length > MAX_ENTRY) {
      groups.push(current);
      current = [];
      used = 5;
    }
    current.push(c);
    used += c.length;
  }
  groups.push(current);
  return groups.map((comps, i) => {
    const body = Buffer.concat(comps);
    const b = entry('SL', 1 + body.length);
    b[4] = i < groups.length - 1 ? 0x01 : 0;
    body.copy(b, 5);
    return b;
  });
}

/** POSIX file type bits for PX. */
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
