/**
 * File handles and descriptors a fuzz case leaves open (run.ts). In the worker, fs.promises.open,
 * fs.open and fs.openSync are wrapped (streams on a path open theirs with fs.open), so every
 * handle and descriptor is known from its opening to its close. One still open once a case has ended and
 * the event loop has run what was queued (a stream's closing waits for its last read) is a leak:
 * its descriptor stays open until garbage collection, which Node warns of, and a long build that
 * leaks one per input runs out of descriptors. Each leak is reported with the path and the stack
 * that opened it, then closed, so that the next case starts clean.
 */
import fs = require('node:fs');
import type { FileHandle } from 'node:fs/promises';

const fsp = fs.promises;

/** How long a case's handles may take to close after it has ended. */
const SETTLE_MS = 500;

export interface HandleTracker {
  /** The handles opened since the last call and still open after SETTLE_MS at most: each one's path and opening stack, closed. */
  leaks(): Promise<string[]>;
}

/** The caller's frames, on one line. */
function opener(): string {
  return (new Error().stack ?? '')
    .split('\n')
    .slice(3, 8)
    .map((l) => l.trim().replace(/^at /, ''))
    .join(' < ');
}

export function trackFileHandles(): HandleTracker {
  const open = new Map<FileHandle | number, string>();
  const realOpen = fsp.open;
  fsp.open = async function (this: unknown, ...args: Parameters<typeof fsp.open>) {
    const where = opener();
    const fh = await realOpen.apply(this, args);
    open.set(fh, `${String(args[0])} (opened at ${where})`);
    const close = fh.close;
    fh.close = function (this: FileHandle) {
      open.delete(fh);
      return close.call(this);
    };
    return fh;
  } as typeof fsp.open;
  // Descriptors from fs.openSync and fs.open (streams on a path open theirs with fs.open), closed by
  // fs.closeSync or fs.close.
  const { openSync, closeSync } = fs;
  const openCb = fs.open;
  const closeCb = fs.close;
  const mutable = fs as { -readonly [K in keyof typeof fs]: (typeof fs)[K] };
  mutable.openSync = function (this: unknown, ...args: Parameters<typeof openSync>) {
    const fd = openSync.apply(this, args);
    open.set(fd, `${String(args[0])} (opened at ${opener()})`);
    return fd;
  } as typeof openSync;
  mutable.closeSync = function (this: unknown, fd: number) {
    open.delete(fd);
    return closeSync.call(this, fd);
  } as typeof closeSync;
  mutable.open = function (this: unknown, ...args: unknown[]) {
    const where = `${String(args[0])} (opened at ${opener()})`;
    const cb = args.pop() as (err: NodeJS.ErrnoException | null, fd: number) => void;
    return (openCb as (...a: unknown[]) => void).call(this, ...args, (err: NodeJS.ErrnoException | null, fd: number) => {
      if (!err) open.set(fd, where);
      cb(err, fd);
    });
  } as typeof fs.open;
  mutable.close = function (this: unknown, fd: number, cb?: (err: NodeJS.ErrnoException | null) => void) {
    open.delete(fd);
    return closeCb.call(this, fd, cb);
  } as typeof fs.close;
  return {
    async leaks() {
      for (const start = Date.now(); open.size > 0 && Date.now() - start < SETTLE_MS; ) await new Promise((r) => setTimeout(r, 5));
      const left = [...open];
      open.clear();
      await Promise.all(left.map(([h]) => (typeof h === 'number' ? void closeCb(h, () => undefined) : h.close().catch(() => undefined))));
      return left.map(([, where]) => where);
    },
  };
}
