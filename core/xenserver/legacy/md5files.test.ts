import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isoMd5File, metadataMd5File } from './md5files';

describe('metadataMd5File', () => {
  it('is md5(XS-REPOSITORY ‖ XS-PACKAGES) as hex and a newline, like md5sum of the concatenation', () => {
    const repo = '<repository name="x" originator="y" product="XenServer" version="1.0">\n  <description>é &amp; x</description>\n</repository>\n';
    const pkgs = '<packages/>\n';
    const dir = mkdtempSync(join(tmpdir(), 'suppack-md5-'));
    writeFileSync(join(dir, 'XS-REPOSITORY'), repo);
    writeFileSync(join(dir, 'XS-PACKAGES'), pkgs);
    const expected = execFileSync('sh', ['-c', 'cat XS-REPOSITORY XS-PACKAGES | md5sum'], { cwd: dir, encoding: 'utf8' }).split(' ')[0];
    expect(metadataMd5File(repo, pkgs)).toBe(`${expected}\n`);
    expect(metadataMd5File('', '')).toBe('d41d8cd98f00b204e9800998ecf8427e\n');
    // The order matters: it is not a hash of a set.
    expect(metadataMd5File(pkgs, repo)).not.toBe(metadataMd5File(repo, pkgs));
  });
});

describe('isoMd5File', () => {
  it('uses the md5sum format with two spaces, which md5sum -c accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-md5-'));
    writeFileSync(join(dir, 'pack.iso'), 'not really an ISO');
    const hex = execFileSync('md5sum', ['pack.iso'], { cwd: dir, encoding: 'utf8' }).split(' ')[0]!;
    const line = isoMd5File(hex, 'pack.iso');
    expect(line).toBe(`${hex}  pack.iso\n`);
    writeFileSync(join(dir, 'pack.iso.md5'), line);
    expect(execFileSync('md5sum', ['-c', 'pack.iso.md5'], { cwd: dir, encoding: 'utf8' })).toBe('pack.iso: OK\n');
  });
});
