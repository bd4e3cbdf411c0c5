/**
 * Inputs that are not regular files (docs/security.md, "Inputs that are not files"): every command,
 * given a FIFO no process writes to or /dev/zero where it reads a file, ends at once with one error
 * line naming the path, exit 1, and writes no output. Before, a FIFO hung the command and
 * /dev/zero as an answerfile was read until memory ran out. The built CLI, as users run it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildTestInstaller } from '../core/products/installer-iso/testing';

const CLI = join(__dirname, '../dist/cli/main.js');
const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-cli-inputs-'));
const fifo = join(dir, 'fifo');
const out = join(dir, 'out');
let installer: string;
beforeAll(() => {
  execFileSync('mkfifo', [fifo]);
  installer = buildTestInstaller(join(dir, 'installer'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEGACY = ['--vendor-code=acme', '--vendor-name=Acme', '--label=acme', '--text=Acme', '--version=1.0', '--product-version=7.0.0'];
const UPDATE = ['--uuid=7e6f6d06-8c2f-4e4c-9b5e-2b1d7c0e1a00', '--label=acme', '--version=1.0', '--description=Acme'];
const FIFO_SAID = 'is a FIFO (a named pipe, or a pipe such as <(...)), expected a regular file';
const ZERO_SAID = 'is a character device, expected a regular file';
const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const cases: Array<[string, (bad: string) => string[]]> = [
  ['build-supplemental-pack, an RPM', (bad) => ['build-supplemental-pack', `--output=${out}`, ...LEGACY, rpms['hello-lib']!, bad]],
  ['build-update, an RPM', (bad) => ['build-update', `--output=${join(out, 'u.iso')}`, ...UPDATE, bad]],
  ['lint, an RPM', (bad) => ['lint', '--update', bad]],
  ['inspect, the ISO', (bad) => ['inspect', bad]],
  ['verify, the ISO', (bad) => ['verify', bad]],
  ['combine-packs, a pack', (bad) => ['combine-packs', `--output=${join(out, 'c.iso')}`, bad]],
  ['rebuild-iso, the installer', (bad) => ['rebuild-iso', `--output=${join(out, 'i.iso')}`, bad]],
  ['rebuild-iso, the answerfile', (bad) => ['rebuild-iso', `--output=${join(out, 'i.iso')}`, `--answerfile=${bad}`, installer]],
  ['rebuild-iso, a pack', (bad) => ['rebuild-iso', `--output=${join(out, 'i.iso')}`, `--pack=${bad}`, installer]],
  ['rebuild-iso, a driver', (bad) => ['rebuild-iso', `--output=${join(out, 'i.iso')}`, `--driver=${bad}`, installer]],
  ['rebuild-iso, an included file', (bad) => ['rebuild-iso', `--output=${join(out, 'i.iso')}`, `--include=${bad}`, installer]],
];

describe('an input that is not a regular file', () => {
  for (const [bad, said] of [
    [fifo, FIFO_SAID],
    ['/dev/zero', ZERO_SAID],
  ] as const) {
    it.each(cases)(`${bad === fifo ? 'a FIFO' : '/dev/zero'}: %s`, (_, args) => {
      rmSync(out, { recursive: true, force: true });
      const r = spawnSync(process.execPath, [CLI, ...args(bad)], { encoding: 'utf8', timeout: 60_000 });
      expect(r.signal, 'the command did not end').toBeNull();
      expect(r.status, r.stderr).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('writing '));
      expect(lines).toHaveLength(1);
      // (an --include may also be a directory: "expected a regular file or a directory")
      expect(lines[0]).toMatch(new RegExp(`^suppack: error: ${quote(bad)}: .*${quote(said)}( or a directory)?$`));
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });
  }

  it('a FIFO inside an included directory is named, not left out', () => {
    const inc = join(dir, 'inc');
    mkdirSync(inc);
    execFileSync('mkfifo', [join(inc, 'pipe')]);
    const r = spawnSync(process.execPath, [CLI, 'rebuild-iso', `--output=${join(out, 'i.iso')}`, `--include=${inc}`, installer], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`suppack: error: ${join(inc, 'pipe')}: include[0]: ${FIFO_SAID}, a directory or a symbolic link\n`);
  });
});
