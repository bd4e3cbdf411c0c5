/**
 * MD5 (RFC 1321) of many byte streams at once, in WebAssembly SIMD: four streams in the four
 * 32-bit lanes of a vector, and up to three such groups interleaved. The ISO writer's
 * FileDigester (core/formats/iso/file-digests.ts) hashes a legacy pack's RPMs with it, two MD5s
 * of each (the file's and rpm's own of its header and payload), six RPMs at a time.
 *
 * MD5 is a chain: every step needs the one before, so one stream cannot go faster than the
 * latency of a step (~5 cycles), and OpenSSL's one stream leaves most of the core idle. Four
 * streams in one vector take ~5.5 cycles a step for all four; the steps of two or three groups
 * fill each other's waits. Measured on two processors: one group hashes 1.6-2.0 GB/s, three
 * ~3.9 GB/s, against OpenSSL's 0.65-0.95 GB/s for one stream (docs/formats/containers.md §3,
 * "Lanes across files"). The module is generated here (a few KB of bytes, no build step, no
 * binary in the repository) and tested against node:crypto.
 *
 * How it is driven: a planner (Md5LanePlanner) turns "these bytes of memory belong to stream N"
 * into a small program of memory operations and lane runs, which the module's `run` executes;
 * the streams' bytes stay where they are.
 */

/** RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i))), i = 1..64. */
const T: readonly number[] = [
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];
/** RFC 1321 §3.4: the shift of each step, by round and step mod 4. */
const SHIFTS: readonly number[] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** RFC 1321 §3.3: A, B, C, D before the first block. */
const IV: readonly number[] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

export const LANES = 4;
export const BLOCK = 64;

// ---- a minimal WebAssembly binary encoder (WebAssembly Core Specification 2.0, §5) ----

/** §5.2.2: unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** §5.2.2: signed LEB128 of a 32-bit value. */
function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

const I32 = 0x7f;
const V128 = 0x7b;
/** §5.4: the instructions used, with their immediates where they are fixed. */
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  brTable: (ds: number[], dflt: number) => [0x0e, ...vec(ds.map(uleb)), ...uleb(dflt)],
  unreachable: [0x00],
  call: (f: number) => [0x10, ...uleb(f)],
  get: (l: number) => [0x20, ...uleb(l)],
  set: (l: number) => [0x21, ...uleb(l)],
  tee: (l: number) => [0x22, ...uleb(l)],
  /** memarg: alignment log2 2 (a hint), offset. */
  load: (offset: number) => [0x28, 2, ...uleb(offset)],
  store: (offset: number) => [0x36, 2, ...uleb(offset)],
  const: (v: number) => [0x41, ...sleb(v)],
  geU: [0x4f],
  eqz: [0x45],
  if: [0x04, 0x40],
  return: [0x0f],
  add: [0x6a],
  memoryCopy: [0xfc, ...uleb(10), 0x00, 0x00],
  memoryFill: [0xfc, ...uleb(11), 0x00],
  v: {
    load: (offset: number) => [0xfd, ...uleb(0), 4, ...uleb(offset)],
    store: (offset: number) => [0xfd, ...uleb(11), 4, ...uleb(offset)],
    const32x4: (v: number) => {
      const b = Buffer.alloc(16);
      for (let i = 0; i < 4; i++) b.writeUInt32LE(v >>> 0, 4 * i);
      return [0xfd, ...uleb(12), ...b];
    },
    /** i8x16.shuffle picking 32-bit lanes: 0-3 from the first operand, 4-7 from the second. */
    shuffle32: (lanes: number[]) => [0xfd, ...uleb(13), ...lanes.flatMap((k) => [4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3])],
    not: [0xfd, ...uleb(77)],
    and: [0xfd, ...uleb(78)],
    andnot: [0xfd, ...uleb(79)],
    or: [0xfd, ...uleb(80)],
    xor: [0xfd, ...uleb(81)],
    shl: [0xfd, ...uleb(171)],
    shrU: [0xfd, ...uleb(173)],
    add: [0xfd, ...uleb(174)],
  },
};

/**
 * Transpose four vectors of four 32-bit words held in locals `rows` into locals `cols`
 * (cols[j] lane i = rows[i] lane j), through the two temporaries `tmp`.
 */
