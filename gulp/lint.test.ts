import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildFixtureRpmFiles, type FixtureRpms } from '../testing/rpms';
import { lint } from './index';
import { bytesOf, isPluginError, runPlugin, vinylOf, type Mode } from './testing';
import { readFileSync } from 'node:fs';

let rpms: FixtureRpms;
beforeAll(() => {
  rpms = buildFixtureRpmFiles(join(__dirname, '../testing/fixtures/lint-specs'));
});
const rpm = (prefix: string) => rpms[Object.keys(rpms).find((f) => f.startsWith(`${prefix}-1.0-1`))!]!;
const UPDATE = { format: 'update' as const, uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme', version: '1.0', description: 'ACME' };

describe.each<Mode>(['buffer', 'stream'])('lint() with %s contents', (mode) => {
  test('clean RPMs pass through unchanged, with the report as a file when asked', async () => {
    const paths = [rpm('lint-clean-tools'), rpm('lint-clean-modules-4.19.0+1')];
    const { files, error } = await runPlugin(lint({ ...UPDATE, report: 'lint.sarif' }), paths.map((p) => vinylOf(p, mode)));
    expect(error).toBeUndefined();
    expect(files.map((f) => f.basename)).toEqual([...paths.map((p) => p.slice(p.lastIndexOf('/') + 1)), 'lint.sarif']);
    for (const [i, p] of paths.entries()) expect((await bytesOf(files[i]!)).equals(readFileSync(p))).toBe(true);
    const sarif = JSON.parse(files[2]!.contents!.toString());
    expect(sarif.runs[0].results).toEqual([]);
  });

  test('a rule broken: a PluginError listing the finding', async () => {
    const { error } = await runPlugin(lint(UPDATE), [vinylOf(rpm('lint-bad-udev'), mode)]);
    expect(isPluginError(error)).toBe(true);
    expect(error!.message.split('\n')).toEqual([
      'lint found 1 error (docs/lint.md)',
      'error: lint-bad-udev-1.0-1.noarch.rpm: /lib/udev/rules.d/90-acme.rules: udev rules outside /etc/udev/rules.d/ [PLACE-UDEV, DDK guide 7.2]',
    ]);
  });

  test('an ignored rule does not fail; the report says so', async () => {
    let lines: string[] = [];
    const { error } = await runPlugin(lint({ ...UPDATE, ignore: { 'PLACE-UDEV': 'vendor udev' }, onReport: (_r, l) => (lines = l) }), [vinylOf(rpm('lint-bad-udev'), mode)]);
    expect(error).toBeUndefined();
    expect(lines[0]).toMatch(/\[PLACE-UDEV, DDK guide 7\.2, ignored: vendor udev\]$/);
  });
});

test('vermagic is checked for buffer contents and noted as unchecked for streams', async () => {
  const bad = rpm('lint-bad-vermagic-4.19.0+1');
  const buffered = await runPlugin(lint(UPDATE), [vinylOf(bad, 'buffer')]);
  expect(buffered.error?.message).toContain('[KMOD-VERMAGIC, DDK guide 7.1]');
  let notes: string[] = [];
  const streamed = await runPlugin(lint({ ...UPDATE, onReport: (r) => (notes = r.notes) }), [vinylOf(bad, 'stream')]);
  expect(streamed.error).toBeUndefined();
  expect(notes[0]).toMatch(/^lint-bad-vermagic-4\.19\.0\+1-1\.0-1\.noarch\.rpm: the modules' vermagic was not checked: stream contents/);
});

test('bad options throw when the plugin is created', () => {
  expect(() => lint({ ...UPDATE, ignore: { NOPE: 'x' } })).toThrow(/ignore\.NOPE: unknown rule/);
  expect(() => lint({ ...UPDATE, report: 'lint.txt' })).toThrow(/report: expected a file name ending in \.sarif or \.json/);
  expect(() => lint({ format: 'update', label: 'acme' } as never)).toThrow(/uuid/);
});
