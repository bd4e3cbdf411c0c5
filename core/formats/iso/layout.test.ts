import { describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { BLOCK } from './encode';
import { PAD_BLOCKS, encodeMetadata, planIso } from './layout';
import type { IsoEntry, IsoOptions } from './tree';

const OPTS: IsoOptions = { volumeId: 'TEST', epoch: 946684800 };
const file = (path: string, size = 1, mode?: number): IsoEntry => ({ path, kind: 'file', size, source: `/src/${path}`, mode });

/** The metadata as one buffer, indexed by LBA. */
function image(entries: IsoEntry[], opts: IsoOptions = OPTS): { meta: Buffer; block: (lba: number) => Buffer } {
  const plan = planIso(entries, opts);
  const meta = Buffer.concat([Buffer.alloc(16 * BLOCK), ...encodeMetadata(plan)]);
  expect(meta.length).toBe(plan.dataStart * BLOCK);
  return { meta, block: (lba) => meta.subarray(lba * BLOCK, (lba + 1) * BLOCK) };
}

interface Rec {
  extent: number;
  size: number;
  flags: number;
  id: Buffer;
  su: Buffer;
}

/** Records of a directory extent (test-side decoding, independent of the reader module). */
function records(meta: Buffer, extent: number, size: number): Rec[] {
  const out: Rec[] = [];
  for (let pos = extent * BLOCK; pos < (extent * BLOCK) + size; ) {
    const len = meta[pos];
    if (len === 0) {
      pos = (Math.floor(pos / BLOCK) + 1) * BLOCK;
      continue;
    }
    const idLen = meta[pos + 32];
    const suStart = pos + 33 + idLen + (idLen % 2 === 0 ? 1 : 0);
    out.push({
      extent: meta.readUInt32LE(pos + 2),
      size: meta.readUInt32LE(pos + 10),
      flags: meta[pos + 25],
      id: meta.subarray(pos + 33, pos + 33 + idLen),
      su: meta.subarray(suStart, pos + len),
    });
    pos += len;
  }
  return out;
}

function entriesOf(su: Buffer): Array<{ sig: string; body: Buffer }> {
  const out: Array<{ sig: string; body: Buffer }> = [];
  for (let p = 0; p + 4 <= su.length && su[p + 2] > 0; p += su[p + 2]) {
    out.push({ sig: su.subarray(p, p + 2).toString('latin1'), body: su.subarray(p, p + su[p + 2]) });
  }
  return out;
}

function rootOf(meta: Buffer): { extent: number; size: number } {
  return { extent: meta.readUInt32LE(16 * BLOCK + 156 + 2), size: meta.readUInt32LE(16 * BLOCK + 156 + 10) };
}

function expectError(entries: IsoEntry[], opts: IsoOptions, re: RegExp): void {
  let caught: unknown;
  try {
    planIso(entries, opts);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SuppackError);
  expect((caught as Error).message).toMatch(re);
  expect((caught as Error).message).not.toContain('\n');
}

describe('planIso validation', () => {
  test('options', () => {
    expectError([], { ...OPTS, volumeId: 'V'.repeat(33) }, /^volumeId: expected 1 to 32 printable ASCII characters, got 33/);
    expectError([], { ...OPTS, volumeId: '' }, /^volumeId: /);
    expectError([], { ...OPTS, volumeId: 'tab\there' }, /^volumeId: /);
    expectError([], { ...OPTS, applicationId: 'A'.repeat(129) }, /^applicationId: expected at most 128/);
    expectError([], { ...OPTS, publisherId: 'é' }, /^publisherId: /);
    expectError([], { ...OPTS, systemId: 'S'.repeat(33) }, /^systemId: /);
    expectError([], { ...OPTS, epoch: -1 }, /^epoch: /);
    expectError([], { ...OPTS, epoch: 1.5 }, /^epoch: /);
    expectError([], { ...OPTS, systemArea: Buffer.alloc(32769) }, /^systemArea: /);
    expect(() => planIso([], { ...OPTS, volumeId: 'V'.repeat(32) })).not.toThrow();
  });

  test('paths', () => {
    expectError([file('/abs')], OPTS, /^\/abs: ISO image path: .*absolute/);
    expectError([file('a/../b')], OPTS, /^a\/\.\.\/b: ISO image path: .*'\.\.'/);
    expectError([file('a//b')], OPTS, /ISO image path/);
    expectError([file('./a')], OPTS, /ISO image path/);
    expectError([file('a'), file('a')], OPTS, /^a: ISO image path: listed twice/);
    expectError([file('a'), { path: 'a', kind: 'dir' }], OPTS, /^a: ISO image path: listed as both a file and a dir/);
    expectError([file('a/b'), file('a')], OPTS, /^a: ISO image path: listed as both a dir and a file/);
    expectError([file('a'), file('a/b')], OPTS, /^a\/b: ISO image path: 'a' is a file/);
    expectError([{ path: 'd', kind: 'dir' }, { path: 'd', kind: 'dir' }], OPTS, /listed twice/);
  });

  test('files, symlinks and names', () => {
    expectError([file('big', 0xffffffff)], OPTS, /^big: size: file too large for one extent/);
    expectError([file('neg', -1)], OPTS, /^neg: size: /);
    expectError([file('x', 1, 0o10000)], OPTS, /^x: mode: /);
    expectError([file('dir/what?')], OPTS, /^dir\/what\?: Joliet name: name contains '\?'/);
    expectError([file('n'.repeat(104))], OPTS, /^n+: Joliet name: .*at most 103/);
    expectError([{ path: 'l', kind: 'symlink', target: '' }], OPTS, /^l: target: /);
    expectError([{ path: 'l', kind: 'symlink', target: 'a/'.repeat(600) }], OPTS, /^l: target: .*1024 bytes/);
    expect(() => planIso([file('f', 0xfffffffe)], OPTS)).not.toThrow();
  });

  test('an explicit directory after its implied creation is fine', () => {
    const plan = planIso([file('d/x'), { path: 'd', kind: 'dir' }], OPTS);
    expect(plan.root.children.map((c) => c.name)).toEqual(['d']);
  });
});

describe('planIso allocation', () => {
  test('files are laid out contiguously in path order after the metadata; 150 blocks of padding', () => {
    const plan = planIso([file('b', 5000), file('a/z', 1), file('empty', 0), file('a/y', 2048)], OPTS);
    expect(plan.files.map((f) => f.path)).toEqual(['a/y', 'a/z', 'b']);
    expect(plan.files[0].extent).toBe(plan.dataStart);
    expect(plan.files[1].extent).toBe(plan.dataStart + 1);
    expect(plan.files[2].extent).toBe(plan.dataStart + 2);
    expect(plan.totalBlocks).toBe(plan.dataStart + 1 + 1 + 3 + PAD_BLOCKS);
    expect(plan.totalBytes).toBe(plan.totalBlocks * BLOCK);
  });

  test('empty files and symlinks share the first padding block', () => {
    const entries: IsoEntry[] = [file('empty', 0), file('data', 10), { path: 'l', kind: 'symlink', target: 'data' }];
    const plan = planIso(entries, OPTS);
    const { meta } = image(entries);
    const root = rootOf(meta);
    const recs = records(meta, root.extent, root.size);
    const byId = new Map(recs.map((r) => [r.id.toString('latin1'), r]));
    expect(byId.get('EMPTY.;1')?.extent).toBe(plan.dataStart + 1);
    expect(byId.get('L.;1')?.extent).toBe(plan.dataStart + 1);
    expect(byId.get('DATA.;1')?.extent).toBe(plan.dataStart);
  });

  test("root '.' carries SP, PX, TF and a CE to the 237-byte ER right after the root directory", () => {
    const { meta } = image([file('a')]);
    const root = rootOf(meta);
    const dot = records(meta, root.extent, root.size)[0];
    expect(entriesOf(dot.su).map((e) => e.sig)).toEqual(['SP', 'PX', 'TF', 'CE']);
    const ce = entriesOf(dot.su)[3].body;
    const [lba, off, len] = [ce.readUInt32LE(4), ce.readUInt32LE(12), ce.readUInt32LE(20)];
    expect(lba).toBe(root.extent + root.size / BLOCK);
    expect([off, len]).toEqual([0, 237]);
    expect(meta.subarray(lba * BLOCK + 8, lba * BLOCK + 18).toString('latin1')).toBe('RRIP_1991A');
  });

  test('a 200-byte name spills its NM into a CE area within one block', () => {
    const long = `${'ü'.repeat(98)}.txt`;
    const { meta } = image([file(`d/${long}`), file('d/short')]);
    const root = rootOf(meta);
    const d = records(meta, root.extent, root.size).find((r) => r.id.toString('latin1') === 'D');
    expect(d).toBeDefined();
    const recs = records(meta, d!.extent, d!.size);
    const rec = recs.find((r) => r.id.toString('latin1').startsWith('___'));
    expect(rec).toBeDefined();
    const sigs = entriesOf(rec!.su).map((e) => e.sig);
    expect(sigs).toEqual(['PX', 'TF', 'CE']);
    const ce = entriesOf(rec!.su)[2].body;
    const [lba, off, len] = [ce.readUInt32LE(4), ce.readUInt32LE(12), ce.readUInt32LE(20)];
    expect(off + len).toBeLessThanOrEqual(BLOCK);
    const area = meta.subarray(lba * BLOCK + off, lba * BLOCK + off + len);
    expect(entriesOf(area).map((e) => e.sig)).toEqual(['NM']);
    expect(area.subarray(5).toString('utf8')).toBe(long);
    const short = recs.find((r) => r.id.toString('latin1') === 'SHORT.;1');
    expect(entriesOf(short!.su).map((e) => e.sig)).toEqual(['PX', 'TF', 'NM']);
  });

  test('a large directory spans several blocks without splitting a record', () => {
    const entries = Array.from({ length: 200 }, (_, i) => file(`many/file-with-a-fairly-long-name-${i}.rpm`));
    const { meta } = image(entries);
    const root = rootOf(meta);
    const many = records(meta, root.extent, root.size).find((r) => r.id.toString('latin1') === 'MANY')!;
    expect(many.size).toBeGreaterThan(4 * BLOCK);
    expect(many.size % BLOCK).toBe(0);
    const recs = records(meta, many.extent, many.size);
    expect(recs.length).toBe(202);
    const names = recs.slice(2).map((r) => r.id.toString('latin1'));
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(200);
  });

  test('path tables: root first, then by level, parent and name; L and M agree', () => {
    const plan = planIso([file('b/c/x'), file('a/y'), file('b/a/z')], OPTS);
    const { meta } = image([file('b/c/x'), file('a/y'), file('b/a/z')]);
    const pvd = meta.subarray(16 * BLOCK);
    const size = pvd.readUInt32LE(132);
    const l = meta.subarray(pvd.readUInt32LE(140) * BLOCK).subarray(0, size);
    const m = meta.subarray(pvd.readUInt32BE(148) * BLOCK).subarray(0, size);
    const read = (t: Buffer, le: boolean) => {
      const out: string[] = [];
      for (let p = 0; p < t.length; ) {
        const n = t[p];
        const parent = le ? t.readUInt16LE(p + 6) : t.readUInt16BE(p + 6);
        out.push(`${t.subarray(p + 8, p + 8 + n).toString('latin1').replace('\0', '/')}@${parent}`);
        p += 8 + n + (n % 2);
      }
      return out;
    };
    expect(read(l, true)).toEqual(['/@1', 'A@1', 'B@1', 'A@3', 'C@3']);
    expect(read(m, false)).toEqual(read(l, true));
    expect(plan.dataStart).toBeGreaterThan(16);
  });

  test('deterministic: entry order does not matter, the epoch does', () => {
    const entries = [file('z/1', 3), file('a', 7), { path: 'e', kind: 'dir' } as IsoEntry, file('Q q', 9)];
    const a = image(entries).meta;
    const b = image([...entries].reverse()).meta;
    expect(a.equals(b)).toBe(true);
    expect(image(entries, { ...OPTS, epoch: OPTS.epoch + 1 }).meta.equals(a)).toBe(false);
  });
});
