import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Vinyl from 'vinyl';
import { afterEach, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { buildLegacyPack } from '../core/products/legacy-pack/pack';
import { sourceDateEpoch } from '../core/base/time';
import { legacyPackSchema, type LegacyPackInput } from '../schemas/legacy-pack';
import { rpmInfo, supplementalPack, type SupplementalPackOptions } from './index';
import type { UpdateSupplementalPackOptions } from './supplemental-pack';
import { buildUpdatePack } from '../core/products/update-pack/pack';
import { updatePackSchema } from '../schemas/update-pack';
import { hostileRpm, withPayloadBytesOverwritten } from '../core/formats/rpm/testing';
import { bytesOf, gulp, isPluginError, runPlugin, vinylOf, type Mode, creationErrorOf, privateTmp as privateTmpUnder } from './testing';

const rpms = inject('fixtureRpms');
const PACK: LegacyPackInput = {
  vendorCode: 'acme',
  vendorName: 'Acme Corp.',
  label: 'acme-hello',
  text: 'Acme hello pack',
  version: '1.0',
  build: '7',
  memoryMb: 10,
  productVersion: '7.0.0',
};
// Fed to the plugin in this (unsorted) order; the plugin takes them in file-name order, so the
// reference build gets them sorted.
const INPUTS = [rpms['xs-hello'], rpms['hello-lib'], rpms['acme-tool']];
const SORTED = [...INPUTS].sort((a, b) => basename(a).localeCompare(basename(b), 'en'));
const NAMES = ['acme-hello.iso', 'acme-hello.iso.md5', 'acme-hello.metadata.md5'];
const UPDATE: UpdateSupplementalPackOptions = {
  format: 'update',
  uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50',
  label: 'acme-hello',
  version: '1.0',
  description: 'Acme hello update',
  baseRequires: 'xenserver-release >= 8.2.0',
};

let reference: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gulp-supppack-'));
  reference = join(work, 'reference');
  await buildLegacyPack({ pack: legacyPackSchema.parse(PACK), rpms: SORTED, outDir: reference, tarball: true, epoch: sourceDateEpoch() });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const privateTmp = () => privateTmpUnder(work, vi.stubEnv);
const creationError = (options: unknown): Error => creationErrorOf<SupplementalPackOptions>(supplementalPack, options);

describe('options are checked when the plugin is created', () => {
  test('a missing required option throws a PluginError naming it', () => {
    const { label: _, ...noLabel } = PACK;
    const e = creationError(noLabel);
    expect(isPluginError(e)).toBe(true);
    expect(e).toMatchObject({ plugin: 'suppack' });
    expect(e.message).toBe('options.label: required, expected the pack label (e.g. acme-nic)');
  });

  test('a missing productVersion (needed by the base requirement) throws at creation', () => {
    const { productVersion: _, ...rest } = PACK;
    const e = creationError(rest);
    expect(e).toMatchObject({ plugin: 'suppack' });
    expect(e.message).toMatch(/^options\.productVersion: required: the XenServer version/);
    expect(() => supplementalPack({ ...rest, baseRequires: false })).not.toThrow();
  });

  test('an invalid value names the option and what was expected', () => {
    expect(creationError({ ...PACK, text: 'x'.repeat(40) }).message).toBe('options.text: expected at most 32 characters (it becomes the ISO volume id)');
    expect(creationError({ ...PACK, requires: [{ originator: 'xs', name: 'main', test: 'eq', version: 'seven' }] }).message).toMatch(
      /^options\.requires\[0\]\.version: expected a dotted numeric version/,
    );
    expect(creationError({ ...PACK, buffer: 'no' }).message).toBe('options.buffer: expected true or false');
    expect(creationError({ ...PACK, outDir: 'x' }).message).toBe('unknown option: options.outDir');
    expect(creationError(undefined).message).toMatch(/^options: expected an object/);
  });

  test('the format is legacy or update, each checked by its own schema', () => {
    expect(creationError({ ...PACK, format: 'zip' }).message).toBe('options.format: expected "legacy" or "update", got "zip"');
    expect(() => supplementalPack({ ...PACK, format: 'legacy' })).not.toThrow();
    expect(creationError({ ...UPDATE, uuid: 'NOT-A-UUID' }).message).toMatch(/^options\.uuid: expected a lowercase UUID/);
    expect(creationError({ ...UPDATE, afterApply: ['reboot'] }).message).toMatch(/^options\.afterApply\[0\]: expected one of restartXAPI/);
    expect(creationError({ ...UPDATE, tarball: true }).message).toBe('options.tarball: update packs have no tarball');
    expect(creationError({ format: 'update', label: 'x' }).message).toMatch(/^options\.uuid: required/);
    // build-update --rollups: UUIDs; the former { uuid, label } entries are refused with why.
    expect(creationError({ ...UPDATE, rollups: [{ uuid: '11111111-2222-3333-4444-555555555555', label: 'old' }] }).message).toMatch(
      /^options\.rollups\[0\]: expected the UUID of a rolled-up update as a string; the \{ uuid, label \} form is gone/,
    );
    expect(() => supplementalPack({ ...UPDATE, rollups: ['11111111-2222-3333-4444-555555555555'], enforceHomogeneity: true })).not.toThrow();
    expect(creationError({ ...UPDATE, signing: { keyFile: 'k.asc', keyUid: 'Acme' } }).message).toBe('options.signing: give keyFile or keyUid, not both');
  });

  test('a bad SOURCE_DATE_EPOCH throws at creation', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', 'yesterday');
    expect(creationError(PACK).message).toMatch(/^environment: SOURCE_DATE_EPOCH: expected a non-negative integer/);
  });
});

