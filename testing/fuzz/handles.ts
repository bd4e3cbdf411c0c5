/**
 * File handles a fuzz case leaves open (run.ts). In the worker, fs.promises.open is wrapped, so
 * every handle is known from its opening to its close. One still open once a case has ended and
 * the event loop has run what was queued (a stream's closing waits for its last read) is a leak:
 * its descriptor stays open until garbage collection, which Node warns of, and a long build that
 * leaks one per input runs out of descriptors. Each leak is reported with the path and the stack
 * that opened it, then closed, so that the next case starts clean.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** How long a case's handles may take to close after it has ended. */
const SETTLE_MS = 500;

export interface HandleTracker {
  /** The handles opened since the last call and still open after SETTLE_MS at most: each one's path and opening stack, closed. */
  leaks(): Promise<string[]>;
}

export function trackFileHandles(): HandleTracker {
  const open = new Map<FileHandle, string>();
  const realOpen = fsp.open;
  fsp.open = async function (this: unknown, ...args: Parameters<typeof fsp.open>) {
    const frames = (new Error().stack ?? '').split('\n').slice(2, 7);
    const where = frames.map((l) => l.trim().replace(/^at /, '')).join(' < ');
    const fh = await realOpen.apply(this, args);
    open.set(fh, `${String(args[0])} (opened at ${where})`);
    const close = fh.close;
    fh.close = function (this: FileHandle) {
      open.delete(fh);
      return close.call(this);
    };
    return fh;
  } as typeof fsp.open;
  return {
    async leaks() {
      for (const start = Date.now(); open.size > 0 && Date.now() - start < SETTLE_MS; ) await new Promise((r) => setTimeout(r, 5));
      const left = [...open];
      open.clear();
      await Promise.all(left.map(([fh]) => fh.close().catch(() => undefined)));
      return left.map(([, where]) => where);
    },
  };
}