function transpose(rows: readonly number[], tmp: readonly number[], cols: readonly number[]): number[] {
  const c: number[] = [];
  const shuffle = (a: number, b: number, lanes: number[]) => [...op.get(a), ...op.get(b), ...op.v.shuffle32(lanes)];
  for (const [half, lanes] of [
    [0, [0, 4, 1, 5]],
    [1, [2, 6, 3, 7]],
  ] as const) {
    c.push(...shuffle(rows[0]!, rows[1]!, [...lanes]), ...op.set(tmp[0]!));
    c.push(...shuffle(rows[2]!, rows[3]!, [...lanes]), ...op.set(tmp[1]!));
    c.push(...shuffle(tmp[0]!, tmp[1]!, [0, 1, 4, 5]), ...op.set(cols[2 * half]!));
    c.push(...shuffle(tmp[0]!, tmp[1]!, [2, 3, 6, 7]), ...op.set(cols[2 * half + 1]!));
  }
  return c;
}

/**
 * `lanes<G>(ctx, n)`: n blocks of 4G streams, in G groups of four whose steps are interleaved.
 * ctx holds 8G words: the streams' state addresses (16 bytes each: A B C D, little-endian), then
 * their data addresses; each data address is read n * 64 bytes on. Two lanes may share a state
 * address only if its result does not matter.
 *
 * A group's step waits on the step before (~5.5 cycles); the other groups' steps fill that wait,
 * so two groups hash ~1.9x and three ~2.5x the bytes of one in the same time (docs/formats/containers.md §3,
 * "Lanes across files").
 */
function lanesFunction(G: number): number[] {
  // params: ctx 0, n 1; i32 locals: data addresses 2 .. 2+4G-1; v128 locals after them
  const N = LANES * G;
  const P = (l: number) => 2 + l;
  let next = 2 + N;
  const take = (k: number) => Array.from({ length: k }, () => next++);
  const S = Array.from({ length: G }, () => take(4));
  const SAVED = Array.from({ length: G }, () => take(4));
  const M = Array.from({ length: G }, () => take(16));
  const ROW = take(4);
  const TMP = take(2);
  const c: number[] = [...op.get(1), ...op.eqz, ...op.if, ...op.return, ...op.end];
  // gather: each stream's A B C D is a row; transposed, one vector per word and group
  for (let g = 0; g < G; g++) {
    for (let l = 0; l < LANES; l++) c.push(...op.get(0), ...op.load(4 * (LANES * g + l)), ...op.v.load(0), ...op.set(ROW[l]!));
    c.push(...transpose(ROW, TMP, S[g]!));
  }
  for (let l = 0; l < N; l++) c.push(...op.get(0), ...op.load(4 * (N + l)), ...op.set(P(l)));
  c.push(...op.loop);
  for (let g = 0; g < G; g++) for (let j = 0; j < 4; j++) c.push(...op.get(S[g]![j]!), ...op.set(SAVED[g]![j]!));
  // the block's 16 words, transposed four at a time: M[g][w] lane l = word w of stream 4g+l's block
  for (let g = 0; g < G; g++) {
    for (let q = 0; q < 4; q++) {
      for (let l = 0; l < LANES; l++) c.push(...op.get(P(LANES * g + l)), ...op.v.load(16 * q), ...op.set(ROW[l]!));
      c.push(...transpose(ROW, TMP, [0, 1, 2, 3].map((j) => M[g]![4 * q + j]!)));
    }
  }
  // RFC 1321 §3.4: 64 steps, a = b + ((a + f(b, c, d) + X[k] + T[i]) <<< s), each group's step i in
  // turn. The part that does not depend on b is summed first: b comes from the step before, and it
  // is the critical path.
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    const k = [i, (5 * i + 1) % 16, (3 * i + 5) % 16, (7 * i) % 16][round]!;
    const s = SHIFTS[round * 4 + (i % 4)]!;
    for (let g = 0; g < G; g++) {
      const [a, b, cc, d] = [0, 1, 2, 3].map((r) => S[g]![(((r - i) % 4) + 4) % 4]!) as [number, number, number, number];
      c.push(...op.get(a), ...op.v.const32x4(T[i]!), ...op.v.add, ...op.get(M[g]![k]!), ...op.v.add);
      if (round === 0) c.push(...op.get(d), ...op.get(cc), ...op.get(d), ...op.v.xor, ...op.get(b), ...op.v.and, ...op.v.xor); // F = d ^ (b & (c ^ d))
      // G = (c & ~d) | (b & d), whose two terms share no bit: added one at a time, the one without b first
      else if (round === 1) c.push(...op.get(cc), ...op.get(d), ...op.v.andnot, ...op.v.add, ...op.get(b), ...op.get(d), ...op.v.and);
      else if (round === 2) c.push(...op.get(cc), ...op.get(d), ...op.v.xor, ...op.get(b), ...op.v.xor); // H = (c ^ d) ^ b
      else c.push(...op.get(cc), ...op.get(d), ...op.v.not, ...op.get(b), ...op.v.or, ...op.v.xor); // I = c ^ (b | ~d)
      c.push(...op.v.add, ...op.tee(a), ...op.const(s), ...op.v.shl, ...op.get(a), ...op.const(32 - s), ...op.v.shrU, ...op.v.or);
      c.push(...op.get(b), ...op.v.add, ...op.set(a));
    }
  }
  for (let g = 0; g < G; g++) for (let j = 0; j < 4; j++) c.push(...op.get(S[g]![j]!), ...op.get(SAVED[g]![j]!), ...op.v.add, ...op.set(S[g]![j]!));
  for (let l = 0; l < N; l++) c.push(...op.get(P(l)), ...op.const(BLOCK), ...op.add, ...op.set(P(l)));
  c.push(...op.get(1), ...op.const(-1), ...op.add, ...op.tee(1), ...op.brIf(0), ...op.end);
  // scatter: transposed back into rows, each stored at its stream's state address
  for (let g = 0; g < G; g++) {
    c.push(...transpose(S[g]!, TMP, ROW));
    for (let l = 0; l < LANES; l++) c.push(...op.get(0), ...op.load(4 * (LANES * g + l)), ...op.get(ROW[l]!), ...op.v.store(0));
  }
  return c;
}

