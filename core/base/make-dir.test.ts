import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDir, removingNewDirsOnFailure } from './make-dir';

const dir = mkdtempSync(join(tmpdir(), 'suppack-make-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDir', () => {
  it('makes a directory and its missing parents; an existing directory is fine', async () => {
    const deep = join(dir, 'a/b/c');
    await makeDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDir(deep);
    await makeDir(join(dir, 'a/../a/b'));
    expect(statSync(join(dir, 'a/b')).isDirectory()).toBe(true);
  });

  it('many at once over the same parents all succeed', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => makeDir(join(dir, 'race/x/y', String(i % 4)))));
    for (let i = 0; i < 4; i++) expect(statSync(join(dir, 'race/x/y', String(i))).isDirectory()).toBe(true);
  });

  it('refuses a file where the directory should be, or on the way to it', async () => {
    writeFileSync(join(dir, 'file'), '');
    await expect(makeDir(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDir(join(dir, 'file/sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('ends with an error under a dangling symlink', async () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    await expect(makeDir(join(dir, 'dangling/out'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  // Node's recursive mkdir spins forever here (procfs answers ENOENT for a new child of a directory
  // that exists); makeDir must answer. A child process, so that a hang is a failed test, not a stuck suite.
  it('ends with an error under /proc, where Node\'s recursive mkdir never returns', () => {
    const code = `require('${join(__dirname, 'make-dir')}').makeDir('/proc/suppack-no/such').then(() => console.log('made'), (e) => console.log(e.code))`;
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.stdout.trim()).toBe('ENOENT');
  });
});

describe('removingNewDirsOnFailure', () => {
  const fail = () => Promise.reject(new Error('refused'));
  it('a failed build leaves none of the directories it made, and the ones there before', async () => {
    const out = join(dir, 'keep/new/deeper');
    await makeDir(join(dir, 'keep'));
    await expect(removingNewDirsOnFailure(out, async () => (await makeDir(out), fail()))).rejects.toThrow('refused');
    expect(existsSync(join(dir, 'keep/new'))).toBe(false);
    expect(existsSync(join(dir, 'keep'))).toBe(true);
  });

  it('a directory that holds anything stays, and so does everything after a success', async () => {
    const out = join(dir, 'held/sub');
    await expect(
      removingNewDirsOnFailure(out, async () => {
        await makeDir(out);
        writeFileSync(join(dir, 'held/someone-elses.txt'), 'x');
        return fail();
      }),
    ).rejects.toThrow('refused');
    expect(existsSync(join(dir, 'held/sub'))).toBe(false);
    expect(existsSync(join(dir, 'held/someone-elses.txt'))).toBe(true);
    const ok = join(dir, 'ok/sub');
    await expect(removingNewDirsOnFailure(ok, async () => (await makeDir(ok), 7))).resolves.toBe(7);
    expect(existsSync(ok)).toBe(true);
  });
});
