import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Vinyl from 'vinyl';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { rebuildIso as coreRebuildIso, type RebuildIsoBuild } from '../core/products/installer-iso/rebuild';
import { ANSWERFILE, buildTestInstaller } from '../core/products/installer-iso/testing';
import { sourceDateEpoch } from '../core/base/time';
import { rebuildIso, type RebuildIsoOptions } from './index';
import { buildTestPacks, bytesOf, gulp, isPluginError, runPlugin, vinylOf, type Mode, type TestPacks, creationErrorOf, privateTmp as privateTmpUnder } from './testing';

const rpms = inject('fixtureRpms');
let work: string;
let packs: TestPacks;
let base: string;
let answerfile: string;
let extra: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gulp-rebuild-'));
  packs = await buildTestPacks(join(work, 'packs'), rpms);
  base = buildTestInstaller(join(work, 'base'));
  answerfile = join(work, 'answerfile.xml');
  writeFileSync(answerfile, ANSWERFILE);
  extra = join(work, 'extra');
  mkdirSync(join(extra, 'sub'), { recursive: true });
  writeFileSync(join(extra, 'sub/notes.txt'), 'extra\n');
});
afterAll(() => rm(work, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

let refCount = 0;
/** core's rebuildIso on the same inputs: the bytes the plugin must emit. */
async function reference(o: Omit<RebuildIsoBuild, 'input' | 'output' | 'epoch'>): Promise<Buffer> {
  const output = join(work, `ref-${refCount++}.iso`);
  await coreRebuildIso({ input: base, output, epoch: sourceDateEpoch(), ...o });
  return readFileSync(output);
}

const privateTmp = () => privateTmpUnder(work, vi.stubEnv);
const creationError = (options: unknown): Error => creationErrorOf<RebuildIsoOptions>(rebuildIso, options);

describe('options are checked when the plugin is created', () => {
  test('a missing base throws a PluginError naming it', () => {
    const e = creationError({ answerfile: 'a.xml' });
    expect(isPluginError(e)).toBe(true);
    expect(e).toMatchObject({ plugin: 'suppack' });
    expect(e.message).toBe('options.base: required, expected the installer ISO to start from (a path)');
  });

  test('bad values name the option and what was expected', () => {
    expect(creationError({ base: 42 }).message).toBe('options.base: expected the installer ISO to start from (a path), got the number 42');
    expect(creationError({ base: 'x.iso', output: 'dist/x.iso' }).message).toMatch(/^options\.output: expected a file name ending in \.iso/);
    expect(creationError({ base: 'x.iso', include: [{ from: 'a', to: '../up' }] }).message).toMatch(/^options\.include\[0\]\.to: expected a relative path inside the ISO/);
    expect(creationError({ base: 'x.iso', include: [{ to: 'a' }] }).message).toBe('options.include[0].from: required, expected a file or directory (a path)');
    expect(creationError({ base: 'x.iso', drivers: ['a.rpm', ''] }).message).toBe('options.drivers[1]: expected a driver RPM (a path), got ""');
    expect(creationError({ base: 'x.iso', volumeId: 'V'.repeat(33) }).message).toBe('options.volumeId: expected at most 32 characters (the ISO volume id)');
    expect(creationError({ base: 'x.iso', buffer: 1 }).message).toBe('options.buffer: expected true or false, got the number 1');
    expect(creationError({ base: 'x.iso', packs: ['a.iso'] }).message).toBe('unknown option: options.packs');
    expect(creationError({ base: 'x.iso', answerfile: 'a.xml', bootEntries: [] }).message).toBe('options.bootEntries: expected at least one boot entry name');
    expect(creationError({ base: 'x.iso', answerfile: 'a.xml', bootEntries: ['install', ' '] }).message).toBe('options.bootEntries[1]: expected a boot entry name, got an empty one');
    expect(creationError({ base: 'x.iso', bootEntries: ['install'] }).message).toBe('options.bootEntries: expected with an answerfile, whose parameters it directs');
    expect(creationError({ base: 'x.iso', log: 'yes' }).message).toBe('options.log: expected a function (line) => void, or false');
    expect(creationError(null).message).toMatch(/^options: expected an object/);
  });

  test('a bad SOURCE_DATE_EPOCH throws at creation', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '-1');
    expect(creationError({ base: 'x.iso' }).message).toMatch(/^environment: SOURCE_DATE_EPOCH: expected a non-negative integer/);
  });
});

