/**
 * What an input holds never drives the terminal (docs/security.md, "What suppack prints"): an
 * installer whose boot menu titles an entry with escape sequences (a window title, a screen clear)
 * is shown by `inspect` with them escaped, one entry per line, and the same bytes in an error
 * message are escaped too. The built CLI, as users run it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRUB_CFG, buildTestInstaller } from '../core/products/installer-iso/testing';

const CLI = join(__dirname, '../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'suppack-cli-printable-'));
const TITLE = 'install\x1b]2;owned\x07\x1b[2J\rfake line';
let installer: string;
beforeAll(() => {
  installer = buildTestInstaller(join(dir, 'installer'), {}, 'XS install', { grubCfg: GRUB_CFG.replace('menuentry "install"', `menuentry "${TITLE}"`) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('control characters from an input are printed as escapes', () => {
  it('inspect: a boot entry titled with escape sequences', () => {
    const r = run(['inspect', installer]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain('EFI/xenserver/grub.cfg: install\\x1b]2;owned\\x07\\x1b[2J\\rfake line (Xen install');
    // --json is JSON: its strings carry the characters, escaped as JSON escapes them
    expect(JSON.parse(run(['inspect', '--json', installer]).stdout).boot.map((b: { name: string }) => b.name)).toContain(TITLE);
  });

  it('an error naming such a path', () => {
    const r = run(['inspect', join(dir, 'no\x1b[2Jsuch.iso')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`suppack: error: ${join(dir, 'no\\x1b[2Jsuch.iso')}: no such file or directory\n`);
  });
});