/** The v128 locals lanesFunction(G) uses: state, saved state and message per group, rows, temporaries. */
const v128Locals = (G: number) => 24 * G + 6;

/** Groups of four lanes the module runs at once: 1 to MAX_GROUPS (function `lanes<G>` is function G - 1). */
export const MAX_GROUPS = 3;
/** The opcode of `lanes<G>` in a program (G = 1: 1; G = 2, 3: 4, 5). */
const lanesOp = (G: number) => (G === 1 ? 1 : G + 2);

/**
 * `run(at, end)`: execute the program in memory [at, end), 32-bit little-endian words:
 *   0 dst src len                  copy len bytes
 *   1 s0-s3 d0-d3 n                lanes1(): n blocks of four streams
 *   2 dst byte len                 fill len bytes
 *   3 dst value                    store a 32-bit word
 *   4 s0-s7 d0-d7 n                lanes2(): n blocks of eight streams
 *   5 s0-s11 d0-d11 n              lanes3(): n blocks of twelve streams
 * Any other word traps.
 */
function runFunction(): number[] {
  const AT = 0;
  const END = 1;
  const word = (i: number) => [...op.get(AT), ...op.load(4 * i)];
  const next = (bytes: number, depth: number) => [...op.get(AT), ...op.const(bytes), ...op.add, ...op.set(AT), ...op.br(depth)];
  /** A lanes instruction of G groups, its ctx the program's own words; `depth`: to the loop. */
  const lanes = (G: number, depth: number) => [...op.get(AT), ...op.const(4), ...op.add, ...word(1 + 8 * G), ...op.call(G - 1), ...next(4 * (2 + 8 * G), depth)];
  return [
    ...op.block,
    ...op.loop, // each case ends with a branch back here
    ...op.get(AT), ...op.get(END), ...op.geU, ...op.brIf(1),
    ...op.block, ...op.block, ...op.block, ...op.block, ...op.block, ...op.block, ...op.block, // unknown, 5, 4, 3, 2, 1, 0
    ...word(0), ...op.brTable([0, 1, 2, 3, 4, 5], 6),
    ...op.end, // 0: copy
    ...word(1), ...word(2), ...word(3), ...op.memoryCopy, ...next(16, 6),
    ...op.end, // 1: lanes1
    ...lanes(1, 5),
    ...op.end, // 2: fill
    ...word(1), ...word(2), ...word(3), ...op.memoryFill, ...next(16, 4),
    ...op.end, // 3: store
    ...word(1), ...word(2), ...op.store(0), ...next(12, 3),
    ...op.end, // 4: lanes2
    ...lanes(2, 2),
    ...op.end, // 5: lanes3
    ...lanes(3, 1),
    ...op.end, // any other word
    ...op.unreachable,
    ...op.end,
    ...op.end,
  ];
}

let bytes: Uint8Array | undefined;

