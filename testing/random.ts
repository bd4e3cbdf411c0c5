/**
 * Test-only: seeded pseudo-random numbers. The same seed gives the same sequence on every machine,
 * so a failing case of the kill suite or the fuzz suite is reproduced from its seed alone.
 */

/** A random source: `next()` in [0, 1), `int(n)` in [0, n), `pick(list)`, `bytes(n)`. */
export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Buffer;
}

/** mulberry32 over a 32-bit seed. */
export function random(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(list: readonly T[]): T => list[int(list.length)]!,
    chance: (p: number) => next() < p,
    bytes: (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

/** A 32-bit seed from several parts (FNV-1a over their text): one seed per (run, kind, case). */
export function seedOf(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `n` reproducible pseudo-random bytes for test data: the same `seed` (a number, or text) gives the same bytes everywhere. */
export function randomBytes(n: number, seed: number | string): Buffer {
  return random(typeof seed === 'string' ? seedOf(seed) : seed).bytes(n);
}
