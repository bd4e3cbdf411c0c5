import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Vinyl from 'vinyl';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { combinePacks as coreCombinePacks } from '../core/products/combined-pack/combine';
import { sourceDateEpoch } from '../core/base/time';
import { combinePacks, type CombinePacksOptions } from './index';
import { buildTestPacks, bytesOf, gulp, isPluginError, runPlugin, vinylOf, type Mode, type TestPacks, creationErrorOf, privateTmp as privateTmpUnder } from './testing';

const rpms = inject('fixtureRpms');
const NAMES = ['acme-all.iso', 'acme-all.iso.md5'];
let work: string;
let packs: TestPacks;
/** core's combinePacks on the packs in name order (acme-fw.iso, hello.iso), as the plugin takes them. */
let reference: { iso: string; isoMd5: string };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gulp-combine-'));
  packs = await buildTestPacks(join(work, 'packs'), rpms);
  reference = await coreCombinePacks({ packs: [packs.fw, packs.hello], outDir: join(work, 'ref'), name: 'acme-all', volumeId: 'acme-all', epoch: sourceDateEpoch() });
});
afterAll(() => rm(work, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

const privateTmp = () => privateTmpUnder(work, vi.stubEnv);
const creationError = (options: unknown): Error => creationErrorOf<CombinePacksOptions>(combinePacks, options);

describe('options are checked when the plugin is created', () => {
  test('a missing name throws a PluginError naming it', () => {
    const e = creationError({});
    expect(isPluginError(e)).toBe(true);
    expect(e).toMatchObject({ plugin: 'suppack' });
    expect(e.message).toBe('options.name: required, expected the base name of the combined ISO (e.g. acme-drivers)');
  });

  test('bad values name the option and what was expected', () => {
    expect(creationError({ name: 'acme/all' }).message).toBe('options.name: expected letters, digits, ".", "_" or "-" only, not "." or ".." (it names <name>.iso)');
    expect(creationError({ name: 'x', volumeId: 'V'.repeat(33) }).message).toBe('options.volumeId: expected at most 32 characters (the ISO volume id)');
    expect(creationError({ name: 'x', buffer: 'no' }).message).toBe('options.buffer: expected true or false, got the string "no"');
    expect(creationError({ name: 'x', outDir: 'dist' }).message).toBe('unknown option: options.outDir');
    expect(creationError(undefined).message).toMatch(/^options: expected an object/);
  });

  test('a bad SOURCE_DATE_EPOCH throws at creation', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', 'yesterday');
    expect(creationError({ name: 'x' }).message).toMatch(/^environment: SOURCE_DATE_EPOCH: expected a non-negative integer/);
  });
});

describe.each<Mode>(['buffer', 'stream'])('%s contents in', (mode) => {
  for (const buffer of [true, false]) {
    test(`<name>.iso and <name>.iso.md5 out (buffer: ${buffer}), byte-identical to core's, in name order, no temp files left`, async () => {
      const tmp = await privateTmp();
      // Arrival order hello, acme-fw: the plugin sorts by base name.
      const files = [packs.hello, packs.fw].map((p) => vinylOf(p, mode));
      const out = await runPlugin(combinePacks({ name: 'acme-all', buffer }), files);
      expect(out.error).toBeUndefined();
      expect(out.files.map((f) => f.relative)).toEqual(NAMES);
      for (const f of out.files) {
        expect(f.cwd).toBe(files[0]!.cwd);
        expect(f.base).toBe(files[0]!.base);
      }
      expect(out.files[0]!.isStream()).toBe(!buffer);
      expect(out.files[1]!.isBuffer()).toBe(true);
      expect((await bytesOf(out.files[0]!)).equals(readFileSync(reference.iso))).toBe(true);
      expect((await bytesOf(out.files[1]!)).equals(readFileSync(reference.isoMd5))).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  test('a non-ISO input is a PluginError naming it (not its temp copy)', async () => {
    const tmp = await privateTmp();
    const text = join(work, `notes-${mode}.iso`);
    await writeFile(text, 'hello, I am text\n'.repeat(200));
    const out = await runPlugin(combinePacks({ name: 'x' }), [vinylOf(packs.fw, mode), vinylOf(text, mode)]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: text });
    expect(out.error?.message).toMatch(new RegExp(`^${text}: `));
    expect(out.error?.message).not.toContain(tmp);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("an update-format pack is core's error as a PluginError naming it", async () => {
    const tmp = await privateTmp();
    const out = await runPlugin(combinePacks({ name: 'x' }), [vinylOf(packs.fw, mode), vinylOf(packs.update, mode)]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: packs.update });
    expect(out.error?.message).toMatch(new RegExp(`^${packs.update}: is an update-format pack .* cannot be combined`));
    expect(out.error?.message).not.toContain(tmp);
  });
});

test('two packs with one label are refused, naming both inputs', async () => {
  const out = await runPlugin(combinePacks({ name: 'x' }), [vinylOf(packs.fw, 'buffer'), vinylOf(packs.fw, 'buffer')]);
  expect(out.error).toMatchObject({ plugin: 'suppack', fileName: packs.fw });
  expect(out.error?.message).toBe(`${packs.fw}: its pack directory packages.acme-fw is also that of ${packs.fw}: two packs with the same label cannot share a medium`);
});

test('null files pass through; the volume id is the one given', async () => {
  const dir = new Vinyl({ cwd: '/w', base: '/w', path: '/w/packs', contents: null });
  const out = await runPlugin(combinePacks({ name: 'acme-all', volumeId: 'Acme packs' }), [dir, vinylOf(packs.fw, 'buffer'), vinylOf(packs.hello, 'buffer')]);
  expect(out.error).toBeUndefined();
  expect(out.files[0]).toBe(dir);
  expect(out.files.slice(1).map((f) => f.basename)).toEqual(NAMES);
  const expected = await coreCombinePacks({ packs: [packs.fw, packs.hello], outDir: join(work, 'vol'), name: 'acme-all', volumeId: 'Acme packs', epoch: sourceDateEpoch() });
  const iso = await bytesOf(out.files[1]!);
  expect(iso.equals(readFileSync(expected.iso))).toBe(true);
  expect(iso.equals(readFileSync(reference.iso))).toBe(false);
  expect(execFileSync('isoinfo', ['-d', '-i', expected.iso], { encoding: 'utf8' })).toContain('Volume id: Acme packs');
});

test('no packs at all is a PluginError', async () => {
  const out = await runPlugin(combinePacks({ name: 'x' }), []);
  expect(out.error).toMatchObject({ plugin: 'suppack' });
  expect(out.error?.message).toMatch(/^no packs given/);
});

test('real gulp 5: src({ encoding: false }) → combinePacks() → dest() writes core’s two files', async () => {
  const dest = join(work, 'gulp-dest');
  await pipeline(gulp.src([packs.hello, packs.fw], { encoding: false }), combinePacks({ name: 'acme-all' }), gulp.dest(dest));
  expect(readdirSync(dest).sort()).toEqual(NAMES);
  expect(readFileSync(join(dest, 'acme-all.iso')).equals(readFileSync(reference.iso))).toBe(true);
  expect(readFileSync(join(dest, 'acme-all.iso.md5')).equals(readFileSync(reference.isoMd5))).toBe(true);
});