/** The module's bytes: imports a shared memory `e.m`, exports `lanes` and `run`. Made once. */
export function md5LanesWasm(): Uint8Array {
  bytes ??= encodeModule();
  return bytes;
}

function encodeModule(): Uint8Array {
  const params2 = [0x60, ...vec([[I32], [I32]]), 0];
  const types = section(1, vec([params2]));
  const memoryImport = [...name('e'), ...name('m'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]; // shared, 1..65536 pages
  const imports = section(2, vec([memoryImport]));
  const groups = Array.from({ length: MAX_GROUPS }, (_, g) => g + 1);
  const funcs = section(3, vec([...groups.map(() => [0]), [0]]));
  const exported = section(7, vec([[...name('lanes'), 0x00, 0], [...name('run'), 0x00, ...uleb(MAX_GROUPS)]]));
  const body = (locals: number[][], code: number[]) => {
    const b = [...vec(locals), ...code, ...op.end];
    return [...uleb(b.length), ...b];
  };
  const lanes = groups.map((G) => body([[...uleb(LANES * G), I32], [...uleb(v128Locals(G)), V128]], lanesFunction(G)));
  const run = body([], runFunction());
  const code = section(10, vec([...lanes, run]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exported, ...code]);
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module (once per thread; a WebAssembly.Module can be posted to a worker). */
export function md5LanesModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(md5LanesWasm());
  return compiled;
}

/**
 * Whether this Node runs the module (WebAssembly SIMD and shared memory). Only their absence
 * answers false: a fault in the module's making is thrown, not taken for a Node without SIMD.
 */
export function md5LanesSupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof WebAssembly === 'object' && WebAssembly.validate(md5LanesWasm());
}

/** Words of program run at once: a program longer than this is run in pieces. */
export const PROGRAM_WORDS = 16 << 10;
const PAGE = 64 << 10;
/** A stream's slot: its state (16 bytes), then two blocks for its partial block and padding. */
const SLOT_BYTES = 16 + 2 * BLOCK;
/** How far the memory may grow past its first size for stream slots (64 MiB: ~460,000 at once). */
const GROWTH_PAGES = 1024;

/**
 * A shared memory for the module: the caller's data first ([0, dataBytes), e.g. the ISO writer's
 * buffers), then the program area, a dummy state for idle lanes, and the streams' slots.
 */
export interface Md5LanesMemory {
  memory: WebAssembly.Memory;
  dataBytes: number;
  programAt: number;
  dummy: number;
  slotsAt: number;
}

export function md5LanesMemory(dataBytes: number): Md5LanesMemory {
  const programAt = Math.ceil(dataBytes / BLOCK) * BLOCK;
  const dummy = programAt + PROGRAM_WORDS * 4;
  const slotsAt = dummy + BLOCK;
  const initial = Math.ceil((slotsAt + PAGE) / PAGE);
  const memory = new WebAssembly.Memory({ initial, maximum: initial + GROWTH_PAGES, shared: true });
  return { memory, dataBytes, programAt, dummy, slotsAt };
}

/** One instance of the module over a memory: runs programs and reads digests (in any thread). */
export class Md5LanesRunner {
  private readonly run: (at: number, end: number) => void;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly programAt: number,
    module: WebAssembly.Module = md5LanesModule(),
  ) {
    const instance = new WebAssembly.Instance(module, { e: { m: memory } });
    this.run = instance.exports['run'] as (at: number, end: number) => void;
  }

  /** Run a program taken from a planner over the same memory; then the ended streams' digests. */
  execute(program: Md5Program): Array<[id: number, hex: string]> {
    return executeMd5Program(this.memory, this.run, this.programAt, PROGRAM_WORDS, program);
  }
}

/**
 * Run `program` with the module's `run` over `memory`; then the ended streams' hex digests. It uses
 * only its parameters and globals: the FileDigester's worker runs its source text
 * (core/formats/iso/file-digests.ts), so the worker and Md5LanesRunner run the same code.
 */
export function executeMd5Program(
  memory: WebAssembly.Memory,
  run: (at: number, end: number) => void,
  programAt: number,
  programWords: number,
  program: Md5Program,
): Array<[id: number, hex: string]> {
  const words = new Int32Array(memory.buffer, programAt, programWords);
  for (const chunk of program.chunks) {
    words.set(chunk);
    run(programAt, programAt + 4 * chunk.length);
  }
  return program.ends.map(([id, at]) => [id, Buffer.from(memory.buffer, at, 16).toString('hex')]);
}

