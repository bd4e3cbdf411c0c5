/**
 * Differential test of the ISO writer against the readers users have (docs/formats/containers.md
 * §1): seeded trees of files, directories and symlinks whose names and sizes are drawn to trip a
 * writer (markup and shell characters, spaces, dots, non-ASCII and non-BMP characters, names at
 * and past the Joliet and Rock Ridge limits, sizes around a sector, deep paths, many entries in a
 * directory). Each image must be refused in one line naming the entry, or read back whole by
 * bsdtar (Rock Ridge), isoinfo (Joliet names, Rock Ridge sizes and links) and xorriso (no
 * complaint while loading the tree). SUPPACK_ISO_CASES and SUPPACK_ISO_SEED change the run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, lstatSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isSuppackError } from '../../base/errors';
import { random, seedOf, type Random } from '../../../testing/random';
import { toolResult } from '../../../testing/tools';
import { parseIsoinfoListing } from './testing';
import { writeIso, type IsoEntry } from './writer';

/** The tools in a UTF-8 locale: in C, libarchive and isoinfo turn non-ASCII names into '_' or '?'. */
const run = (cmd: string, args: string[]) => toolResult(cmd, args, { encoding: 'utf8', env: { LC_ALL: 'C.UTF-8' } });

const CASES = Number(process.env.SUPPACK_ISO_CASES ?? 24);
const SEED = Number(process.env.SUPPACK_ISO_SEED ?? 20261205);
const root = mkdtempSync(join(tmpdir(), 'suppack-iso-diff-'));
afterAll(() => (process.env.KEEP ? undefined : rmSync(root, { recursive: true, force: true })));

const PIECES = ['a', 'Z', '0', '9', '.', '-', '_', ' ', '+', ',', '=', '#', '~', '%', '&', "'", '"', '$', '!', '(', ')', '[', ']', '{', '}', '@', '<', '>', '|', '`',
  '\u00e9', '\u00fc', '\u00df', '\u65e5', '\u2603', '\u00a0', '\u200b', '\ud83d\ude00', 'rpm', '.rpm', 'XS-PACKAGES', 'TRANS.TBL', 'README'];
/** What Joliet refuses, now and then. */
const RARE = [';', ':', '*', '?', '\\', '\u0001'];
const SIZES = [0, 1, 2047, 2048, 2049, 4096, 65536, 131071];

function name(rand: Random, long: boolean, rare = false): string {
  let s = '';
  const target = long ? 95 + rand.int(15) : 1 + rand.int(20);
  while (s.length < target) s += rare && rand.chance(0.01) ? rand.pick(RARE) : rand.pick(PIECES);
  return s === '.' || s === '..' ? `${s}x` : s;
}

interface Drawn {
  entries: IsoEntry[];
  files: Map<string, Buffer>;
  links: Map<string, string>;
  dirs: Set<string>;
}

function drawTree(rand: Random): Drawn {
  const drawn: Drawn = { entries: [], files: new Map(), links: new Map(), dirs: new Set() };
  const dirs = [''];
  const taken = new Set<string>();
  const count = 5 + rand.int(rand.chance(0.2) ? 200 : 40);
  // a quarter of the trees may hold a character Joliet forbids; long names pass the limits now and then
  const rare = rand.chance(0.25);
  for (let i = 0; i < count; i++) {
    const parent = rand.pick(dirs);
    const path = `${parent === '' ? '' : `${parent}/`}${name(rand, rand.chance(0.005), rare)}`;
    if (taken.has(path) || path.split('/').length > 12) continue;
    taken.add(path);
    const kind = rand.next();
    if (kind < 0.2) {
      dirs.push(path);
      drawn.dirs.add(path);
      drawn.entries.push({ path, kind: 'dir' });
    } else if (kind < 0.3) {
      const target = rand.chance(0.5) ? `../${name(rand, false)}` : `/usr/${name(rand, rand.chance(0.1))}`;
      drawn.links.set(path, target);
      drawn.entries.push({ path, kind: 'symlink', target });
    } else {
      const size = rand.chance(0.7) ? rand.pick(SIZES) : rand.int(300_000);
      const content = rand.bytes(size);
      drawn.files.set(path, content);
      drawn.entries.push({ path, kind: 'file', size, source: () => Readable.from([content]), mode: rand.pick([0o644, 0o755]) });
    }
  }
  return drawn;
}

