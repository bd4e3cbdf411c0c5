/**
 * The ISO writer's positional writes of its shared buffers, one buffer after the other
 * (docs/formats/containers.md §3, "One writer at a time" and "Writes in a worker"). Two ways:
 *
 * - `WorkerWrites`: a worker thread writes each buffer with synchronous `pwrite` calls. The main
 *   thread posts one message per buffer instead of awaiting a thread-pool round trip per slice,
 *   which a 1 GiB pack build paid ~8,500 times on the thread that also reads the inputs.
 * - `AsyncWrites`: `FileHandle.write` from the main thread; for sinks that start no worker at all
 *   (rebuild-iso's few writes), where a worker's start-up (~45 ms) would cost more than it saves.
 */
import type { FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** The size of one write syscall: measured on ext4 (Linux 6.x), 4 MiB writes into the page cache
 * take 3-4x as long as the same bytes in 64-128 KiB writes (docs/formats/containers.md §3). */
export const WRITE_SLICE = 128 << 10;

export interface ImageWrites {
  /** Write the first `length` bytes of buffer `index` at image offset `at`, after every write before it. */
  write(index: number, length: number, at: number): void;
  /** Stop; no write runs once it resolves (the file may then be closed). */
  close(): Promise<void>;
}

/** What the sink hears: a buffer written (it may be reused), or the first failure. */
export interface WritesListener {
  done(index: number, length: number): void;
  failed(e: unknown): void;
}

/**
 * Plain JS run with `eval: true` (it works from both the TypeScript sources and dist/). A failed
 * write answers the error's code and message: an Error does not survive postMessage with its code.
 */
const WRITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { buffers, fd, slice } = workerData;
parentPort.on('message', ({ index, length, at }) => {
  try {
    const buf = buffers[index];
    for (let off = 0; off < length; ) {
      const n = writeSync(fd, buf, off, Math.min(slice, length - off), at + off);
      if (n <= 0) throw new Error('short write: 0 of ' + (length - off) + ' bytes');
      off += n;
    }
    parentPort.postMessage({ index, length });
  } catch (e) {
    parentPort.postMessage({ index, error: { message: String(e && e.message), code: e && e.code, syscall: e && e.syscall } });
  }
});
`;

/** Writes in a worker thread, to the descriptor of an open FileHandle (threads share descriptors). */
export class WorkerWrites implements ImageWrites {
  private readonly worker: Worker;
  private closed: Promise<void> | null = null;

  constructor(fh: FileHandle, buffers: readonly Uint8Array[], listener: WritesListener) {
    this.worker = new Worker(WRITE_WORKER_SOURCE, { eval: true, workerData: { buffers, fd: fh.fd, slice: WRITE_SLICE } });
    this.worker.on('message', (m: { index: number; length?: number; error?: { message: string; code?: string; syscall?: string } }) => {
      if (m.error !== undefined) listener.failed(Object.assign(new Error(m.error.message), m.error.code !== undefined ? { code: m.error.code, syscall: m.error.syscall } : {}));
      else listener.done(m.index, m.length as number);
    });
    this.worker.on('error', (e: Error) => listener.failed(e));
  }

  write(index: number, length: number, at: number): void {
    this.worker.postMessage({ index, length, at });
  }

  /** Terminates the worker: a write in progress ends first, none starts after. */
  close(): Promise<void> {
    this.closed ??= this.worker.terminate().then(() => undefined);
    return this.closed;
  }
}

/** Writes from the calling thread with FileHandle.write, chained so that one buffer's run at a time. */
export class AsyncWrites implements ImageWrites {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly buffers: readonly Uint8Array[],
    private readonly listener: WritesListener,
  ) {}

  write(index: number, length: number, at: number): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        const buf = this.buffers[index]!;
        for (let off = 0; off < length; ) {
          const { bytesWritten } = await this.fh.write(buf, off, Math.min(WRITE_SLICE, length - off), at + off);
          if (bytesWritten <= 0) throw new Error(`short write: 0 of ${length - off} bytes`);
          off += bytesWritten;
        }
      } catch (e) {
        this.stopped = true;
        this.listener.failed(e);
        return;
      }
      this.listener.done(index, length);
    });
  }

  /** Resolves once the write in progress, if any, has ended; none starts after. */
  close(): Promise<void> {
    this.stopped = true;
    return this.chain;
  }
}