/** What a planner hands a runner: the program in pieces, and where each ended stream's digest is. */
export interface Md5Program {
  chunks: Int32Array[];
  ends: Array<[id: number, state: number]>;
}

type Action = { job: false; words: number[] } | { job: true; at: number; blocks: number };

interface Stream {
  id: number;
  /** The slot's address: the state, then the partial block at +16. */
  slot: number;
  /** Bytes of the stream so far (its partial block is `length % 64` bytes). */
  length: number;
  /** Bytes handed to update() and not planned yet, when contiguous. */
  pending: { at: number; length: number } | null;
  actions: Action[];
  next: number;
  ended: boolean;
  /** Whether it is in the planner's `touched` list (it has bytes or actions since the last take). */
  touched: boolean;
}

const COPY = 0;
const LANES_OP = 1;
const FILL = 2;
const STORE = 3;

/**
 * Turns updates of streams (bytes at addresses of the memory) into programs for a runner. It never
 * writes the memory itself: everything happens in the program, in order, so the planner (main
 * thread) and the runner (a worker) never race. Programs must run in the order they are taken.
 */
export class Md5LanePlanner {
  private readonly streams = new Map<number, Stream>();
  private touched: Stream[] = [];
  private readonly free: number[] = [];
  private slots = 0;
  /** Where each take() writes its program before the pieces are cut out (one for every take). */
  private readonly scratch = new Int32Array(PROGRAM_WORDS);

  /** @param groups up to 4 x groups streams per step (1 to MAX_GROUPS). */
  constructor(
    private readonly mem: Md5LanesMemory,
    private readonly groups = 1,
  ) {
    if (!Number.isInteger(groups) || groups < 1 || groups > MAX_GROUPS) throw new Error(`md5 lanes: ${groups} groups`);
  }

  open(id: number): void {
    if (this.streams.has(id)) throw new Error(`md5 lanes: stream ${id} is open already`);
    const slot = this.free.pop() ?? this.newSlot();
    const s: Stream = { id, slot, length: 0, pending: null, actions: [], next: 0, ended: false, touched: false };
    this.streams.set(id, s);
    this.act(s, { job: false, words: [STORE, slot, IV[0]! | 0, STORE, slot + 4, IV[1]! | 0, STORE, slot + 8, IV[2]! | 0, STORE, slot + 12, IV[3]! | 0] });
  }

  /** The stream's next `length` bytes are at `at` in the memory (until the program has run). */
  update(id: number, at: number, length: number): void {
    const s = this.stream(id);
    if (length === 0) return;
    this.touch(s); // its bytes are planned by the next take, while they are still there
    if (s.pending !== null && s.pending.at + s.pending.length === at) s.pending.length += length;
    else {
      this.plan(s);
      s.pending = { at, length };
    }
  }

  end(id: number): void {
    const s = this.stream(id);
    this.plan(s);
    // RFC 1321 §3.1-3.2: a 1 bit, zeros to 56 mod 64, the length in bits as 64 bits little-endian
    const tail = s.length % BLOCK;
    const blocks = tail < 56 ? 1 : 2;
    const pad = s.slot + 16;
    const bitsLow = (s.length % 2 ** 29) * 8;
    const bitsHigh = Math.floor(s.length / 2 ** 29);
    this.act(s, {
      job: false,
      words: [FILL, pad + tail, 0, 2 * BLOCK - tail, STORE, pad + tail, 0x80, STORE, pad + blocks * BLOCK - 8, bitsLow | 0, STORE, pad + blocks * BLOCK - 4, bitsHigh],
    });
    this.act(s, { job: true, at: pad, blocks });
    s.ended = true;
  }

