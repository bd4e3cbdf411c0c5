import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import Vinyl from 'vinyl';
import { describe, expect, inject, test } from 'vitest';
import { readRpm } from '../core/formats/rpm';
import { rpmInfo, type RpmVinyl } from './index';
import { bytesOf, gulp, isPluginError, runPlugin, vinylOf, type Mode } from './testing';

const rpms = inject('fixtureRpms');

describe.each<Mode>(['buffer', 'stream'])('rpmInfo() with %s contents', (mode) => {
  test('attaches the parsed headers and passes the bytes on unchanged', async () => {
    const paths = [rpms['hello-lib'], rpms['xs-hello'], rpms['many-files']];
    const { files, error } = await runPlugin(rpmInfo(), paths.map((p) => vinylOf(p, mode)));
    expect(error).toBeUndefined();
    expect(files.map((f) => f.path)).toEqual(paths);
    for (const [i, f] of files.entries()) {
      expect((f as RpmVinyl).rpm).toEqual(await readRpm(paths[i]));
      expect(mode === 'buffer' ? f.isBuffer() : f.isStream()).toBe(true);
      expect((await bytesOf(f)).equals(readFileSync(paths[i]))).toBe(true);
    }
    expect((files[1] as RpmVinyl).rpm).toMatchObject({ name: 'xs-hello', epoch: 2 });
  });

  test('an empty file is a PluginError naming it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'gulp-rpminfo-')), 'empty.rpm');
    await writeFile(path, '');
    const { files, error } = await runPlugin(rpmInfo(), [vinylOf(path, mode)]);
    expect(files).toEqual([]);
    expect(isPluginError(error)).toBe(true);
    expect(error?.plugin).toBe('suppack');
    expect(error?.fileName).toBe(path);
    expect(error?.message).toContain(path);
  });

  test('a non-RPM file is a PluginError naming it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'gulp-rpminfo-')), 'notes.rpm');
    await writeFile(path, 'hello, I am text\n'.repeat(20));
    const { error } = await runPlugin(rpmInfo(), [vinylOf(rpms['hello-lib'], mode), vinylOf(path, mode)]);
    expect(isPluginError(error)).toBe(true);
    expect(error?.plugin).toBe('suppack');
    expect(error?.message).toMatch(new RegExp(`^${path}: .*not an RPM`, 'i'));
    expect(error?.message).not.toContain('\n');
  });

  test('a truncated RPM is a PluginError naming it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'gulp-rpminfo-')), 'short.rpm');
    await writeFile(path, readFileSync(rpms['acme-tool']).subarray(0, 2000));
    const { error } = await runPlugin(rpmInfo(), [vinylOf(path, mode)]);
    expect(error?.plugin).toBe('suppack');
    expect(error?.message).toMatch(new RegExp(`^${path}: .*truncated`, 'i'));
  });
});

test('null files (directories) pass through untouched', async () => {
  const dir = new Vinyl({ cwd: '/w', base: '/w', path: '/w/rpms', contents: null });
  const { files, error } = await runPlugin(rpmInfo(), [dir, vinylOf(rpms['hello-lib'], 'buffer')]);
  expect(error).toBeUndefined();
  expect(files[0]).toBe(dir);
  expect(files[0].rpm).toBeUndefined();
  expect((files[1] as RpmVinyl).rpm.name).toBe('hello-lib');
});

test('stream contents whose size is unknown (no file.stat) are refused with a PluginError', async () => {
  const { error } = await runPlugin(rpmInfo(), [vinylOf(rpms['hello-lib'], 'stream', undefined, { stat: false })]);
  expect(error?.plugin).toBe('suppack');
  expect(error?.message).toMatch(/file\.stat\.size.*buffer: true/);
  expect(error?.message).toContain(rpms['hello-lib']);
});

test('stream contents split into 1-byte chunks still parse and replay every byte', async () => {
  const { files, error } = await runPlugin(rpmInfo(), [vinylOf(rpms['acme-tool'], 'stream', undefined, { chunk: 1 })]);
  expect(error).toBeUndefined();
  expect((files[0] as RpmVinyl).rpm.name).toBe('acme-tool');
  expect((await bytesOf(files[0])).equals(readFileSync(rpms['acme-tool']))).toBe(true);
});

describe.each([true, false])('behind real gulp 5 src({ encoding: false, buffer: %s })', (buffer) => {
  test('files arrive with their RpmInfo and intact contents', async () => {
    const seen: Vinyl[] = [];
    const sink = new Writable({
      objectMode: true,
      write(f: Vinyl, _e, done) {
        bytesOf(f).then((b) => {
          f.contents = b;
          seen.push(f);
          done();
        }, done);
      },
    });
    await pipeline(gulp.src([rpms['hello-lib'], rpms['xs-hello']], { encoding: false, buffer }), rpmInfo(), sink);
    expect(seen.map((f) => (f as RpmVinyl).rpm.name).sort()).toEqual(['hello-lib', 'xs-hello']);
    for (const f of seen) expect((f.contents as Buffer).equals(readFileSync(f.path))).toBe(true);
  });
});
