import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { compareXcpVersions, formatXcpVersion, parseXcpVersion, testXcpVersion } from './version';

describe('parseXcpVersion', () => {
  it('splits at the first dash into version and build', () => {
    expect(parseXcpVersion('7.0.0-125380c')).toEqual({
      arcs: [
        { kind: 'number', digits: '7' },
        { kind: 'number', digits: '0' },
        { kind: 'number', digits: '0' },
      ],
      build: '125380c',
    });
    expect(parseXcpVersion('1-2.3-4').build).toBe('2.3-4');
    expect(parseXcpVersion('1.x').arcs[1]).toEqual({ kind: 'string', text: 'x' });
    expect(formatXcpVersion(parseXcpVersion('6.5.0-90233c'))).toBe('6.5.0-90233c');
  });
});

describe('compareXcpVersions', () => {
  it('compares arcs numerically', () => {
    expect(compareXcpVersions('6.5.0', '6.5.0')).toBe(0);
    expect(compareXcpVersions('6.10', '6.9')).toBe(1);
    expect(compareXcpVersions('6.02', '6.2')).toBe(0);
    expect(compareXcpVersions('7.0', '8.2.1')).toBe(-1);
    expect(compareXcpVersions('123456789012345678901234567890.1', '123456789012345678901234567891.0')).toBe(-1);
  });

  it('makes a prefix smaller (1.0 < 1.0.0)', () => {
    expect(compareXcpVersions('1.0', '1.0.0')).toBe(-1);
    expect(compareXcpVersions('1.0.0', '1.0')).toBe(1);
  });

  it('ignores the build', () => {
    expect(compareXcpVersions('7.0.0-1', '7.0.0-999')).toBe(0);
    expect(compareXcpVersions('7.0.0-zzz', '7.0.0')).toBe(0);
  });

  it('fails on a string arc that has to be compared, but not on one past the decision', () => {
    expect(() => compareXcpVersions('1.x', '1.0')).toThrow(SuppackError);
    expect(() => compareXcpVersions('1.0', '1.beta', { file: '--requires' })).toThrow(/^--requires: cannot compare versions 1\.0 and 1\.beta: arc "beta"/);
    expect(compareXcpVersions('1.x', '2.0')).toBe(-1);
    expect(compareXcpVersions('1.0', '1.0.x')).toBe(-1);
  });

  it('evaluates the six tests', () => {
    expect(testXcpVersion('7.1.0', 'ge', '7.0.0')).toBe(true);
    expect(testXcpVersion('7.1.0', 'le', '7.0.0')).toBe(false);
    expect(testXcpVersion('7.0.0-2', 'eq', '7.0.0-1')).toBe(true);
    expect(testXcpVersion('7.0.0', 'ne', '7.0')).toBe(true);
    expect(testXcpVersion('7.0', 'lt', '7.0.0')).toBe(true);
    expect(testXcpVersion('7.0.0', 'gt', '7.0')).toBe(true);
  });
});