describe.each<Mode>(['buffer', 'stream'])('%s contents in', (mode) => {
  for (const buffer of [true, false]) {
    test(`three files out (buffer: ${buffer}), the ISO byte-identical to buildLegacyPack's, no temp files left`, async () => {
      const tmp = await privateTmp();
      const files = INPUTS.map((p) => vinylOf(p, mode));
      const out = await runPlugin(supplementalPack({ ...PACK, buffer }), files);
      expect(out.error).toBeUndefined();
      expect(out.files.map((f) => f.relative)).toEqual(NAMES);
      for (const f of out.files) {
        expect(f.cwd).toBe(files[0].cwd);
        expect(f.base).toBe(files[0].base);
      }
      expect(out.files[0].isStream()).toBe(!buffer);
      expect(out.files[1].isBuffer() && out.files[2].isBuffer()).toBe(true);
      for (const [i, f] of out.files.entries()) {
        expect((await bytesOf(f)).equals(readFileSync(join(reference, NAMES[i]))), NAMES[i]).toBe(true);
      }
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  test('an empty file is a PluginError naming it (not its temp copy), and nothing is emitted', async () => {
    const tmp = await privateTmp();
    const empty = join(work, 'empty.rpm');
    await writeFile(empty, '');
    const out = await runPlugin(supplementalPack(PACK), [vinylOf(INPUTS[0], mode), vinylOf(empty, mode)]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: empty });
    expect(out.error?.message).toMatch(new RegExp(`^${empty}: `));
    expect(out.error?.message).not.toContain(tmp);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a non-RPM file is a PluginError naming it', async () => {
    const text = join(work, 'readme.rpm');
    await writeFile(text, 'hello, I am text\n'.repeat(20));
    const out = await runPlugin(supplementalPack(PACK), [vinylOf(INPUTS[0], mode), vinylOf(text, mode)]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: text });
    expect(out.error?.message).toMatch(new RegExp(`^${text}: .*not an RPM`, 'i'));
  });
});

// Issue 19 items 1 and 3 (reproducers): a hostile NAME and an RPM rpm -K rejects never go into
// a pack from the plugin, in either format; the error names the input file, not a temp copy.
describe.each(['legacy', 'update'] as const)('hostile and corrupt RPMs, %s format', (format) => {
  const options = () => (format === 'legacy' ? PACK : UPDATE);
  test('a NAME of --eval=%(...) is refused, naming the file and the NAME tag', async () => {
    const tmp = await privateTmp();
    const evil = hostileRpm(work, `evil-${format}.rpm`, { name: '--eval=%(touch /tmp/suppack-never)' });
    const out = await runPlugin(supplementalPack(options()), [vinylOf(INPUTS[0], 'stream'), vinylOf(evil, 'stream')]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: evil });
    expect(out.error?.message).toMatch(new RegExp(`^${evil}: main header tag 1000 \\(NAME\\): "--eval=.*is not a valid package name`));
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('2 payload bytes overwritten: refused as corrupt, naming the file', async () => {
    const corrupt = withPayloadBytesOverwritten(rpms['hello-lib'], work, `corrupt-${format}.rpm`);
    const out = await runPlugin(supplementalPack(options()), [vinylOf(INPUTS[0], 'buffer'), vinylOf(corrupt, 'buffer')]);
    expect(out.files).toEqual([]);
    expect(out.error).toMatchObject({ plugin: 'suppack', fileName: corrupt });
    expect(out.error?.message).toMatch(new RegExp(`^${corrupt}: signature header tag 1004 \\(MD5\\): .*the RPM is corrupt`));
  });
});

test('null files pass through, the pack is built from the rest', async () => {
  const dir = new Vinyl({ cwd: '/w', base: '/w', path: '/w/rpms', contents: null });
  const out = await runPlugin(supplementalPack(PACK), [dir, ...INPUTS.map((p) => vinylOf(p, 'buffer'))]);
  expect(out.error).toBeUndefined();
  expect(out.files[0]).toBe(dir);
  expect(out.files.slice(1).map((f) => f.basename)).toEqual(NAMES);
});

test('no RPMs at all is a PluginError', async () => {
  const out = await runPlugin(supplementalPack(PACK), []);
  expect(out.error).toMatchObject({ plugin: 'suppack' });
  expect(out.error?.message).toMatch(/^no packages given/);
});

test('two inputs with the same file name are refused, naming both', async () => {
  const other = join(work, 'dup');
  await mkdir(other, { recursive: true });
  const copy = join(other, basename(INPUTS[0]));
  await copyFile(INPUTS[0], copy);
  const out = await runPlugin(supplementalPack(PACK), [vinylOf(INPUTS[0], 'buffer'), vinylOf(copy, 'buffer')]);
  expect(out.error).toMatchObject({ plugin: 'suppack', fileName: copy });
  expect(out.error?.message).toBe(`${copy}: same file name as ${INPUTS[0]}: every package in a pack needs its own file name`);
});

test('tarball: true adds <label>.tar.gz, identical to the CLI path', async () => {
  const out = await runPlugin(supplementalPack({ ...PACK, tarball: true }), INPUTS.map((p) => vinylOf(p, 'buffer')));
  expect(out.files.map((f) => f.basename)).toEqual([...NAMES, 'acme-hello.tar.gz']);
  expect((await bytesOf(out.files[3])).equals(readFileSync(join(reference, 'acme-hello.tar.gz')))).toBe(true);
});

test('SOURCE_DATE_EPOCH at creation sets the ISO times, as in the CLI', async () => {
  vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
  const plugin = supplementalPack(PACK);
  const out = await runPlugin(plugin, INPUTS.map((p) => vinylOf(p, 'buffer')));
  const dir = join(work, 'sde');
  await buildLegacyPack({ pack: legacyPackSchema.parse(PACK), rpms: SORTED, outDir: dir, epoch: 1700000000 });
  const iso = await bytesOf(out.files[0]);
  expect(iso.equals(await readFile(join(dir, 'acme-hello.iso')))).toBe(true);
  expect(iso.equals(readFileSync(join(reference, 'acme-hello.iso')))).toBe(false);
});

describe.each([true, false])('real gulp 5: src({ encoding: false, buffer: %s }) → rpmInfo() → supplementalPack() → dest()', (buffer) => {
  test('writes the same three files as buildLegacyPack', async () => {
    const dest = join(work, `gulp-dest-${buffer}`);
    await pipeline(gulp.src(INPUTS, { encoding: false, buffer }), rpmInfo(), supplementalPack({ ...PACK, buffer }), gulp.dest(dest));
    expect(readdirSync(dest).sort()).toEqual(NAMES);
    for (const name of NAMES) expect(readFileSync(join(dest, name)).equals(readFileSync(join(reference, name))), name).toBe(true);
  });
});

describe.each<Mode>(['buffer', 'stream'])('update format, %s contents in', (mode) => {
  test('emits the ISO and its .sha256, byte-identical to core (the CLI and the Nx targets)', async () => {
    const ref = join(work, `update-ref-${mode}`);
    await mkdir(ref, { recursive: true });
    const expected = await buildUpdatePack({
      pack: updatePackSchema.parse((({ format: _f, ...rest }) => rest)(UPDATE)),
      rpms: SORTED,
      files: {},
      output: ref,
      epoch: sourceDateEpoch(),
    });
    const { files, error } = await runPlugin(
      supplementalPack(UPDATE),
      INPUTS.map((p) => vinylOf(p, mode)),
    );
    expect(error).toBeUndefined();
    expect(files.map((f) => f.basename)).toEqual(['acme-hello.iso', 'acme-hello.iso.sha256']);
    const iso = await bytesOf(files[0]!);
    expect(iso.equals(readFileSync(expected.iso))).toBe(true);
    expect((await bytesOf(files[1]!)).toString()).toBe(`${expected.sha256}  acme-hello.iso\n`);
  });
});
