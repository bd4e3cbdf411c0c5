import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { PLAIN_PATH, plainTempRoot, withRpmbuildWorkDir } from './work-dir';

const base = mkdtempSync(join(tmpdir(), 'suppack-work-dir-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
/** A temp root of a plain path, for these tests alone. */
const root = join(base, 'tmp');
mkdirSync(root);

/** A pid no process has now: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('PLAIN_PATH', () => {
  test.each(['/home/me/ws/dist/p/.rpmbuild', '/var/lib/jenkins/workspace/job@2/dist', '/a/b+c~d/e_f-g.h'])('takes %s', (p) => {
    expect(PLAIN_PATH.test(p)).toBe(true);
  });
  test.each(['/home/me/My Packs/ws', "/srv/it's/ws", '/a/b:c', '/a/b%c', '/a/b$c', '/a/b"c', '/a/b\tc', '/a/b\nc', '/a/b=c', '/a/b,c', '/home/josé/ws', 'relative/path'])(
    'refuses %j',
    (p) => {
      expect(PLAIN_PATH.test(p)).toBe(false);
    },
  );
});

describe('withRpmbuildWorkDir', () => {
  test('a plain work directory is used as it is, and kept', async () => {
    const work = join(base, 'plain/.rpmbuild');
    const seen = await withRpmbuildWorkDir(work, async (dir) => dir, { tempRoots: [root] });
    expect(seen).toBe(work);
  });

  test("under a path with a space and a quote: a private scratch under the temp root, removed afterwards", async () => {
    const work = join(base, "My Packs/it's/.rpmbuild");
    const lines: string[] = [];
    let mode = 0;
    const seen = await withRpmbuildWorkDir(
      work,
      async (dir) => {
        mode = statSync(dir).mode & 0o777;
        writeFileSync(join(dir, 'left-behind'), 'x');
        return dir;
      },
      { tempRoots: [join(base, 'not plain'), root], log: (l) => lines.push(l) },
    );
    expect(seen).toMatch(new RegExp(`^${root}/\\.suppack-rpmbuild\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(PLAIN_PATH.test(seen)).toBe(true);
    expect(mode).toBe(0o700);
    expect(existsSync(seen)).toBe(false);
    expect(lines).toEqual([`rpmbuild works in ${seen}: the path ${work} has characters rpm's build scripts do not quote`]);
  });

  test('the scratch goes when the build fails too, and the failure is passed on', async () => {
    let made = '';
    const failure = new SuppackError('rpmbuild failed');
    await expect(
      withRpmbuildWorkDir(join(base, 'a b/.rpmbuild'), async (dir) => {
        made = dir;
        throw failure;
      }, { tempRoots: [root] }),
    ).rejects.toBe(failure);
    expect(made).not.toBe('');
    expect(existsSync(made)).toBe(false);
  });

  test("a killed build's scratch is removed by the next run, a running build's is not", async () => {
    const dead = join(root, `.suppack-rpmbuild.${deadPid()}-0123456789ab.tmp`);
    const live = join(root, `.suppack-rpmbuild.${process.pid}-ba9876543210.tmp`);
    const other = join(root, 'someone-elses.tmp');
    for (const d of [dead, live, other]) mkdirSync(join(d, 'BUILD'), { recursive: true });
    await withRpmbuildWorkDir(join(base, 'plain2/.rpmbuild'), async () => undefined, { tempRoots: [root] });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    rmSync(live, { recursive: true });
    expect(readdirSync(root)).toEqual(['someone-elses.tmp']);
  });

  test('no temp directory of a plain path: one line saying what to do, and the build never runs', async () => {
    let ran = false;
    const work = join(base, 'a b/.rpmbuild');
    await expect(
      withRpmbuildWorkDir(work, async () => {
        ran = true;
      }, { tempRoots: [join(base, 'a b'), '/t m p'] }),
    ).rejects.toThrow(
      new SuppackError(
        `rpmbuild cannot work under this path: rpm's build scripts and kbuild take only letters, digits and "/ . _ + - ~ @" in it, and no temp directory of such a path was found: set TMPDIR to one`,
        { file: work },
      ),
    );
    expect(ran).toBe(false);
  });

  test('plainTempRoot takes the first plain candidate, made absolute', () => {
    expect(plainTempRoot(['/t m p', '/var/tmp', '/tmp'])).toBe('/var/tmp');
    expect(plainTempRoot(['/x/./y/../z'])).toBe('/x/z');
    expect(plainTempRoot(['/a b'])).toBeUndefined();
  });
});
