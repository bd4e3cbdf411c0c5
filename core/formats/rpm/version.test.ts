import { random } from '../../../testing/random';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareEvr, formatNevra, rpmFileName, rpmvercmp } from './version';

/** [a, b, rpmvercmp(a, b)]: rpm's documented cases (tests/rpmvercmp.at) plus the brief's examples. */
const CASES: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1], ['2.0.1', '2.0', 1],
  ['1.0', '1.0.1', -1], ['1.0a', '1.0', 1], ['1.0', '1.0a', -1],
  ['2.0.1a', '2.0.1a', 0], ['2.0.1a', '2.0.1', 1], ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0], ['5.5p1', '5.5p2', -1], ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0], ['5.5p1', '5.5p10', -1], ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1], ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0], ['xyz10', 'xyz10.1', -1], ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0], ['xyz.4', '8', -1], ['8', 'xyz.4', 1], ['xyz.4', '2', -1], ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1], ['5.6p1', '5.5p2', 1], ['5.6p1', '6.5p1', -1], ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1], ['6.0', '6.0.rc1', -1],
  ['10b2', '10a1', 1], ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0], ['1.0a', '1.0aa', -1], ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0], ['10.0001', '10.1', 0], ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1], ['10.0039', '10.0001', 1],
  ['4.999.9', '5.0', -1], ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0], ['20101121', '20101122', -1], ['20101122', '20101121', 1],
  ['2_0', '2_0', 0], ['2.0', '2_0', 0], ['2_0', '2.0', 0],
  ['a', 'a', 0], ['a+', 'a+', 0], ['a+', 'a_', 0], ['a_', 'a+', 0],
  ['+a', '+a', 0], ['+a', '_a', 0], ['_a', '+a', 0], ['+_', '+_', 0], ['_+', '+_', 0], ['_+', '_+', 0], ['+', '_', 0], ['_', '+', 0],
  ['1.0~rc1', '1.0~rc1', 0], ['1.0~rc1', '1.0', -1], ['1.0', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc2', -1], ['1.0~rc2', '1.0~rc1', 1],
  ['1.0~rc1~git123', '1.0~rc1~git123', 0], ['1.0~rc1~git123', '1.0~rc1', -1], ['1.0~rc1', '1.0~rc1~git123', 1],
  ['1.0^', '1.0^', 0], ['1.0^', '1.0', 1], ['1.0', '1.0^', -1],
  ['1.0^git1', '1.0^git1', 0], ['1.0^git1', '1.0', 1], ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1], ['1.0^git2', '1.0^git1', 1],
  ['1.0^git1', '1.01', -1], ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0], ['1.0^20160101', '1.0.1', -1], ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0], ['1.0^20160102', '1.0^20160101^git1', 1], ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0], ['1.0~rc1^git1', '1.0~rc1', 1], ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0], ['1.0^git1', '1.0^git1~pre', 1], ['1.0^git1~pre', '1.0^git1', -1],
  ['1.0~', '1.0', -1], ['1.0~', '1.0~~', 1], ['', '', 0], ['', '1', -1], ['1', '', 1], ['1.', '1', 0],
];

/**
 * rpm's own comparison, through its embedded Lua (`rpm.vercmp`), for every pair in one call.
 * rpm.vercmp parses an [epoch:]version[-release] and refuses '': only pass non-empty strings
 * without ':' or '-', for which it is exactly rpmvercmp(a, b).
 */
function rpmVercmp(pairs: [string, string][]): number[] {
  for (const [a, b] of pairs) if (!a || !b || /[:-]/.test(a + b)) throw new Error(`not comparable by rpm.vercmp: ${a} ${b}`);
  const lua = (s: string) => `'${s.replace(/[\\']/g, '\\$&')}'`;
  const body = pairs.map(([a, b]) => `print(rpm.vercmp(${lua(a)}, ${lua(b)}) .. ' ')`).join(' ');
  let out: string;
  try {
    out = execFileSync('rpm', ['--eval', `%{lua: ${body}}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`rpm --eval failed: ${String((e as { stderr?: string }).stderr).slice(0, 500)}`);
  }
  return out.trim().split(/\s+/).map(Number);
}

describe('rpmvercmp', () => {
  it.each(CASES)('rpmvercmp(%j, %j) = %i', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
  });

  it('the table agrees with the installed rpm', () => {
    const comparable = CASES.filter(([a, b]) => a !== '' && b !== '');
    expect(comparable.length).toBeGreaterThan(90);
    const real = rpmVercmp(comparable.map(([a, b]) => [a, b]));
    expect(real).toEqual(comparable.map(([, , r]) => r));
  });

  it('agrees with the installed rpm on 2000 random version pairs', () => {
    const rand = random(42).int;
    const alphabet = ['0', '1', '2', '9', '00', '10', 'a', 'b', 'z', 'A', 'rc', '.', '.', '_', '+', '~', '^'];
    const gen = () => Array.from({ length: 1 + rand(7) }, () => alphabet[rand(alphabet.length)]).join('');
    const pairs: [string, string][] = Array.from({ length: 2000 }, () => {
      const a = gen();
      return [a, rand(3) === 0 ? a + gen() : gen()];
    });
    const real = rpmVercmp(pairs);
    expect(pairs.map(([a, b]) => rpmvercmp(a, b))).toEqual(real);
  });
});

describe('compareEvr', () => {
  it('epoch first, then version, then release', () => {
    expect(compareEvr({ epoch: 1, version: '1.0', release: '1' }, { version: '9.9', release: '9' })).toBe(1);
    expect(compareEvr({ version: '1.0', release: '1' }, { epoch: 0, version: '1.0', release: '1' })).toBe(0);
    expect(compareEvr({ epoch: 2, version: '1.0', release: '1' }, { epoch: 2, version: '1.0.1', release: '0' })).toBe(-1);
    expect(compareEvr({ version: '1.0', release: '2.xs8' }, { version: '1.0', release: '10.xs8' })).toBe(-1);
    expect(compareEvr({ version: '1.0', release: '1' }, { version: '1.0' })).toBe(1);
    expect(compareEvr({ version: '1.0~rc1', release: '5' }, { version: '1.0', release: '1' })).toBe(-1);
  });
});

describe('naming', () => {
  const base = { name: 'xs-hello', version: '1.0', release: '1', arch: 'noarch', isSource: false };
  it('formatNevra shows the epoch only when there is one', () => {
    expect(formatNevra({ ...base, epoch: 2 })).toBe('xs-hello-2:1.0-1.noarch');
    expect(formatNevra({ ...base, epoch: 0 })).toBe('xs-hello-0:1.0-1.noarch');
    expect(formatNevra(base)).toBe('xs-hello-1.0-1.noarch');
  });
  it('rpmFileName', () => {
    expect(rpmFileName({ ...base, name: 'acme-4.19.0+1-modules', arch: 'x86_64' })).toBe('acme-4.19.0+1-modules-1.0-1.x86_64.rpm');
    expect(rpmFileName({ ...base, arch: 'x86_64', isSource: true })).toBe('xs-hello-1.0-1.src.rpm');
  });
});
