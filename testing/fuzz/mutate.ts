/**
 * Test-only: the fuzz suite's mutators (docs/security.md "Fuzzing"). A case is a seed input and a
 * short list of mutations drawn from a seeded random source, so (run seed, kind, case number)
 * names every input exactly. Byte mutations favour the "hot" ranges a kind names (headers,
 * volume descriptors, directory records), where a reader makes its decisions; text mutations
 * work on lines and markup, where a parser does.
 */
import type { Random } from '../random';

/** A byte range [start, end) of an input that a mutation should hit more often. */
export type Range = readonly [number, number];

/** Values that sit on the edges readers test: zero, signs, powers of two, all ones. */
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff];

function position(rand: Random, length: number, hot: readonly Range[]): number {
  if (length === 0) return 0;
  const inHot = hot.filter(([s, e]) => e > s && s < length);
  if (inHot.length > 0 && rand.chance(0.75)) {
    const [s, e] = rand.pick(inHot);
    return s + rand.int(Math.min(e, length) - s);
  }
  return rand.int(length);
}

/** One byte-level mutation of `b`, described in `ops`. */
function mutateOnce(b: Buffer, rand: Random, hot: readonly Range[], ops: string[]): Buffer {
  const at = position(rand, b.length, hot);
  switch (rand.int(9)) {
    case 0: {
      if (b.length === 0) return b;
      const bit = rand.int(8);
      b[at] = b[at]! ^ (1 << bit);
      ops.push(`flip ${at}.${bit}`);
      return b;
    }
    case 1: {
      if (b.length === 0) return b;
      const v = rand.pick(INTERESTING_8);
      b[at] = v;
      ops.push(`byte ${at}=${v}`);
      return b;
    }
    case 2: {
      if (at + 4 > b.length) return b;
      const v = rand.chance(0.2) ? b.length + rand.int(3) - 1 : rand.pick(INTERESTING_32);
      const le = rand.chance(0.5);
      if (le) b.writeUInt32LE(v >>> 0, at);
      else b.writeUInt32BE(v >>> 0, at);
      ops.push(`u32${le ? 'le' : 'be'} ${at}=${v}`);
      return b;
    }
    case 3: {
      if (at + 2 > b.length) return b;
      const v = rand.pick([0, 1, 0x7fff, 0x8000, 0xffff]);
      b.writeUInt16BE(v, at);
      ops.push(`u16 ${at}=${v}`);
      return b;
    }
    case 4: {
      ops.push(`truncate ${at}`);
      return b.subarray(0, at);
    }
    case 5: {
      const n = Math.min(b.length - at, 1 + rand.int(rand.chance(0.5) ? 16 : 4096));
      ops.push(`delete ${at}+${n}`);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
    }
    case 6: {
      const from = rand.int(Math.max(1, b.length));
      const n = Math.min(b.length - from, 1 + rand.int(rand.chance(0.5) ? 64 : 8192));
      ops.push(`insert-copy ${from}+${n}@${at}`);
      return Buffer.concat([b.subarray(0, at), b.subarray(from, from + n), b.subarray(at)]);
    }
    case 7: {
      const from = rand.int(Math.max(1, b.length));
      const n = Math.min(b.length - from, b.length - at, 1 + rand.int(512));
      b.subarray(from, from + n).copy(b, at);
      ops.push(`overwrite-copy ${from}+${n}@${at}`);
      return b;
    }
    default: {
      const n = 1 + rand.int(64);
      ops.push(`random ${at}+${n}`);
      const r = rand.bytes(n);
      r.copy(b, at, 0, Math.min(n, b.length - at));
      return b;
    }
  }
}

/** 1–4 byte mutations of a copy of `input` (one most often). */
export function mutateBytes(input: Buffer, rand: Random, hot: readonly Range[] = []): { bytes: Buffer; ops: string[] } {
  let b: Buffer = Buffer.from(input);
  const ops: string[] = [];
  const count = rand.chance(0.5) ? 1 : 1 + rand.int(4);
  for (let i = 0; i < count; i++) b = mutateOnce(b, rand, hot, ops);
  return { bytes: b, ops };
}

/** Text inputs are not grown past this (bytes). */
const MAX_TEXT = 8 << 20;

/** Markup and text that parsers trip on. */
const TEXT_TOKENS = ['<', '>', '&', '&amp;', '&#0;', '&#xD800;', '&bogus;', '"', "'", '<!--', '-->', '<![CDATA[', ']]>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '<?xml version="1.0" encoding="ebcdic"?>', '\u0000', '\uFFFE', '\u00e9', '\ud83d', '{', '}', '"', '\\', '$(', '`', '\t', '\r', '\n', ' --- ', '---', '=', ' '];

/**
 * 1–3 text mutations: a line deleted, duplicated or swapped; a token inserted; an element opened
 * many times (depth); a long run of one character; or a byte mutation of the text.
 */
export function mutateText(input: Buffer, rand: Random): { bytes: Buffer; ops: string[] } {
  let text = input.toString('latin1');
  const ops: string[] = [];
  const count = 1 + rand.int(3);
  for (let i = 0; i < count; i++) {
    // Inputs stay below MAX_TEXT: a repeated long line would otherwise outgrow a JS string.
    if (text.length > MAX_TEXT) break;
    const lines = text.split('\n');
    const l = rand.int(lines.length);
    switch (rand.int(7)) {
      case 0:
        ops.push(`delete line ${l}`);
        lines.splice(l, 1);
        text = lines.join('\n');
        break;
      case 1: {
        const line = lines[l] ?? '';
        const times = Math.max(1, Math.min(rand.chance(0.2) ? 500 + rand.int(5000) : 1 + rand.int(3), Math.floor(MAX_TEXT / (line.length + 1))));
        ops.push(`repeat line ${l} x${times}`);
        lines.splice(l, 0, ...Array<string>(times).fill(line));
        text = lines.join('\n');
        break;
      }
      case 2: {
        const m = rand.int(lines.length);
        ops.push(`swap lines ${l},${m}`);
        [lines[l], lines[m]] = [lines[m]!, lines[l]!];
        text = lines.join('\n');
        break;
      }
      case 3: {
        const at = rand.int(text.length + 1);
        const token = Buffer.from(rand.pick(TEXT_TOKENS), 'utf8').toString('latin1');
        ops.push(`insert ${JSON.stringify(token)}@${at}`);
        text = text.slice(0, at) + token + text.slice(at);
        break;
      }
      case 4: {
        const depth = rand.pick([50, 900, 20_000]);
        const at = Math.max(0, text.indexOf('>', rand.int(text.length)) + 1);
        const name = rand.pick(['x', 'source', 'a:b', 'install']);
        ops.push(`nest <${name}> x${depth}@${at}`);
        text = text.slice(0, at) + `<${name}>`.repeat(depth) + (rand.chance(0.5) ? `</${name}>`.repeat(depth) : '') + text.slice(at);
        break;
      }
      case 5: {
        const at = rand.int(text.length + 1);
        const n = rand.pick([255, 256, 4096, 100_000]);
        const ch = rand.pick(['a', ' ', '<x', '9', '\\', '.']);
        ops.push(`run ${JSON.stringify(ch)}x${n}@${at}`);
        text = text.slice(0, at) + ch.repeat(n) + text.slice(at);
        break;
      }
      default: {
        const m = mutateBytes(Buffer.from(text, 'latin1'), rand);
        ops.push(...m.ops);
        text = m.bytes.toString('latin1');
      }
    }
  }
  return { bytes: Buffer.from(text, 'latin1'), ops };
}
