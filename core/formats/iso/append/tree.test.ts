import { expect, test } from 'vitest';
import { SuppackError } from '../../../base/errors';
import { keptEntries, mergeSession } from './tree';
import type { IsoDirent } from '../reader';

const old: IsoDirent[] = [
  { path: 'a', name: 'a', kind: 'dir', size: 2048, extents: [{ lba: 20, length: 2048 }] },
  { path: 'a/x', name: 'x', kind: 'file', size: 5, mode: 0o100444, extents: [{ lba: 40, length: 5 }] },
  { path: 'a/l', name: 'l', kind: 'symlink', size: 0, target: 'x', extents: [{ lba: 0, length: 0 }] },
  { path: 'b', name: 'b', kind: 'file', size: 3, mode: 0o100555, extents: [{ lba: 41, length: 3 }] },
];
const src = () => {
  throw new Error('not read');
};

test('keptEntries: files keep their extent and permission bits, symlinks their target', () => {
  expect(keptEntries(old, 'in.iso')).toEqual([
    { path: 'a', kind: 'dir' },
    { path: 'a/x', kind: 'file', size: 5, extent: 40, mode: 0o444 },
    { path: 'a/l', kind: 'symlink', target: 'x' },
    { path: 'b', kind: 'file', size: 3, extent: 41, mode: 0o555 },
  ]);
  const multi = [{ ...old[1], extents: [{ lba: 40, length: 2 }, { lba: 50, length: 3 }] }];
  expect(() => keptEntries(multi, 'in.iso')).toThrow(/in\.iso: entry 'a\/x': a file of 2 extents cannot be kept/);
});

test('mergeSession: replace, add, keep a directory merged, remove a subtree, replace a removed dir by a file', () => {
  const kept = keptEntries(old, 'in.iso');
  const merged = mergeSession(kept, [
    { path: 'b', kind: 'file', size: 1, source: src },
    { path: 'a/', kind: 'dir' },
    { path: 'new/y', kind: 'file', size: 2, source: src },
  ], [], 'in.iso');
  expect(merged.map((e) => [e.path, 'extent' in e ? e.extent : e.kind])).toEqual([
    ['a', 'dir'],
    ['a/x', 40],
    ['a/l', 'symlink'],
    ['b', 'file'],
    ['new/y', 'file'],
  ]);
  const replaced = mergeSession(kept, [{ path: 'a', kind: 'file', size: 1, source: src }], ['/a'], 'in.iso');
  expect(replaced.map((e) => [e.path, e.kind])).toEqual([['b', 'file'], ['a', 'file']]);
});

test('mergeSession: unknown removal, a file over a kept directory, duplicates are SuppackErrors', () => {
  const kept = keptEntries(old, 'in.iso');
  expect(() => mergeSession(kept, [], ['nope'], 'in.iso')).toThrow(SuppackError);
  expect(() => mergeSession(kept, [], ['nope'], 'in.iso')).toThrow(/remove\[0\]: 'nope' is not in the image in\.iso/);
  expect(() => mergeSession(kept, [{ path: 'a', kind: 'symlink', target: 'b' }], [], 'in.iso')).toThrow(/^a: ISO image path: is a directory in the image/);
  const dup = { path: 'c', kind: 'file' as const, size: 1, source: src };
  expect(() => mergeSession(kept, [dup, { ...dup, path: './c' }], [], 'in.iso')).toThrow(/listed twice/);
});