/** Every path under `dir` (relative, "/"-separated) with what it is. */
function walk(dir: string, prefix = ''): Map<string, { kind: 'file'; data: Buffer } | { kind: 'symlink'; target: string } | { kind: 'dir' }> {
  const out = new Map<string, { kind: 'file'; data: Buffer } | { kind: 'symlink'; target: string } | { kind: 'dir' }>();
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const rel = prefix === '' ? n : `${prefix}/${n}`;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.set(rel, { kind: 'symlink', target: readlinkSync(p) });
    else if (st.isDirectory()) {
      out.set(rel, { kind: 'dir' });
      for (const [k, v] of walk(p, rel)) out.set(k, v);
    } else out.set(rel, { kind: 'file', data: readFileSync(p) });
  }
  return out;
}

const outcomes = { refused: 0, read: 0 };

describe(`ISO images of ${CASES} drawn trees (seed ${SEED}) read by bsdtar, isoinfo and xorriso`, () => {
  it.each(Array.from({ length: CASES }, (_, i) => i))('case %i: refused in one line, or read back whole', async (i) => {
    const drawn = drawTree(random(seedOf('iso-diff', SEED, i)));
    const iso = join(root, `case-${i}.iso`);
    try {
      await writeIso(drawn.entries, { volumeId: 'DIFF', epoch: 946684800 }, iso);
    } catch (e) {
      expect(isSuppackError(e), String(e)).toBe(true);
      expect((e as Error).message.split('\n')).toHaveLength(1);
      expect((e as Error).message).toMatch(/(Joliet name|Rock Ridge name|path): /);
      expect(existsSync(iso)).toBe(false);
      outcomes.refused++;
      return;
    }
    // bsdtar reads the Rock Ridge tree: the same names, bytes and link targets
    const out = join(root, `x-${i}`);
    mkdirSync(out);
    const x = run('bsdtar', ['-xf', iso, '-C', out]);
    expect(x.code, x.stderr).toBe(0);
    const got = walk(out);
    const want = new Map<string, unknown>();
    for (const d of drawn.dirs) want.set(d, { kind: 'dir' });
    // every parent of a drawn entry is a drawn directory, so bsdtar makes no other one
    for (const [p, data] of drawn.files) want.set(p, { kind: 'file', data });
    for (const [p, target] of drawn.links) want.set(p, { kind: 'symlink', target });
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [p, w] of want) {
      const g = got.get(p)!;
      // Buffer.equals: a deep toEqual of large buffers takes seconds
      if (g.kind === 'file' && (w as { kind: string }).kind === 'file') expect(g.data.equals((w as { data: Buffer }).data), p).toBe(true);
      else expect(g, p).toEqual(w);
    }
    // xorriso reading the Joliet tree (Rock Ridge off; isoinfo -J knows no UTF-8): the real names
    const joliet = run('xorriso', ['-rockridge', 'off', '-joliet', 'on', '-indev', iso, '-find', '/']);
    expect(joliet.code, joliet.stderr).toBe(0);
    const jolietNames = joliet.stdout
      .split('\n')
      .filter((l) => l.startsWith("'/"))
      .map((l) => l.slice(2, -1).replaceAll(`'"'"'`, "'"))
      .filter((n) => n !== '');
    expect(jolietNames.sort()).toEqual([...want.keys()].sort());
    // isoinfo: Rock Ridge sizes and link targets
    const listing = parseIsoinfoListing(run('isoinfo', ['-R', '-l', '-i', iso]).stdout);
    for (const [p, data] of drawn.files) expect(listing.get(p)?.size, p).toBe(data.length);
    // (parseIsoinfoListing cannot tell a target's trailing blanks from the line's: bsdtar checked them)
    for (const [p, target] of drawn.links) expect(listing.get(p)?.target?.trimEnd(), p).toBe(target.trimEnd());
    // xorriso loads the whole tree without a complaint (SORRY or worse is exit 32)
    const xo = run('xorriso', ['-abort_on', 'NEVER', '-return_with', 'SORRY', '32', '-indev', iso, '-find', '/', '-exec', 'report_lba', '--']);
    expect(xo.code, xo.stderr).toBe(0);
    expect(xo.stderr).not.toMatch(/SORRY|FAILURE|FATAL|WARNING/);
    outcomes.read++;
  });

  it('the draw reaches both outcomes', () => {
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.read).toBeGreaterThan(0);
  });
});
