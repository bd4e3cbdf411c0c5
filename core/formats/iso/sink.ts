/**
 * The image byte stream: a small pool of large shared buffers that are filled in order, then
 * written with positional writes and hashed (MD5, SHA-256) by worker threads at the same time.
 * Memory is fixed (POOL × CHUNK) whatever the image size; each CHUNK is written in WRITE_SLICE pieces.
 */
import type { FileHandle } from 'node:fs/promises';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { HashWorker } from './digest';
import type { IsoDigest } from './tree';

export const CHUNK = 4 << 20;
const POOL = 4;
/** The size of one write syscall (see writeSlices). */
const WRITE_SLICE = 128 << 10;

export class ImageSink {
  private readonly shared: SharedArrayBuffer[] = [];
  private readonly bufs: Buffer[] = [];
  private readonly pending: number[] = [];
  private readonly free: number[] = [];
  private readonly hashers: HashWorker[];
  private readonly digests: readonly IsoDigest[];
  private waiter: (() => void) | null = null;
  private failure: unknown = null;
  private cur: number;
  private fill = 0;
  /** Image offset of the start of the current buffer. */
  private position = 0;
  private written = 0;

  constructor(
    private readonly fh: FileHandle,
    /** The output path, named in errors. */
    private readonly out: string,
    private readonly total: number,
    private readonly onProgress: ((p: { written: number; total: number }) => void) | undefined,
    /** Digests to compute on the fly, each in its own worker. */
    digests: readonly IsoDigest[],
  ) {
    for (let i = 0; i < POOL; i++) {
      this.shared.push(new SharedArrayBuffer(CHUNK));
      this.bufs.push(Buffer.from(this.shared[i]));
      this.pending.push(0);
      this.free.push(i);
    }
    this.digests = digests;
    const fail = (e: unknown) => this.fail(e);
    const done = (i: number) => this.release(i);
    this.hashers = digests.map((a) => new HashWorker(a, this.shared, done, fail));
    this.cur = this.free.shift() as number;
  }

  /** Bytes handed to the sink so far (the image offset of the next byte). */
  get offset(): number {
    return this.position + this.fill;
  }

  /** Free space in the current buffer, flushing first when it is full. Fill it, then call `advance`. */
  async space(): Promise<{ buf: Buffer; off: number; len: number }> {
    if (this.fill === CHUNK) await this.flush();
    return { buf: this.bufs[this.cur], off: this.fill, len: CHUNK - this.fill };
  }

  advance(n: number): void {
    this.fill += n;
  }

  async put(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { buf, off, len } = await this.space();
      const n = Math.min(len, bytes.length - done);
      buf.set(bytes.subarray(done, done + n), off);
      this.fill += n;
      done += n;
    }
  }

  async zeros(count: number): Promise<void> {
    while (count > 0) {
      const { buf, off, len } = await this.space();
      const n = Math.min(len, count);
      buf.fill(0, off, off + n);
      this.fill += n;
      count -= n;
    }
  }

  /**
   * Move past `count` bytes that are in the file already (an input copied by the kernel with
   * copy_file_range or a reflink). Only without digests: the skipped bytes are never seen.
   */
  async skip(count: number): Promise<void> {
    if (this.hashers.length > 0) throw new Error('ImageSink.skip: digests need every byte');
    if (this.fill > 0) await this.flush();
    this.position += count;
    this.written += count;
    this.onProgress?.({ written: this.written, total: this.total });
  }

  /** Flush what is left, wait for every write and hash, and return the digests. */
  async finish(): Promise<{ bytes: number } & Partial<Record<IsoDigest, string>>> {
    if (this.fill > 0) await this.dispatch();
    while (this.free.length < POOL) await this.wait();
    const hex = await Promise.all(this.hashers.map((h) => h.digest()));
    this.onProgress?.({ written: this.written, total: this.total });
    return { bytes: this.written, ...Object.fromEntries(this.digests.map((d, i) => [d, hex[i]])) };
  }

  async close(): Promise<void> {
    await Promise.all(this.hashers.map((h) => h.close()));
  }

  private async flush(): Promise<void> {
    await this.dispatch();
    while (this.free.length === 0) await this.wait();
    this.cur = this.free.shift() as number;
  }

  private async dispatch(): Promise<void> {
    this.check();
    const index = this.cur;
    const length = this.fill;
    const at = this.position;
    this.pending[index] = 1 + this.hashers.length; // the write and each hash
    this.position += length;
    this.fill = 0;
    this.cur = -1;
    for (const h of this.hashers) h.update(index, length);
    this.writeSlices(this.bufs[index], length, at).then(
      () => {
        this.written += length;
        this.onProgress?.({ written: this.written, total: this.total });
        this.release(index);
      },
      (e: unknown) => this.fail(e),
    );
  }

  /**
   * Write `length` bytes of `buf` at `at` in WRITE_SLICE pieces, one after the other: measured on
   * ext4 (Linux 6.x), 4 MiB writes into the page cache take 3-4x as long as the same bytes in
   * 64-128 KiB writes (docs/formats/containers.md §3); the buffers stay large for the hashers.
   */
  private async writeSlices(buf: Buffer, length: number, at: number): Promise<void> {
    for (let off = 0; off < length; off += WRITE_SLICE) {
      const n = Math.min(WRITE_SLICE, length - off);
      const { bytesWritten } = await this.fh.write(buf, off, n, at + off);
      if (bytesWritten !== n) throw new Error(`short write: ${bytesWritten} of ${n} bytes`);
    }
  }

  private release(index: number): void {
    if (--this.pending[index] === 0) this.free.push(index);
    this.wake();
  }

  private fail(e: unknown): void {
    if (this.failure === null) {
      const what = isNodeError(e) && typeof e.code === 'string' ? describeNodeError(e) : String(e);
      this.failure = new SuppackError(`cannot write output: ${what}`, { file: this.out });
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async wait(): Promise<void> {
    this.check();
    await new Promise<void>((resolve) => (this.waiter = resolve));
    this.check();
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }
}
