/**
 * Differential test against createrepo_c (docs/formats/containers.md §5): seeded RPMs whose text
 * fields, dependencies and file names are drawn from an alphabet of what trips XML writers
 * (markup, quotes, tab, CR, LF, C0 controls, DEL, C1 and non-BMP characters), written by
 * core/formats/rpm's encoder: the repodata must be createrepo_c's bytes, and a package it leaves
 * out (a control character) or writes as XML no parser reads (U+FFFE, U+FFFF) refused in one line.
 * SUPPACK_REPODATA_CASES and SUPPACK_REPODATA_SEED change the run.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRpmUnchecked, type RpmSpecFile, type RpmSpecInput } from '../rpm/write';
import { RPMSENSE, type RpmDependency } from '../rpm/types';
import { parseRpm } from '../rpm/read';
import { random, seedOf, type Random } from '../../../testing/random';
import { readRepoPackage, unwritableField, type RepoPackage } from './package';
import { createrepo, gunzipRepodata, packageBlocks } from './testing';
import { writeRepodata } from './write';

const CASES = Number(process.env.SUPPACK_REPODATA_CASES ?? 40);
const SEED = Number(process.env.SUPPACK_REPODATA_SEED ?? 20261205);
const REV = 1700000000;
const root = mkdtempSync(join(tmpdir(), 'suppack-repodata-diff-'));
afterAll(() => (process.env.KEEP ? undefined : rmSync(root, { recursive: true, force: true })));

const PIECES = [
  'a', 'Z', '0', ' ', '-', '.', '/', '&', '<', '>', '"', "'", '&amp;', ']]>', '\t', '\n', '\r', '\r\n', '\u0001', '\u001b', '\u007f',
  '\u0085', '\u00a0', '\ufffe', '\uffff', '\ud800\udc00', '\u00e9', '\u00ff', '\u0100', '\u2028', '\u2603', '\ufeff', '\ud83d\ude00', 'caf\u00e9', 'J\u00f6rg', '\u65e5\u672c',
];

function text(rand: Random, max = 6): string {
  let s = '';
  for (let n = rand.int(max + 1); n > 0; n--) s += rand.pick(PIECES);
  return s;
}

/** A file name segment: no "/" and no NUL (rpm stores paths as C strings). */
function segment(rand: Random): string {
  const s = text(rand, 3).replace(/[/\u0000]/g, '');
  return s === '' || s === '.' || s === '..' ? 'f' : s;
}

function dependency(rand: Random): RpmDependency {
  const versioned = rand.chance(0.5);
  const name = rand.chance(0.3) ? `/${segment(rand)}` : `${rand.pick(['lib', 'x', 'perl(', 'config('])}${text(rand, 2).replace(/\u0000/g, '')}`;
  return {
    name: name === '' ? 'x' : name,
    flags: versioned ? rand.pick([RPMSENSE.EQUAL, RPMSENSE.LESS | RPMSENSE.EQUAL, RPMSENSE.GREATER]) : 0,
    version: versioned ? rand.pick(['1', '2:1.0-3', '1.0~rc1', '1.0^git']) : '',
  };
}

function spec(i: number, rand: Random): RpmSpecInput {
  const files: RpmSpecFile[] = [];
  const dirs = ['/etc', '/usr/bin', `/opt/${segment(rand)}`];
  for (let n = 1 + rand.int(5); n > 0; n--) {
    const path = `${rand.pick(dirs)}/${segment(rand)}`;
    if (files.some((f) => f.path === path)) continue;
    files.push(rand.chance(0.2) ? { path, mode: 0o120777, linkTo: segment(rand) } : { path, mode: 0o100644, content: Buffer.from(text(rand)) });
  }
  return {
    name: `diff${i}`,
    version: '1.0',
    release: '1',
    arch: 'noarch',
    summary: text(rand),
    description: text(rand, 12),
    license: text(rand, 2),
    group: text(rand, 2),
    url: text(rand, 2),
    vendor: text(rand, 2),
    packager: text(rand, 2),
    buildHost: text(rand, 2),
    buildTime: REV,
    requires: Array.from({ length: rand.int(4) }, () => dependency(rand)),
    provides: Array.from({ length: rand.int(3) }, () => dependency(rand)),
    conflicts: Array.from({ length: rand.int(2) }, () => dependency(rand)),
    obsoletes: Array.from({ length: rand.int(2) }, () => dependency(rand)),
    files,
  };
}

describe(`repodata of ${CASES} drawn RPMs (seed ${SEED}) against createrepo_c`, () => {
  it('primary, filelists and other: createrepo_c\'s bytes, and the packages it leaves out refused', async () => {
    const repos = ['ours', 'theirs'].map((n) => join(root, n));
    for (const r of repos) mkdirSync(join(r, 'Packages'), { recursive: true });
    for (let i = 0; i < CASES; i++) {
      const bytes = encodeRpmUnchecked(spec(i, random(seedOf('repodata-diff', SEED, i))));
      for (const r of repos) {
        const dest = join(r, 'Packages', `diff${i}-1.0-1.noarch.rpm`);
        writeFileSync(dest, bytes);
        utimesSync(dest, REV, REV);
      }
    }
    // What no repodata can carry (UNWRITABLE) is refused, in one line.
    const packages: RepoPackage[] = [];
    const refused = new Map<string, 'control' | 'non-character'>();
    for (let i = 0; i < CASES; i++) {
      const file = `diff${i}-1.0-1.noarch.rpm`;
      try {
        packages.push(await readRepoPackage(join(repos[0]!, 'Packages', file), `Packages/${file}`, REV));
      } catch (e) {
        expect((e as Error).message).toMatch(/^\/.*: [^:]+: holds a character repodata cannot carry: /);
        const info = parseRpm(readFileSync(join(repos[0]!, 'Packages', file)), file, statSync(join(repos[0]!, 'Packages', file)).size);
        refused.set(`diff${i}`, unwritableField(info, `Packages/${file}`, [], /[\x00-\x08\x0b\x0c\x0e-\x1f]/) !== undefined ? 'control' : 'non-character');
        rmSync(join(repos[1]!, 'Packages', file));
      }
    }
    await writeRepodata({ packages, outDir: repos[0]!, revision: REV });
    // createrepo_c on every drawn RPM leaves out exactly those with a control character...
    const all = join(root, 'all');
    cpSync(join(repos[0]!, 'Packages'), join(all, 'Packages'), { recursive: true, preserveTimestamps: true });
    createrepo(all, REV);
    const included = [...gunzipRepodata(all, 'primary.xml.gz').matchAll(/<name>(diff\d+)<\/name>/g)].map((m) => m[1]!);
    const omitted = Array.from({ length: CASES }, (_, i) => `diff${i}`).filter((n) => !included.includes(n));
    expect(omitted.sort()).toEqual([...refused].filter(([, why]) => why === 'control').map(([n]) => n).sort());
    // ... and on the ones we take writes the same bytes
    createrepo(repos[1]!, REV);
    expect(packages.length).toBeGreaterThan(0);
    expect(refused.size).toBeGreaterThan(0);
    for (const name of ['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz']) {
      const ours = packageBlocks(gunzipRepodata(repos[0]!, name));
      const theirs = packageBlocks(gunzipRepodata(repos[1]!, name));
      for (const [id, lines] of theirs) expect(ours.get(id), `${name} ${lines.find((l) => l.includes('<name>')) ?? id}`).toEqual(lines);
      expect(gunzipRepodata(repos[0]!, name), name).toBe(gunzipRepodata(repos[1]!, name));
    }
  });
});
