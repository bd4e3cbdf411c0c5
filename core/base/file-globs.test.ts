import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// Nx's own matcher for target inputs (the one its task hasher builds glob sets with).
import { matchGlobPaths } from 'nx/src/native';
import { describe, expect, it } from 'vitest';
import { globPatternProblem } from '../../schemas/paths';
import { expandGlobs } from './file-globs';

const FILES = [
  'a.rpm',
  'b.txt',
  'rpms/a.rpm',
  'rpms/b.rpm',
  'rpms/ab.rpm',
  'rpms/a1.rpm',
  'rpms/a5.rpm',
  'rpms/.hidden.rpm',
  'rpms/A.RPM',
  'rpms/tool-debuginfo-1.0-1.x86_64.rpm',
  'rpms/x86_64/c.rpm',
  'rpms/x86_64/c-debuginfo-1.rpm',
  'rpms/noarch/d.rpm',
  'rpms/i686/e.rpm',
  'rpms/.cache/f.rpm',
  'rpms/deep/er/g.rpm',
  'vendor/h.rpm',
];

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'suppack-file-globs-'));
  for (const f of FILES) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  }
  return root;
}

const files = async (root: string, patterns: string[]) => (await expandGlobs(root, patterns)).matches.map((m) => m.file);

describe('expandGlobs', () => {
  const root = tree();

  it('braces, ** and classes, sorted, each file once', async () => {
    expect(await files(root, ['rpms/{x86_64,noarch}/*.rpm'])).toEqual(['rpms/noarch/d.rpm', 'rpms/x86_64/c-debuginfo-1.rpm', 'rpms/x86_64/c.rpm']);
    expect(await files(root, ['rpms/**/g.rpm', 'rpms/deep/**'])).toEqual(['rpms/deep/er/g.rpm']);
    expect(await files(root, ['rpms/a[0-9].rpm'])).toEqual(['rpms/a1.rpm', 'rpms/a5.rpm']);
    expect(await files(root, ['rpms/@(a|b).rpm'])).toEqual(['rpms/a.rpm', 'rpms/b.rpm']);
  });

  it('a leading "!" excludes from every pattern, and the first including pattern is reported', async () => {
    const r = await expandGlobs(root, ['rpms/x86_64/*.rpm', 'rpms/*.rpm', '!rpms/**/*debuginfo*.rpm', '!rpms/a?.rpm']);
    expect(r.matches).toEqual([
      { file: 'rpms/.hidden.rpm', pattern: 1 },
      { file: 'rpms/a.rpm', pattern: 1 },
      { file: 'rpms/b.rpm', pattern: 1 },
      { file: 'rpms/x86_64/c.rpm', pattern: 0 },
    ]);
    expect(r.empty).toEqual([]);
    expect((await expandGlobs(root, ['rpms/x86_64/*debuginfo*', '!**/*debuginfo*'])).empty).toEqual([0]);
  });

  it('wildcards match dot files and dot directories, as in Nx; matching is case-sensitive', async () => {
    expect(await files(root, ['rpms/*.rpm'])).toContain('rpms/.hidden.rpm');
    expect(await files(root, ['rpms/**/f.rpm'])).toEqual(['rpms/.cache/f.rpm']);
    expect(await files(root, ['rpms/*.RPM'])).toEqual(['rpms/A.RPM']);
  });

  it('a trailing "/" stands for everything below', async () => {
    expect(await files(root, ['rpms/deep/'])).toEqual(['rpms/deep/er/g.rpm']);
  });

  it('matches symlinked files; ** enters a symlinked directory once, unless first, as Bash does', async () => {
    const r = tree();
    symlinkSync(join(r, 'vendor/h.rpm'), join(r, 'rpms/link.rpm'));
    symlinkSync(join(r, 'vendor'), join(r, 'rpms/vendor-link'));
    symlinkSync(join(r, 'rpms'), join(r, 'rpms/deep/loop'));
    expect(await files(r, ['rpms/*.rpm'])).toContain('rpms/link.rpm');
    expect(await files(r, ['rpms/**/h.rpm'])).toEqual(['rpms/vendor-link/h.rpm']);
    expect(await files(r, ['rpms/vendor-link/*.rpm'])).toEqual(['rpms/vendor-link/h.rpm']);
    const all = await files(r, ['**/*.rpm']);
    expect(all).toContain('rpms/link.rpm');
    expect(all.filter((f) => f.includes('-link/') || f.includes('/loop/'))).toEqual([]);
  });

  it('matches nothing in a missing directory', async () => {
    expect(await expandGlobs(root, ['nope/*.rpm'])).toEqual({ matches: [], empty: [0] });
  });
});

// The same pattern list selects the same files in suppack and in Nx's input hashing.
describe('the meaning Nx gives the same patterns', () => {
  const root = tree();
  const nx = (patterns: string[]) => FILES.filter((_, i) => matchGlobPaths(patterns, FILES)[i]).sort();
  const AGREED = [
    ['rpms/*.rpm'],
    ['**/*.rpm'],
    ['rpms/**'],
    ['rpms/**/*.rpm'],
    ['rpms/?.rpm'],
    ['rpms/[ab]*.rpm'],
    ['rpms/[!a]*.rpm'],
    ['rpms/[^a]*.rpm'],
    ['rpms/a[0-9].rpm'],
    ['rpms/{x86_64,noarch}/*.rpm'],
    ['rpms/{a,a{1,5}}.rpm'],
    ['rpms/a{,b}.rpm'],
    ['rpms/*.{rpm,RPM}'],
    ['rpms/@(a|b).rpm'],
    ['rpms/?(a|b).rpm'],
    ['rpms/!(a).rpm'],
    ['rpms/.*.rpm'],
    ['rpms/**/.cache/*.rpm'],
    ['*.rpm'],
    ['rpms/**/*.rpm', '!rpms/**/*debuginfo*.rpm'],
    ['rpms/*.rpm', 'vendor/*.rpm', '!rpms/a*.rpm'],
    ['rpms/**', '!rpms/x86_64/'],
    ['rpms/deep/'],
  ];

  it.each(AGREED)('%s', async (...patterns) => {
    for (const p of patterns) expect(globPatternProblem(p)).toBeUndefined();
    const asNx = patterns.map((p) => (p.endsWith('/') ? `${p}**` : p));
    expect(await files(root, patterns)).toEqual(nx(asNx));
  });

  // Each construct globPatternProblem refuses is one the two matchers read differently.
  it.each([['rpms/+(a|b).rpm'], ['rpms/*(a|b).rpm'], ['rpms/a{1..5}.rpm'], ['rpms/a[[:digit:]].rpm']])('%s is refused: the matchers differ', async (p) => {
    expect(globPatternProblem(p)).toMatch(/Nx/);
    expect(await files(root, [p])).not.toEqual(nx([p]));
  });
});

describe('globPatternProblem', () => {
  it.each([
    ['', 'expected a pattern relative'],
    ['!', 'expected a pattern after "!"'],
    ['!!a.rpm', 'one leading "!"'],
    ['/abs/*.rpm', 'relative to the project root'],
    ['../up/*.rpm', 'without ".."'],
    // "\\" escapes in a pattern, but Nx on Windows reads it as a separator
    ['rpms\\..\\..\\*.rpm', 'without ".."'],
    ['C:/rpms/*.rpm', 'relative to the project root'],
    ['rpms//a.rpm', '"//"'],
    ['./rpms/a.rpm', 'leading "./"'],
  ])('%j: %s', (p, message) => {
    expect(globPatternProblem(p)).toContain(message);
  });
});
