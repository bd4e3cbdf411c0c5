import { expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { addToRepositoryList, encodeRepositoryList, packDirName, parseRepositoryList } from './repository-list';

test('packDirName: packages.<label> with the legacy label rules', () => {
  expect(packDirName('acme-nic')).toBe('packages.acme-nic');
  expect(packDirName('A.b_c-1')).toBe('packages.A.b_c-1');
  for (const bad of ['', 'a b', 'a/b', 'é', 'a\n']) {
    expect(() => packDirName(bad)).toThrow(SuppackError);
  }
  expect(() => packDirName('a/b')).toThrow(/^pack label: expected letters, digits/);
});

test('encode: one name per line, LF, trailing newline', () => {
  expect(encodeRepositoryList(['packages.main', 'packages.acme'])).toBe('packages.main\npackages.acme\n');
  expect(encodeRepositoryList([])).toBe('');
});

test('encode refuses blanks, duplicates, absolute and multi-line names', () => {
  expect(() => encodeRepositoryList(['packages.a', ''])).toThrow(/^XS-REPOSITORY-LIST: line 2: expected a directory name/);
  expect(() => encodeRepositoryList(['a', 'a'])).toThrow(/listed twice/);
  for (const bad of ['/abs', 'a\nb', ' a', '..', 'a/../b']) expect(() => encodeRepositoryList([bad])).toThrow(SuppackError);
});

test('parse strips lines and skips blank ones; round trip', () => {
  expect(parseRepositoryList('packages.main\r\n\n  packages.acme \n')).toEqual(['packages.main', 'packages.acme']);
  expect(parseRepositoryList(Buffer.from(encodeRepositoryList(['x', 'y/z'])))).toEqual(['x', 'y/z']);
  expect(() => parseRepositoryList('ok\n/etc\n', 'iso:XS-REPOSITORY-LIST')).toThrow(/^iso:XS-REPOSITORY-LIST: line 2: /);
});

test('addToRepositoryList keeps the existing order and adds new names once', () => {
  expect(addToRepositoryList(undefined, ['packages.acme'])).toBe('packages.acme\n');
  expect(addToRepositoryList('packages.linux\npackages.acme\n', ['packages.acme', 'packages.b'])).toBe('packages.linux\npackages.acme\npackages.b\n');
});
