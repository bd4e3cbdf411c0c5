/**
 * Opening an input file so that it can neither block nor run on without end (docs/security.md,
 * "Inputs that are not files"). Every input must be a regular file: opening a FIFO waits for a
 * writer (forever, if none comes), a pipe such as bash's `<(...)` has no size and can be read
 * only once, and a device such as /dev/zero never ends. The file is opened with O_NONBLOCK (which
 * a regular file ignores, and with which a FIFO opens at once), checked with fstat and refused
 * unless regular, with an error whose code is ENOTREG (EISDIR for a directory).
 */
import { closeSync, constants, fstatSync, openSync, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** What a file that is neither regular nor a directory is, as the messages say it: "a FIFO (...)". */
export function specialFileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (a named pipe, or a pipe such as <(...))';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return stats.isSymbolicLink() ? 'a symbolic link' : 'not a file';
}

/** The error for a path that is not a regular file, or undefined when it is one. */
export function notRegularFile(stats: Stats, path: string): NodeJS.ErrnoException | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: 'EISDIR', path, syscall: 'open' });
  return Object.assign(new Error(`is ${specialFileKind(stats)}, expected a regular file`), { code: 'ENOTREG', path, syscall: 'open' });
}

/** Open `path` for reading; rejects unless it is a regular file. */
export function openInputSync(path: string): number {
  const fd = openSync(path, FLAGS);
  const bad = notRegularFile(fstatSync(fd), path);
  if (bad) {
    closeSync(fd);
    throw bad;
  }
  return fd;
}

/** Open `path` for reading; rejects unless it is a regular file. */
export async function openInput(path: string): Promise<FileHandle> {
  const fh = await fsp.open(path, FLAGS);
  const bad = notRegularFile(await fh.stat(), path);
  if (bad) {
    await fh.close();
    throw bad;
  }
  return fh;
}

/** Check that `path` is a regular file without opening it (before handing it to another program). */
export async function checkInputFile(path: string): Promise<void> {
  const bad = notRegularFile(await fsp.stat(path), path);
  if (bad) throw bad;
}

/** The whole of the regular file `path`. */
export async function readInputFile(path: string): Promise<Buffer> {
  const fh = await openInput(path);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
