import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInputFile, openInput, openInputSync, readInputFile } from './open-input';
import { describeNodeError } from './errors';

const dir = mkdtempSync(join(tmpdir(), 'suppack-open-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'file');
writeFileSync(file, 'contents');
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);

describe('opening an input', () => {
  it('a regular file opens and reads, by each way', async () => {
    const fd = openInputSync(file);
    const b = Buffer.alloc(8);
    expect(readSync(fd, b, 0, 8, 0)).toBe(8);
    closeSync(fd);
    const fh = await openInput(file);
    expect((await fh.readFile()).toString()).toBe('contents');
    await fh.close();
    expect((await readInputFile(file)).toString()).toBe('contents');
    await checkInputFile(file);
  });

  // Without O_NONBLOCK, opening a FIFO no process writes to would wait forever: these return.
  it.each([
    ['a FIFO no one writes to', fifo, 'ENOTREG', 'is a FIFO (a named pipe, or a pipe such as <(...)), expected a regular file'],
    ['/dev/zero, which never ends', '/dev/zero', 'ENOTREG', 'is a character device, expected a regular file'],
    ['a directory', dir, 'EISDIR', 'is a directory, expected a file'],
  ])('%s is refused by each way, with a message for the user', async (_, path, code, said) => {
    expect(() => openInputSync(path)).toThrow(expect.objectContaining({ code }));
    await expect(openInput(path)).rejects.toMatchObject({ code });
    await expect(readInputFile(path)).rejects.toMatchObject({ code });
    await expect(checkInputFile(path)).rejects.toMatchObject({ code });
    const e = await openInput(path).catch((x: NodeJS.ErrnoException) => x);
    expect(describeNodeError(e as NodeJS.ErrnoException)).toBe(said);
  });
});