  /**
   * The program for everything since the last take, up to 4 x `groups` streams at a time (fewer
   * groups when fewer streams have bytes).
   */
  take(): Md5Program {
    for (const s of this.touched) this.plan(s);
    const out = new ProgramWriter(this.scratch);
    const width = LANES * this.groups;
    const lanes: Array<Stream | null> = new Array<Stream | null>(width).fill(null);
    const instructions = Array.from({ length: this.groups }, (_, g) => new Array<number>(2 + 8 * LANES * (g + 1)).fill(0));
    let queued = 0;
    for (;;) {
      let n = Infinity;
      let anyData = -1;
      let busy = 0;
      for (let l = 0; l < width; l++) {
        while (lanes[l] === null && queued < this.touched.length) {
          const s = this.touched[queued++]!;
          if (this.ready(s, out)) lanes[l] = s;
        }
        const s = lanes[l];
        if (s === null) continue;
        // the busy lanes first: an instruction of fewer groups takes the first of them
        if (busy < l) {
          lanes[busy] = s;
          lanes[l] = null;
        }
        busy++;
        const job = s.actions[s.next] as { job: true; at: number; blocks: number };
        if (job.blocks < n) n = job.blocks;
        if (anyData < 0) anyData = job.at; // idle lanes read these bytes into the dummy state
      }
      if (anyData < 0) break;
      const G = Math.ceil(busy / LANES);
      const N = LANES * G;
      const instruction = instructions[G - 1]!;
      instruction[0] = lanesOp(G);
      for (let l = 0; l < N; l++) {
        const s = lanes[l];
        instruction[1 + l] = s == null ? this.mem.dummy : s.slot;
        instruction[1 + N + l] = s == null ? anyData : (s.actions[s.next] as { at: number }).at;
      }
      instruction[1 + 2 * N] = n;
      out.push(instruction);
      for (let l = 0; l < busy; l++) {
        const s = lanes[l]!;
        const job = s.actions[s.next] as { job: true; at: number; blocks: number };
        job.at += n * BLOCK;
        job.blocks -= n;
        if (job.blocks > 0) continue;
        s.next++;
        if (!this.ready(s, out)) lanes[l] = null;
      }
    }
    const ends: Array<[number, number]> = [];
    for (const s of this.touched) {
      s.actions = [];
      s.next = 0;
      s.touched = false;
      if (s.ended) {
        ends.push([s.id, s.slot]);
        this.streams.delete(s.id);
      }
    }
    // slots are reused only by later programs: this one still reads the ended streams' digests
    for (const [, slot] of ends) this.free.push(slot);
    this.touched = [];
    return { chunks: out.finish(), ends };
  }

  /** Write the stream's actions up to its next job; false once it has none left. */
  private ready(s: Stream, out: ProgramWriter): boolean {
    for (; s.next < s.actions.length; s.next++) {
      const a = s.actions[s.next]!;
      if (a.job) return true;
      out.push(a.words);
    }
    return false;
  }

  private stream(id: number): Stream {
    const s = this.streams.get(id);
    if (s === undefined || s.ended) throw new Error(`md5 lanes: stream ${id} is not open`);
    return s;
  }

  private act(s: Stream, a: Action): void {
    this.touch(s);
    s.actions.push(a);
  }

  private touch(s: Stream): void {
    if (s.touched) return;
    s.touched = true;
    this.touched.push(s);
  }

  /** Turn the pending bytes into actions: complete the partial block, whole blocks, a new partial block. */
  private plan(s: Stream): void {
    const p = s.pending;
    if (p === null) return;
    s.pending = null;
    let { at, length } = p;
    const pad = s.slot + 16;
    const tail = s.length % BLOCK;
    s.length += length;
    if (tail > 0) {
      const k = Math.min(BLOCK - tail, length);
      this.act(s, { job: false, words: [COPY, pad + tail, at, k] });
      at += k;
      length -= k;
      if (tail + k < BLOCK) return;
      this.act(s, { job: true, at: pad, blocks: 1 });
    }
    const blocks = Math.floor(length / BLOCK);
    if (blocks > 0) this.act(s, { job: true, at, blocks });
    const rest = length - blocks * BLOCK;
    if (rest > 0) this.act(s, { job: false, words: [COPY, pad, at + blocks * BLOCK, rest] });
  }

  private newSlot(): number {
    const slot = this.mem.slotsAt + SLOT_BYTES * this.slots++;
    const need = slot + SLOT_BYTES - this.mem.memory.buffer.byteLength;
    if (need > 0) this.mem.memory.grow(Math.ceil(need / PAGE));
    return slot;
  }
}

/** A program in pieces of at most PROGRAM_WORDS words, each piece whole instructions. */
class ProgramWriter {
  private readonly chunks: Int32Array[] = [];
  private length = 0;

  constructor(private readonly words: Int32Array) {}

  push(instruction: readonly number[]): void {
    if (this.length + instruction.length > PROGRAM_WORDS) this.cut();
    for (let i = 0; i < instruction.length; i++) this.words[this.length++] = instruction[i]!;
  }

  finish(): Int32Array[] {
    if (this.length > 0) this.cut();
    return this.chunks;
  }

  /** Each piece gets its own ArrayBuffer of its own length: the pieces are transferred to the worker. */
  private cut(): void {
    this.chunks.push(this.words.slice(0, this.length));
    this.length = 0;
  }
}
