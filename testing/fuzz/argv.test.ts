// The argv fuzz kind's sandbox: no word of a drawn or mutated command line may name a file outside
// the case's directory, whichever flag, short form or operand it lands in.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { random } from '../random';
import { HOSTILE_STRINGS } from './arbitrary';
import { drawArgv, flagsOfUsage, sandboxed } from './argv';

const BOX = '/box/case';
/** Every path a word could stand for: the word, a long flag's value, a short flag's value. */
function pathsOf(word: string): string[] {
  const out = [word];
  if (word.startsWith('--') && word.includes('=')) out.push(word.slice(word.indexOf('=') + 1));
  // a short group: -xo../y is -x -o ../y, so every suffix may be a value
  if (/^-[^-]/.test(word)) for (let k = 2; k <= word.length; k++) out.push(word.slice(k));
  // --include=PATH:DEST: PATH is the part before the last ':'
  for (const p of [...out]) if (p.includes(':')) out.push(p.slice(0, p.lastIndexOf(':')));
  return out;
}
const inside = (p: string) => {
  const r = resolve(BOX, p);
  return r === BOX || r.startsWith(`${BOX}/`);
};

describe('sandboxed', () => {
  test.each([
    ['/etc/passwd', 'etc/passwd'],
    ['../../x', '_/_/x'],
    ['--output=/tmp/x.iso', '--output=tmp/x.iso'],
    ['--output=..', '--output=_'],
    ['-o../x', '-o__x'],
    ['-o/x', '-o_x'],
    ['-ho../y', '-ho__y'],
    ['a/./../b', 'a/./_/b'],
    ['nul\0byte', 'nulbyte'],
  ])('%j -> %j', (word, want) => {
    expect(sandboxed(['cmd', word])[1]).toBe(want);
  });

  test('every word of 5,000 drawn and hostile command lines stays inside the case directory', () => {
    const flags = { 'rebuild-iso': flagsOfUsage('  -o, --output=ISO   x\n  --include=PATH[:DEST]   y\n  --help   z') };
    const rand = random(20261205);
    const words: string[] = [...HOSTILE_STRINGS, '..', '/', '//', '/..', '-o..', '-o/', '--output=/..', '--include=../x:y', '..:x', '-..', '-ho../y', '-xo/etc', '-h..'];
    for (let i = 0; i < 5000; i++) words.push(...drawArgv(rand, flags).argv.slice(1), String.fromCharCode(...rand.bytes(12)));
    for (const w of sandboxed(['cmd', ...words]).slice(1)) {
      for (const p of pathsOf(w)) expect(inside(p), `${JSON.stringify(w)} -> ${JSON.stringify(p)}`).toBe(true);
    }
  });

  test('flagsOfUsage reads the flags of a usage text', () => {
    expect(flagsOfUsage('Options:\n  -o, --output=ISO        the ISO\n  --json                  JSON\n  --mem=MiB  memory\nnot a flag --x')).toEqual([
      { long: 'output', short: 'o', arg: 'ISO' },
      { long: 'json' },
      { long: 'mem', arg: 'MiB' },
    ]);
  });
});
