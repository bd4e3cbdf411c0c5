import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globFiles, globToRegExp } from './glob';

describe('globToRegExp', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*.rpm', 'a.rpm', true],
    ['*.rpm', 'dir/a.rpm', false],
    ['*.rpm', '.hidden.rpm', false],
    ['.*.rpm', '.hidden.rpm', true],
    ['a?.rpm', 'ab.rpm', true],
    ['a?.rpm', 'a/.rpm', false],
    ['**/*.rpm', 'a.rpm', true],
    ['**/*.rpm', 'x/y/z.rpm', true],
    ['**/*.rpm', '.git/z.rpm', false],
    ['rpms/**', 'rpms/x/y.rpm', true],
    ['rpms/**', 'other/y.rpm', false],
    ['r[a-c]t.rpm', 'rbt.rpm', true],
    ['r[!a-c]t.rpm', 'rbt.rpm', false],
    ['r[!a-c]t.rpm', 'rdt.rpm', true],
    ['a+b(1).rpm', 'a+b(1).rpm', true],
    ['a.rpm', 'aXrpm', false],
  ];
  it.each(cases)('%s against %s → %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});

describe('globFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'suppack-glob-'));
  for (const f of ['a.rpm', 'b.txt', 'rpms/x86_64/c.rpm', 'rpms/noarch/d.rpm', 'rpms/e.rpm', '.hidden/f.rpm']) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  }
  symlinkSync(join(root, 'a.rpm'), join(root, 'rpms/link.rpm'));
  symlinkSync(join(root, 'rpms'), join(root, 'loop'));

  it('matches files only, sorted, relative, with ** across directories', async () => {
    expect(await globFiles(root, '**/*.rpm')).toEqual(['a.rpm', 'rpms/e.rpm', 'rpms/link.rpm', 'rpms/noarch/d.rpm', 'rpms/x86_64/c.rpm']);
    expect(await globFiles(root, 'rpms/*.rpm')).toEqual(['rpms/e.rpm', 'rpms/link.rpm']);
    expect(await globFiles(root, 'rpms/*/*.rpm')).toEqual(['rpms/noarch/d.rpm', 'rpms/x86_64/c.rpm']);
    expect(await globFiles(root, 'b.txt')).toEqual(['b.txt']);
  });

  it('matches nothing in a missing directory', async () => {
    expect(await globFiles(root, 'nope/*.rpm')).toEqual([]);
  });
});
