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

/** JSON values that schemas and the code after them trip on: types, edges, paths, patterns, names. */
const JSON_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, 2 ** 53 + 2, '', ' ', 'a'.repeat(300), '\u0000', '\u00e9\ud83d', '\r\n',
  '../../etc/passwd', '/abs/path', 'C:\\\\x', '$(id)', '`id`', "' \"", '*', '**/*', '**/*.rpm', '{a,b}', '{1..100000}', '[!a]',
  'rpms/*.rpm', 'packs/acme-nic', 'acme-nic', '1.0', '8.2.0', '6854ab19-f807-4444-b94f-3ce7d64efe50', 'legacy', 'update', 'bundle', 'installer',
  [], {}, [''], { '': '' }, [null], JSON.parse('{"__proto__": {"polluted": true}}'),
];
/** Keys a mutation may rename one to: the manifest's own words and the object model's. */
const JSON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', '', 'kind', 'format', 'pack', 'packs', 'kernels', 'requires', 'prebuilt', 'sources', 'lint', 'version', 'label'];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Slot = { parent: Json[] | { [k: string]: Json }; key: string | number };

/** Every place in `doc` a value sits: (parent, key) pairs, the root excluded. */
function slots(doc: Json): Slot[] {
  const out: Slot[] = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach((c, i) => (out.push({ parent: v, key: i }), walk(c)));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push({ parent: v, key: k }), walk(v[k]!);
  };
  walk(doc);
  return out;
}

const get = (s: Slot): Json => (s.parent as Record<string | number, Json>)[s.key]!;
/** A mutated document holds at most about this many values (what a worker's heap holds many times over). */
const MAX_JSON_NODES = 200_000;

/** The number of values in `v`, counted up to MAX_JSON_NODES. */
function nodes(v: Json): number {
  let n = 0;
  const stack: Json[] = [v];
  while (stack.length > 0 && n < MAX_JSON_NODES) {
    const x = stack.pop()!;
    n++;
    if (x !== null && typeof x === 'object') stack.push(...(Array.isArray(x) ? x : Object.values(x)));
  }
  return n;
}

/** A copy made through JSON, so that an own `__proto__` key stays an own key. */
const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;
const set = (s: Slot, v: Json) => void ((s.parent as Record<string | number, Json>)[s.key] = v);

/**
 * 1–3 mutations of a JSON document that keep it JSON, so that they reach what reads it after the
 * parser (a schema, then the code that trusts it): a value replaced by another type, an edge or a
 * hostile string; a key deleted or renamed (`__proto__` too); an array item repeated many times; a
 * subtree copied elsewhere; a value nested deep. Input that is not JSON gets text mutations.
 */
export function mutateJson(input: Buffer, rand: Random): { bytes: Buffer; ops: string[] } {
  let doc: Json;
  try {
    doc = JSON.parse(input.toString('utf8')) as Json;
  } catch {
    return mutateText(input, rand);
  }
  const ops: string[] = [];
  const count = 1 + rand.int(3);
  // a draw that changes nothing (a token for a value that is not a string) is drawn again
  for (let i = 0; i < count || (ops.length === 0 && i < 20); i++) {
    const all = slots(doc);
    if (all.length === 0) break;
    const at = rand.pick(all);
    const where = String(at.key);
    switch (rand.int(6)) {
      case 0: {
        const v = clone(rand.pick(JSON_VALUES) as Json);
        ops.push(`set ${where}=${JSON.stringify(v)?.slice(0, 40)}`);
        set(at, v);
        break;
      }
      case 1:
        ops.push(`delete ${where}`);
        if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
        else delete at.parent[at.key as string];
        break;
      case 2: {
        if (Array.isArray(at.parent)) {
          // inputs stay below MAX_JSON_NODES values (a nested item is many values in few bytes)
          const times = Math.max(1, Math.min(rand.pick([2, 3, 100, 5000]), Math.floor(MAX_JSON_NODES / nodes(get(at)))));
          ops.push(`repeat item ${where} x${times}`);
          const item = get(at);
          at.parent.splice(at.key as number, 0, ...Array.from({ length: times }, () => clone(item)));
        } else {
          const to = rand.pick(JSON_KEYS);
          ops.push(`rename ${where}->${to}`);
          const v = get(at);
          delete at.parent[at.key as string];
          Object.defineProperty(at.parent, to, { value: v, enumerable: true, writable: true, configurable: true });
        }
        break;
      }
      case 3: {
        const from = rand.pick(all);
        if (nodes(get(from)) + all.length >= MAX_JSON_NODES) break;
        ops.push(`copy ${String(from.key)} to ${where}`);
        set(at, clone(get(from)));
        break;
      }
      case 4: {
        const depth = rand.pick([10, 1000]);
        ops.push(`nest ${where} x${depth}`);
        let v = get(at);
        for (let d = 0; d < depth; d++) v = rand.chance(0.5) ? [v] : { x: v };
        set(at, v);
        break;
      }
      default: {
        // a string value edited as text: a token inserted into it
        const v = get(at);
        if (typeof v !== 'string') break;
        const token = rand.pick(TEXT_TOKENS);
        const pos = rand.int(v.length + 1);
        ops.push(`insert ${JSON.stringify(token)}@${where}:${pos}`);
        set(at, v.slice(0, pos) + token + v.slice(pos));
      }
    }
  }
  // indented, a value nested 1000 deep takes a megabyte a copy: only small documents are indented
  const indent = rand.chance(0.5) && nodes(doc) < 1000 && !ops.some((o) => o.startsWith('nest '));
  return { bytes: Buffer.from(indent ? JSON.stringify(doc, null, 2) : JSON.stringify(doc), 'utf8'), ops };
}
