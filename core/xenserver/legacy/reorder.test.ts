import { describe, expect, inject, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { readRpm } from '../../formats/rpm';
import { RPMSENSE } from '../../formats/rpm/types';
import { dependencyGraph, parseDependencyEvr, rangesOverlap, reorderPackages } from './reorder';
import { dep, fakeRpm, files } from './testing';

const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('reorderPackages', () => {
  it('puts a chain in dependency order', () => {
    const a = fakeRpm({ name: 'a', requires: [dep('b')] });
    const b = fakeRpm({ name: 'b', requires: [dep('c-api >= 2')] });
    const c = fakeRpm({ name: 'c', provides: [dep('c-api = 2.1')] });
    expect(names(reorderPackages([a, b, c]))).toEqual(['c', 'b', 'a']);
  });

  it('orders a diamond and keeps the input order among ready packages', () => {
    const top = fakeRpm({ name: 'top', requires: [dep('left'), dep('right')] });
    const left = fakeRpm({ name: 'left', requires: [dep('base')] });
    const right = fakeRpm({ name: 'right', requires: [dep('base')] });
    const base = fakeRpm({ name: 'base' });
    const other = fakeRpm({ name: 'other' });
    expect(names(reorderPackages([top, right, other, left, base]))).toEqual(['other', 'base', 'right', 'left', 'top']);
    expect(names(reorderPackages([top, left, right, base]))).toEqual(['base', 'left', 'right', 'top']);
  });

  it('leaves independent packages in the given order', () => {
    const xs = ['z', 'a', 'm'].map((name) => fakeRpm({ name }));
    expect(names(reorderPackages(xs))).toEqual(['z', 'a', 'm']);
  });

  it('follows file dependencies', () => {
    const user = fakeRpm({ name: 'user', requires: [dep('/usr/libexec/helper')] });
    const helper = fakeRpm({ name: 'helper', files: files('/usr/libexec/helper') });
    expect(names(reorderPackages([user, helper]))).toEqual(['helper', 'user']);
  });

  it('ignores unsatisfied external requires, rpmlib() requires and self-provides', () => {
    const a = fakeRpm({
      name: 'a',
      provides: [dep('a-api = 1')],
      files: files('/bin/a'),
      requires: [dep('bash >= 4.0'), dep('/bin/sh'), dep('rpmlib(CompressedFileNames) <= 3.0.4-1'), dep('a-api'), dep('/bin/a')],
    });
    const b = fakeRpm({ name: 'b' });
    expect(dependencyGraph([a, b])).toEqual([[], []]);
    expect(names(reorderPackages([a, b]))).toEqual(['a', 'b']);
  });

  it('does not order on a provide whose version is outside the required range', () => {
    const app = fakeRpm({ name: 'app', requires: [dep('lib-api >= 2.0')] });
    const oldLib = fakeRpm({ name: 'oldlib', provides: [dep('lib-api = 1.2')] });
    expect(names(reorderPackages([app, oldLib]))).toEqual(['app', 'oldlib']);
    const newLib = fakeRpm({ name: 'newlib', provides: [dep('lib-api = 2.0')] });
    expect(names(reorderPackages([app, newLib]))).toEqual(['newlib', 'app']);
  });

  it('uses the implicit name = epoch:version-release provide', () => {
    const app = fakeRpm({ name: 'app', requires: [dep('lib >= 1:1.0')] });
    const lib0 = fakeRpm({ name: 'lib', version: '3.0' });
    const lib1 = fakeRpm({ name: 'lib', version: '1.0', epoch: 1 });
    expect(names(reorderPackages([app, lib0]))).toEqual(['app', 'lib']);
    expect(reorderPackages([app, lib1])[0]).toBe(lib1);
  });

  it('rejects a cycle of two, naming both packages', () => {
    const a = fakeRpm({ name: 'cycle-a', requires: [dep('cycle-b')] });
    const b = fakeRpm({ name: 'cycle-b', requires: [dep('cycle-a')] });
    expect(() => reorderPackages([a, b])).toThrow(SuppackError);
    expect(() => reorderPackages([a, b])).toThrow(
      'dependency cycle between cycle-a-1.0-1.noarch.rpm and cycle-b-1.0-1.noarch.rpm: cyclic dependencies between RPMs are not supported (use --noreorder to keep the given order)',
    );
  });

  it('rejects a cycle of three, naming all three and not the packages waiting on it', () => {
    const x = fakeRpm({ name: 'x', requires: [dep('y')] });
    const y = fakeRpm({ name: 'y', requires: [dep('z')] });
    const z = fakeRpm({ name: 'z', requires: [dep('/opt/x')] });
    const x2 = fakeRpm({ name: 'x-files', files: files('/opt/x'), requires: [dep('x')] });
    const zx = fakeRpm({ name: 'z', requires: [dep('x')] });
    const waiting = fakeRpm({ name: 'waiting', requires: [dep('z')] });
    const free = fakeRpm({ name: 'free' });
    expect(() => reorderPackages([waiting, free, y, zx, x])).toThrow(
      /^dependency cycle between y-1\.0-1\.noarch\.rpm, z-1\.0-1\.noarch\.rpm and x-1\.0-1\.noarch\.rpm: /,
    );
    expect(() => reorderPackages([x2, y, z, x])).toThrow(/between x-files-1\.0-1\.noarch\.rpm, y-1\.0-1\.noarch\.rpm, z-1\.0-1\.noarch\.rpm and x-1\.0-1\.noarch\.rpm:/);
  });
});

describe('rangesOverlap (rpm rpmdsCompare)', () => {
  const ov = (p: string, r: string) => rangesOverlap(dep(p), dep(r));
  it('matches unversioned sides', () => {
    expect(ov('x', 'x >= 9')).toBe(true);
    expect(ov('x = 1', 'x')).toBe(true);
  });
  it('compares versions with the sense flags', () => {
    expect(ov('x = 1.2', 'x >= 1.0')).toBe(true);
    expect(ov('x = 1.2', 'x < 1.2')).toBe(false);
    expect(ov('x = 1.2', 'x <= 1.2')).toBe(true);
    expect(ov('x = 1.2', 'x > 1.2')).toBe(false);
    expect(ov('x >= 2', 'x < 3')).toBe(true);
    expect(ov('x < 2', 'x > 3')).toBe(false);
    expect(ov('x = 1:0.1', 'x >= 2.0')).toBe(true);
  });
  it('ignores the release when one side has none', () => {
    expect(ov('x = 1.0-5', 'x = 1.0')).toBe(true);
    expect(ov('x = 1.0-5', 'x = 1.0-6')).toBe(false);
    expect(parseDependencyEvr('2:1.0-1.el7')).toEqual({ epoch: 2, version: '1.0', release: '1.el7' });
    expect(rangesOverlap({ name: 'x', flags: RPMSENSE.EQUAL, version: '1' }, { name: 'x', flags: RPMSENSE.LESS, version: '1' })).toBe(false);
  });
});

describe('reorder the fixture RPMs (readRpm)', () => {
  const rpms = inject('fixtureRpms');
  it('puts hello-lib (provides hello-api = 1.2) before xs-hello (requires hello-api >= 1.0)', async () => {
    const hello = await readRpm(rpms['xs-hello']!);
    const lib = await readRpm(rpms['hello-lib']!);
    const tool = await readRpm(rpms['acme-tool']!);
    expect(names(reorderPackages([hello, tool, lib]))).toEqual(['acme-tool', 'hello-lib', 'xs-hello']);
  });

  it('rejects cycle-a / cycle-b', async () => {
    const a = await readRpm(rpms['cycle-a']!);
    const b = await readRpm(rpms['cycle-b']!);
    expect(() => reorderPackages([a, b])).toThrow(
      'dependency cycle between cycle-a-1.0-1.noarch.rpm and cycle-b-1.0-1.noarch.rpm: cyclic dependencies between RPMs are not supported (use --noreorder to keep the given order)',
    );
  });
});
