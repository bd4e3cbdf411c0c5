/**
 * Issue 6 acceptance, end to end: the packed tarball plus real gulp 5 run examples/gulp/gulpfile.js,
 * and the ISO it writes is byte-identical to the one `suppack build-supplemental-pack` writes from
 * the same RPMs with the same options. A bad RPM fails the gulp task with a suppack PluginError.
 * Needs `npm run build` first, and the `./gulp` entry in package.json `exports` (suppack/gulp).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EXAMPLE_FLAGS, installPackedSuppack, recordOutputHashes, REPO, run, type Installed } from './testing';

const EXAMPLE = join(REPO, 'examples/gulp');
const RPM_DIR = join(REPO, 'examples/legacy-pack/rpms');
const RPMS = readdirSync(RPM_DIR).filter((f) => f.endsWith('.rpm'));
const OUTPUTS = ['example-hello.iso', 'example-hello.iso.md5', 'example-hello.metadata.md5'];
// The options of examples/gulp/gulpfile.js, as CLI flags.
const FLAGS = EXAMPLE_FLAGS;

let project: Installed;

afterAll(() => {
  if (project) rmSync(project.root, { recursive: true, force: true });
});

beforeAll(() => {
  project = installPackedSuppack();
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'gulp@5'], { cwd: project.dir });
  expect(r.status, r.stderr).toBe(0);
});

/** A copy of examples/gulp (the gulpfile) with the example RPMs, inside the installed project. */
function exampleProject(name: string): string {
  const dir = join(project.dir, name);
  mkdirSync(join(dir, 'rpms'), { recursive: true });
  cpSync(join(EXAMPLE, 'gulpfile.js'), join(dir, 'gulpfile.js'));
  for (const f of RPMS) cpSync(join(RPM_DIR, f), join(dir, 'rpms', f));
  return dir;
}

const gulp = (cwd: string) => run(join(project.dir, 'node_modules/.bin/gulp'), ['--no-color'], { cwd, env: { SOURCE_DATE_EPOCH: '' } });

test('npx gulp builds the pack, byte-identical to suppack build-supplemental-pack', () => {
  const dir = exampleProject('example');
  const r = run('npx', ['--no-install', 'gulp', '--no-color'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '' } });
  expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'))).toEqual([]); // npm's own config warnings aside
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/Finished 'default'/);
  expect(readdirSync(join(dir, 'out')).sort()).toEqual(OUTPUTS);
  recordOutputHashes('gulp-e2e', join(dir, 'out'));

  const cliOut = join(dir, 'cli-out');
  const cli = run(project.bin, ['build-supplemental-pack', `--output=${cliOut}`, ...FLAGS, ...RPMS.map((f) => join(dir, 'rpms', f))], {
    env: { SOURCE_DATE_EPOCH: '' },
  });
  expect(cli.stderr).toBe('');
  expect(cli.status).toBe(0);
  for (const f of OUTPUTS) {
    expect(readFileSync(join(dir, 'out', f)).equals(readFileSync(join(cliOut, f))), f).toBe(true);
  }
  // The pack is a real one: md5sum accepts the .iso.md5 gulp wrote.
  expect(run('md5sum', ['-c', 'example-hello.iso.md5'], { cwd: join(dir, 'out') }).stdout).toBe('example-hello.iso: OK\n');
});

test('a non-RPM among the inputs fails the task with a suppack error naming the file, and writes nothing', () => {
  const dir = exampleProject('bad');
  const bad = join(dir, 'rpms', 'notes.rpm');
  writeFileSync(bad, 'hello, I am text\n'.repeat(20));
  const r = gulp(dir);
  expect(r.status).not.toBe(0);
  const all = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  expect(all).toMatch(/Error in plugin "suppack"/);
  expect(all).toContain(bad);
  expect(all).toMatch(/not an RPM/i);
  expect(readdirSync(dir)).not.toContain('out');
});
