import { describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { assignIsoNames, compareIsoNames, isoBaseName, isoIdentifier, jolietIdentifier, plainNameAsMounted, rockRidgeName } from './names';

const ids = (children: Array<{ name: string; isDir: boolean }>) =>
  assignIsoNames(children).map((n, i) => isoIdentifier(n, children[i].isDir).toString('latin1'));

describe('ISO 9660 names', () => {
  test('upper-case d-chars, illegal characters become _, files get a dot and ;1', () => {
    expect(ids([{ name: 'readme', isDir: false }])).toEqual(['README.;1']);
    expect(ids([{ name: 'Some.File.txt', isDir: false }])).toEqual(['SOME_FILE.TXT;1']);
    expect(ids([{ name: 'with space-ü', isDir: false }])).toEqual(['WITH_SPACE__.;1']);
    expect(ids([{ name: '.hidden', isDir: false }])).toEqual(['_HIDDEN.;1']);
    expect(ids([{ name: 'my.dir', isDir: true }])).toEqual(['MY_DIR']);
  });

  test('name + extension ≤ 30, directories ≤ 31', () => {
    const f = isoBaseName(`${'a'.repeat(40)}.extension-long`, false);
    expect(f.name.length + f.ext.length).toBeLessThanOrEqual(30);
    expect(f.ext).toBe('EXTENSION_');
    expect(isoBaseName('b'.repeat(50), true).name).toBe('B'.repeat(31));
    expect(isoBaseName(`x.${'e'.repeat(40)}`, false)).toEqual({ name: 'X', ext: 'E'.repeat(10) });
  });

  test('collisions get a numeric suffix, deterministically whatever the input order', () => {
    const names = [
      { name: `${'s'.repeat(35)}-2`, isDir: false },
      { name: `${'s'.repeat(35)}-1`, isDir: false },
      { name: 'a-b', isDir: false },
      { name: 'A_B', isDir: false },
    ];
    const got = ids(names);
    expect(new Set(got).size).toBe(4);
    expect(got[1]).toBe(`${'S'.repeat(30)}.;1`); // "-1" sorts first and keeps the plain name
    expect(got[0]).toBe(`${'S'.repeat(29)}1.;1`);
    expect(got[3]).toBe('A_B.;1'); // 'A_B' < 'a-b' in code units
    expect(got[2]).toBe('A_B1.;1');
    expect(ids([...names].reverse()).reverse()).toEqual(got);
    for (const id of got) expect(id.replace(/;1$/, '').replace('.', '').length).toBeLessThanOrEqual(30);
  });

  test('a suffix never lands on a name another child has', () => {
    const got = ids([
      { name: 'x!', isDir: true },
      { name: 'x?', isDir: true },
      { name: 'X_1', isDir: true },
    ]);
    expect(new Set(got).size).toBe(3);
    expect(got).toEqual(['X_', 'X_2', 'X_1']);
  });

  test('ECMA-119 9.3 order: name, then extension', () => {
    const sorted = [
      { name: 'AB', ext: 'Z' },
      { name: 'A', ext: 'ZZ' },
      { name: 'A', ext: 'B' },
      { name: 'A', ext: '' },
    ].sort(compareIsoNames);
    expect(sorted).toEqual([
      { name: 'A', ext: '' },
      { name: 'A', ext: 'B' },
      { name: 'A', ext: 'ZZ' },
      { name: 'AB', ext: 'Z' },
    ]);
  });
});

describe('plain ISO 9660 names as a Linux host shows them (isofs map=normal)', () => {
  test('lower case, no version, no dot of a name without extension; anything else in d-characters', () => {
    expect(plainNameAsMounted('answerfile.xml', false)).toBe('answerfile.xml');
    expect(plainNameAsMounted('notes_1', false)).toBe('notes_1');
    expect(plainNameAsMounted('XS-REPOSITORY-LIST', false)).toBe('xs_repository_list');
    expect(plainNameAsMounted('packages.acme-fw', true)).toBe('packages_acme_fw');
    expect(plainNameAsMounted('Install.img', false)).toBe('install.img');
  });
});

describe('Joliet names', () => {
  test('UCS-2BE, up to 103 characters', () => {
    expect(jolietIdentifier('aé', 'x/aé').toString('hex')).toBe('006100e9');
    expect(jolietIdentifier('n'.repeat(103), 'p').length).toBe(206);
  });

  test('longer names and forbidden characters are SuppackErrors naming the path', () => {
    expect(() => jolietIdentifier('n'.repeat(104), 'dir/nnn')).toThrow(SuppackError);
    expect(() => jolietIdentifier('n'.repeat(104), 'dir/nnn')).toThrow(/dir\/nnn: Joliet name: .*104 characters.*at most 103/);
    for (const bad of ['a*b', 'a:b', 'a;b', 'a?b', 'a\\b', 'a\nb']) {
      expect(() => jolietIdentifier(bad, `p/${bad}`)).toThrow(/Joliet forbids/);
    }
  });
});

describe('Rock Ridge names', () => {
  test('UTF-8 up to 255 bytes', () => {
    expect(rockRidgeName('ü', 'p').toString('hex')).toBe('c3bc');
    expect(() => rockRidgeName('ü'.repeat(128), 'some/path')).toThrow(/some\/path: Rock Ridge name: .*256 bytes/);
  });
});