describe.each<Mode>(['buffer', 'stream'])('%s contents in', (mode) => {
  for (const buffer of [true, false]) {
    test(`packs + answerfile + include → basename(base), byte-identical to core's (buffer: ${buffer}), no temp files left`, async () => {
      const tmp = await privateTmp();
      const files = [packs.hello, packs.fw].map((p) => vinylOf(p, mode));
      const plugin = rebuildIso({ base, answerfile, include: [{ from: extra, to: 'site' }], buffer });
      const out = await runPlugin(plugin, files);
      expect(out.error).toBeUndefined();
      expect(out.files.map((f) => f.relative)).toEqual(['installer.iso']);
      expect(out.files[0]!.cwd).toBe(files[0]!.cwd);
      expect(out.files[0]!.base).toBe(files[0]!.base);
      expect(out.files[0]!.isStream()).toBe(!buffer);
      const expected = await reference({ packs: [packs.fw, packs.hello], answerfile, include: [{ from: extra, to: 'site' }] });
      expect((await bytesOf(out.files[0]!)).equals(expected)).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  test('a non-ISO pack is a PluginError naming it (not its temp copy)', async () => {
    const tmp = await privateTmp();
    const text = join(work, `notes-${mode}.iso`);
    await writeFile(text, 'hello, I am text\n'.repeat(200));
    const out = await runPlugin(rebuildIso({ base }), [vinylOf(packs.fw, mode), vinylOf(text, mode)]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: text });
    expect(out.error?.message).toMatch(new RegExp(`^${text}: `));
    expect(out.error?.message).not.toContain(tmp);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("an update-format pack is core's error as a PluginError naming it", async () => {
    const out = await runPlugin(rebuildIso({ base, answerfile }), [vinylOf(packs.update, mode)]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: packs.update });
    expect(out.error?.message).toMatch(new RegExp(`^${packs.update}: is an update-format pack .* cannot be combined`));
  });
});

test('an empty stream with only an answerfile rebuilds with no packs; a relative base is resolved against process.cwd()', async () => {
  const tmp = await privateTmp();
  const plugin = rebuildIso({ base: relative(process.cwd(), base), answerfile, output: 'auto.iso', volumeId: 'AUTO' });
  const out = await runPlugin(plugin, []);
  expect(out.error).toBeUndefined();
  expect(out.files.map((f) => f.path)).toEqual([join(process.cwd(), 'auto.iso')]);
  expect(out.files[0]!.cwd).toBe(process.cwd());
  const expected = await reference({ answerfile, volumeId: 'AUTO' });
  const iso = await bytesOf(out.files[0]!);
  expect(iso.equals(expected)).toBe(true);
  expect(iso.equals(readFileSync(base))).toBe(false);
  expect(readdirSync(tmp)).toEqual([]);
});

test('null files pass through; packs alone (no answerfile) are fine', async () => {
  const dir = new Vinyl({ cwd: '/w', base: '/w', path: '/w/packs', contents: null });
  const out = await runPlugin(rebuildIso({ base }), [dir, vinylOf(packs.fw, 'buffer')]);
  expect(out.error).toBeUndefined();
  expect(out.files[0]).toBe(dir);
  expect(out.files[1]!.basename).toBe('installer.iso');
  expect((await bytesOf(out.files[1]!)).equals(await reference({ packs: [packs.fw] }))).toBe(true);
});

test('nothing to add (no packs, no answerfile, include or drivers) is a PluginError', async () => {
  const out = await runPlugin(rebuildIso({ base }), []);
  expect(out.files).toEqual([]);
  expect(out.error).toMatchObject({ plugin: 'suppack' });
  expect(out.error?.message).toMatch(/^nothing to add: /);
});

test('a missing base ISO or answerfile is a PluginError naming it', async () => {
  const missing = join(work, 'no-such-installer.iso');
  const a = await runPlugin(rebuildIso({ base: missing, answerfile }), []);
  expect(a.error).toMatchObject({ plugin: 'suppack', fileName: missing });
  expect(a.error?.message).toMatch(new RegExp(`^${missing}: `));
  const noAnswerfile = join(work, 'no-such-answerfile.xml');
  const b = await runPlugin(rebuildIso({ base, answerfile: noAnswerfile }), []);
  expect(b.error).toMatchObject({ plugin: 'suppack', fileName: noAnswerfile });
  expect(b.error?.message).toBe(`${noAnswerfile}: cannot read it: no such file or directory`);
});

test('real gulp 5: src({ encoding: false, buffer: false }) → rebuildIso() → dest()', async () => {
  const dest = join(work, 'gulp-dest');
  await pipeline(gulp.src([packs.hello, packs.fw], { encoding: false, buffer: false }), rebuildIso({ base, answerfile, buffer: false }), gulp.dest(dest));
  expect(readdirSync(dest)).toEqual(['installer.iso']);
  expect(readFileSync(join(dest, 'installer.iso')).equals(await reference({ packs: [packs.fw, packs.hello], answerfile }))).toBe(true);
  expect(execFileSync('bsdtar', ['-xOf', join(dest, 'installer.iso'), 'XS-REPOSITORY-LIST'], { encoding: 'utf8' })).toBe('packages.acme-fw\npackages.hello\n');
});

test('bootEntries picks the entries; log gets the per-menu report (entries patched, entries left and why)', async () => {
  const lines: string[] = [];
  const out = await runPlugin(rebuildIso({ base, answerfile, bootEntries: ['install'], output: 'named.iso', log: (l) => lines.push(l) }), []);
  expect(out.error).toBeUndefined();
  expect((await bytesOf(out.files[0]!)).equals(await reference({ answerfile, bootEntries: ['install'] }))).toBe(true);
  expect(lines).toEqual([
    'boot/isolinux/isolinux.cfg: answerfile parameters added to "install"',
    'boot/isolinux/isolinux.cfg: left "local": is not a Xen entry (LOCALBOOT 0)',
    'EFI/xenserver/grub.cfg: answerfile parameters added to "install"',
    'boot/efiboot.img:EFI/xenserver/grub.cfg: answerfile parameters added to "install"',
  ]);
  const bad = await runPlugin(rebuildIso({ base, answerfile, bootEntries: ['local'], log: false }), []);
  expect(bad.error?.message).toBe(`${base}: boot/isolinux/isolinux.cfg: boot entry "local" is named to get the answerfile parameters, but is not a Xen entry (LOCALBOOT 0)`);
});
