import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { random, randomBytes } from '../../testing/random';
import { BLOCK, Md5LanePlanner, Md5LanesRunner, PROGRAM_WORDS, executeMd5Program, md5LanesMemory, md5LanesModule, md5LanesSupported, md5LanesWasm } from './md5-lanes';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** A memory whose data area holds `data`, with a planner and a runner over it. */
function setup(data: Uint8Array) {
  const mem = md5LanesMemory(data.length);
  new Uint8Array(mem.memory.buffer).set(data);
  return { mem, planner: new Md5LanePlanner(mem), runner: new Md5LanesRunner(mem.memory, mem.programAt) };
}

describe('md5 lanes', () => {
  test('the generated module is valid WebAssembly, and this Node runs it', () => {
    expect(WebAssembly.validate(md5LanesWasm())).toBe(true);
    expect(md5LanesSupported()).toBe(true);
  });

  // The build compiles with tsc to CommonJS, where a local named `exports` once hid the module's
  // own and made the module throw while md5LanesSupported() answered false: every pack was then
  // hashed the slow way, and every test (run from the sources) passed.
  test('compiled as the build compiles it (tsc, CommonJS), the module runs', () => {
    const source = readFileSync(join(__dirname, 'md5-lanes.ts'), 'utf8');
    const { compilerOptions } = ts.readConfigFile(join(__dirname, '../../tsconfig.json'), ts.sys.readFile).config as { compilerOptions: object };
    const { options } = ts.convertCompilerOptionsFromJson(compilerOptions, join(__dirname, '../..'));
    const js = ts.transpileModule(source, { compilerOptions: options }).outputText;
    const mod = { exports: {} as Record<string, unknown> };
    runInNewContext(`(function (exports, module, require) {${js}\n})`, { WebAssembly, SharedArrayBuffer, Buffer, Int32Array, Uint8Array, Math, Number, Array, Error, Map })(mod.exports, mod, require);
    const m = mod.exports as unknown as typeof import('./md5-lanes');
    expect(m.md5LanesSupported()).toBe(true);
    const mem = m.md5LanesMemory(64);
    new Uint8Array(mem.memory.buffer).set(Buffer.from('abc'));
    const planner = new m.Md5LanePlanner(mem, 3);
    planner.open(1);
    planner.update(1, 0, 3);
    planner.end(1);
    expect(new m.Md5LanesRunner(mem.memory, mem.programAt).execute(planner.take())).toEqual([[1, '900150983cd24fb0d6963f7d28e17f72']]);
  });

  // RFC 1321 §A.5, the test suite: each alone, then all seven at once (four lanes and a queue)
  const SUITE: Array<[string, string]> = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  test('RFC 1321 §A.5 test suite, one stream at a time and all at once', () => {
    const text = Buffer.from(SUITE.map(([s]) => s).join(''));
    const { planner, runner } = setup(text);
    const at: number[] = [];
    SUITE.reduce((off, [s]) => (at.push(off), off + s.length), 0);
    SUITE.forEach(([s], i) => {
      planner.open(i);
      planner.update(i, at[i]!, s.length);
      planner.end(i);
      expect(runner.execute(planner.take())).toEqual([[i, SUITE[i]![1]]]);
    });
    SUITE.forEach(([s], i) => {
      planner.open(100 + i);
      planner.update(100 + i, at[i]!, s.length);
      planner.end(100 + i);
    });
    expect(new Map(runner.execute(planner.take()))).toEqual(new Map(SUITE.map(([, hex], i) => [100 + i, hex])));
  });

  // The FileDigester's worker (core/formats/iso/file-digests.ts) runs executeMd5Program's source text,
  // so that text must work alone: here it runs in a context that has only the globals a worker has.
  test("executeMd5Program's source runs alone, as the worker runs it", () => {
    const data = Buffer.from(SUITE.map(([s]) => s).join(''));
    const { mem, planner } = setup(data);
    let off = 0;
    SUITE.forEach(([s], i) => {
      planner.open(i);
      planner.update(i, off, s.length);
      planner.end(i);
      off += s.length;
    });
    const { run } = new WebAssembly.Instance(md5LanesModule(), { e: { m: mem.memory } }).exports as { run: (at: number, end: number) => void };
    const alone = runInNewContext(`(${executeMd5Program.toString()})`, { Buffer, Int32Array }) as typeof executeMd5Program;
    expect(new Map(alone(mem.memory, run, mem.programAt, PROGRAM_WORDS, planner.take()))).toEqual(new Map(SUITE.map(([, hex], i) => [i, hex])));
  });

  // Streams of random lengths, opened and ended at random, fed in random pieces at random
  // (unaligned) addresses, over several programs: each digest equals node:crypto's of its bytes.
  // After each program the data is overwritten, as the ISO writer reuses its buffers: a program
  // must have read every byte it was given.
  test.each([1, 2, 3, 4, 5, 6])('random streams and pieces over several programs, the data replaced after each (seed %i, 1 + seed %% 3 groups)', (seed) => {
    const size = 1 << 20;
    const region = md5LanesMemory(size);
    const p = new Md5LanePlanner(region, 1 + (seed % 3));
    const r = new Md5LanesRunner(region.memory, region.programAt);
    const view = new Uint8Array(region.memory.buffer, 0, size);
    const rnd = random(seed);
    const open = new Map<number, Buffer[]>();
    const want = new Map<number, string>();
    const got = new Map<number, string>();
    let nextId = 0;
    for (let round = 0; round < 40; round++) {
      view.set(randomBytes(size, `md5 lanes ${seed} ${round}`));
      for (let k = rnd.int(8); k > 0; k--) {
        p.open(nextId);
        open.set(nextId++, []);
      }
      for (const [id, pieces] of open) {
        for (let k = rnd.int(4); k > 0; k--) {
          const length = rnd.int(4) === 0 ? rnd.int(131) : rnd.int(40_001);
          const at = rnd.int(size - length + 1);
          p.update(id, at, length);
          pieces.push(Buffer.from(view.subarray(at, at + length)));
        }
        if (rnd.int(4) === 0) {
          p.end(id);
          want.set(id, md5(Buffer.concat(pieces)));
          open.delete(id);
        }
      }
      for (const [id, hex] of r.execute(p.take())) got.set(id, hex);
    }
    for (const id of open.keys()) p.end(id);
    for (const [id, hex] of r.execute(p.take())) got.set(id, hex);
    expect(want.size).toBeGreaterThan(10);
    for (const [id, hex] of want) expect(got.get(id)).toBe(hex);
  });

  // The image's stream: one update per buffer, buffers adjacent in memory, nothing else happening
  test('a stream fed only by contiguous buffers, each refilled after its program', () => {
    const CH = 4096;
    const mem = md5LanesMemory(4 * CH);
    const planner = new Md5LanePlanner(mem);
    const runner = new Md5LanesRunner(mem.memory, mem.programAt);
    const view = new Uint8Array(mem.memory.buffer, 0, 4 * CH);
    const all: Buffer[] = [];
    planner.open(1);
    runner.execute(planner.take());
    for (let i = 0; i < 12; i++) {
      const bytes = randomBytes(CH, `md5 lanes buffer ${i}`);
      view.set(bytes, (i % 4) * CH);
      all.push(bytes);
      planner.update(1, (i % 4) * CH, CH);
      runner.execute(planner.take());
      view.fill(0xee, (i % 4) * CH, (i % 4 + 1) * CH); // the buffer is reused
    }
    planner.end(1);
    expect(runner.execute(planner.take())).toEqual([[1, md5(Buffer.concat(all))]]);
  });

  test('contiguous pieces are one run; a piece that jumps starts another', () => {
    const data = randomBytes(10_000, 'md5 lanes pieces');
    const { planner, runner } = setup(data);
    planner.open(1);
    planner.update(1, 0, 100);
    planner.update(1, 100, 4000); // continues: planned with the first
    planner.update(1, 7000, 3); // jumps
    planner.end(1);
    const program = planner.take();
    expect(runner.execute(program)).toEqual([[1, md5(Buffer.concat([data.subarray(0, 4100), data.subarray(7000, 7003)]))]]);
  });

  test('many streams in one program: it is run in pieces, and the memory grows for their slots', () => {
    const data = randomBytes(64 * BLOCK, 'md5 lanes many');
    const { mem, planner, runner } = setup(data);
    const before = mem.memory.buffer.byteLength;
    const count = 2 * PROGRAM_WORDS; // more instructions than one piece, more slots than one page
    for (let id = 0; id < count; id++) {
      planner.open(id);
      planner.update(id, id % 64, 1 + (id % 200));
      planner.end(id);
    }
    const program = planner.take();
    expect(program.chunks.length).toBeGreaterThan(1);
    expect(mem.memory.buffer.byteLength).toBeGreaterThan(before);
    const got = runner.execute(program);
    expect(got).toHaveLength(count);
    for (const [id, hex] of got) expect(hex).toBe(md5(data.subarray(id % 64, (id % 64) + 1 + (id % 200))));
  });

  test('slots of ended streams are reused by later programs', () => {
    const data = randomBytes(4096, 'md5 lanes reuse');
    const { mem, planner, runner } = setup(data);
    for (let round = 0; round < 1000; round++) {
      planner.open(round);
      planner.update(round, round % 100, 1000);
      planner.end(round);
      expect(runner.execute(planner.take())).toEqual([[round, md5(data.subarray(round % 100, (round % 100) + 1000))]]);
    }
    expect(mem.memory.buffer.byteLength).toBe(md5LanesMemory(4096).memory.buffer.byteLength);
  });

  // Lanes across files (core/formats/iso/file-digests.ts): up to twelve streams per step
  test.each([1, 2, 3])('%i group(s) of four: every count of streams from 1 to 13 at once, of unequal lengths', (groups) => {
    const data = randomBytes(256 << 10, `md5 lanes groups ${groups}`);
    const mem = md5LanesMemory(data.length);
    new Uint8Array(mem.memory.buffer).set(data);
    const planner = new Md5LanePlanner(mem, groups);
    const runner = new Md5LanesRunner(mem.memory, mem.programAt);
    for (let count = 1; count <= 13; count++) {
      const want = new Map<number, string>();
      for (let id = 0; id < count; id++) {
        const at = 1000 * id + id;
        const length = 64 * (500 + 97 * id) + id;
        planner.open(id);
        planner.update(id, at, length);
        planner.end(id);
        want.set(id, md5(data.subarray(at, at + length)));
      }
      const program = planner.take();
      const ops = new Set<number>();
      for (const chunk of program.chunks) for (let i = 0; i < chunk.length; ) {
        const w = chunk[i]!;
        ops.add(w);
        i += w === 0 || w === 2 ? 4 : w === 3 ? 3 : w === 1 ? 10 : w === 4 ? 18 : 26;
      }
      // the widest instruction used is the one the streams fill, up to the planner's groups
      const widest = Math.max(...[...ops].map((w) => (w === 1 ? 1 : w === 4 ? 2 : w === 5 ? 3 : 0)));
      expect(widest).toBe(Math.min(groups, Math.ceil(count / 4)));
      expect(new Map(runner.execute(program))).toEqual(want);
    }
  });

  test('a planner of 0 or 4 groups is refused', () => {
    const mem = md5LanesMemory(64);
    expect(() => new Md5LanePlanner(mem, 0)).toThrow('md5 lanes: 0 groups');
    expect(() => new Md5LanePlanner(mem, 4)).toThrow('md5 lanes: 4 groups');
  });

  test('misuse is an internal error, never a wrong digest', () => {
    const { planner, runner } = setup(new Uint8Array(64));
    expect(() => planner.update(7, 0, 1)).toThrow('md5 lanes: stream 7 is not open');
    planner.open(7);
    expect(() => planner.open(7)).toThrow('md5 lanes: stream 7 is open already');
    planner.end(7);
    expect(() => planner.end(7)).toThrow('md5 lanes: stream 7 is not open');
    // a word that is no instruction traps instead of running on
    expect(() => runner.execute({ chunks: [Int32Array.of(9)], ends: [] })).toThrow(WebAssembly.RuntimeError);
  });
});
