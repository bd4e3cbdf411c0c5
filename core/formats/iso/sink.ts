/**
 * The image byte stream: a small pool of large shared buffers that are filled in order, then
 * written with positional writes and hashed (MD5, SHA-256) by worker threads at the same time.
 * Memory is fixed (POOL × CHUNK) whatever the image size; each CHUNK is written in WRITE_SLICE
 * pieces (image-writes.ts), by a worker thread too when the sink has hashing workers.
 */
import type { FileHandle } from 'node:fs/promises';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { HashWorker, RangeHashWorker, type RangeOp } from './hash-workers';
import { AsyncWrites, type ImageWrites, WorkerWrites } from './image-writes';
import type { FileDigestRequest, IsoDigest } from './tree';

export const CHUNK = 4 << 20;
const POOL = 4;

export class ImageSink {
  private readonly bufs: Buffer[] = [];
  private readonly pending: number[] = [];
  private readonly free: number[] = [];
  private readonly hashers: HashWorker[];
  private readonly digests: readonly IsoDigest[];
  /** Workers hashing parts of files (FileDigestRequest), and each one's operations on the current buffer. */
  private readonly rangers: RangeHashWorker[];
  private ops: RangeOp[][];
  private nextStream = 0;
  private tap: { streams: Array<{ worker: number; id: number; from: number; to: number }>; pos: number } | null = null;
  private readonly streamDone = new Map<number, { resolve: (hex: string) => void; reject: (e: unknown) => void }>();
  private waiter: (() => void) | null = null;
  private failure: unknown = null;
  private cur: number;
  private fill = 0;
  /** Image offset of the start of the current buffer. */
  private position = 0;
  private written = 0;
  /** The buffers' writes, one buffer after the other. */
  private readonly writes: ImageWrites;
  /** Range workers' answers still to come on operations sent without a buffer (sendOps(-1)). */
  private loose = 0;

  constructor(
    /** The output, open for writing: close it only after close(). */
    fh: FileHandle,
    /** The output path, named in errors. */
    private readonly out: string,
    private readonly total: number,
    private readonly onProgress: ((p: { written: number; total: number }) => void) | undefined,
    /** Digests of the image to compute on the fly. */
    digests: readonly IsoDigest[],
    /** Workers for the files' own digests (beginFile); 0 when no file asks for any. */
    rangeWorkers = 0,
  ) {
    for (let i = 0; i < POOL; i++) {
      this.bufs.push(Buffer.from(new SharedArrayBuffer(CHUNK)));
      this.pending.push(0);
      this.free.push(i);
    }
    const fail = (e: unknown) => this.fail(e);
    const done = (i: number) => this.release(i);
    const digest = (id: number, hex: string) => {
      this.streamDone.get(id)?.resolve(hex);
      this.streamDone.delete(id);
    };
    this.digests = digests;
    this.hashers = digests.map((a) => new HashWorker(a, this.bufs, done, fail));
    this.rangers = Array.from({ length: rangeWorkers }, () => new RangeHashWorker(this.bufs, done, digest, fail));
    this.ops = this.rangers.map(() => []);
    this.cur = this.free.shift() as number;
    const written = {
      done: (index: number, length: number) => {
        if (this.failure !== null) return;
        this.written += length;
        this.onProgress?.({ written: this.written, total: this.total });
        this.release(index);
      },
      failed: fail,
    };
    // A worker for the writes too when workers start anyway (their start-up overlaps); a sink
    // without digests (rebuild-iso's) writes little and keeps its writes on this thread.
    const workers = this.hashers.length + this.rangers.length;
    this.writes = workers > 0 ? new WorkerWrites(fh, this.bufs, written) : new AsyncWrites(fh, this.bufs, written);
  }

  /**
   * The next bytes handed to the sink are a file of `size` bytes: hash the parts `requests` name
   * as they pass (in the range workers, from the shared buffers). Call endFile after its last byte.
   */
  beginFile(requests: readonly FileDigestRequest[], size: number): void {
    if (this.rangers.length === 0) throw new Error('ImageSink.beginFile: the sink has no range workers');
    const streams = requests.map((r, j) => {
      const worker = j % this.rangers.length;
      const id = this.nextStream++;
      this.ops[worker]!.push([0, id, r.algorithm]);
      return { worker, id, from: r.from ?? 0, to: r.to ?? size };
    });
    this.tap = { streams, pos: 0 };
  }

  /** The hex digests of the file begun last, in request order, once its bytes are hashed. */
  endFile(): Promise<string[]> {
    const tap = this.tap;
    if (tap === null) throw new Error('ImageSink.endFile without beginFile');
    this.tap = null;
    if (this.failure !== null) {
      // fail() has already rejected every stream it knew; this one would never settle
      const failed = Promise.reject(this.failure);
      failed.catch(() => undefined);
      return failed;
    }
    const hex = Promise.all(
      tap.streams.map(({ worker, id }) => {
        this.ops[worker]!.push([2, id]);
        return this.streamDigest(id);
      }),
    );
    hex.catch(() => undefined); // a failure is the sink's: finish() and settle() throw it
    return hex;
  }

  /** The digest of stream `id` once its worker has answered; rejected if the sink fails first. */
  private streamDigest(id: number): Promise<string> {
    const hex = new Promise<string>((resolve, reject) => this.streamDone.set(id, { resolve, reject }));
    hex.catch(() => undefined);
    return hex;
  }

  /**
   * Hand every byte so far to the workers now (a partial buffer too), so that the digests of the
   * files written so far arrive; the next bytes go into a fresh buffer.
   */
  async settle(): Promise<void> {
    if (this.fill > 0) await this.flush();
    else this.loose += this.sendOps(-1);
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
    this.record(this.fill, n);
    this.fill += n;
  }

  async put(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { buf, off, len } = await this.space();
      const n = Math.min(len, bytes.length - done);
      buf.set(bytes.subarray(done, done + n), off);
      this.record(off, n);
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
    this.check();
    if (this.fill > 0) await this.dispatch();
    else {
      this.loose += this.sendOps(-1);
      this.free.push(this.cur); // the current buffer holds nothing
      this.cur = -1;
    }
    while (this.free.length < POOL || this.loose > 0) await this.wait();
    const hex = await Promise.all(this.hashers.map((h) => h.digest()));
    const found: Partial<Record<IsoDigest, string>> = Object.fromEntries(this.hashers.map((h, i) => [h.algorithm, hex[i]]));
    this.onProgress?.({ written: this.written, total: this.total });
    return { bytes: this.written, ...Object.fromEntries(this.digests.map((d) => [d, found[d]])) };
  }

  /** Stop the workers. No write runs once it resolves: the file may then be closed. */
  async close(): Promise<void> {
    await Promise.all([this.writes, ...this.hashers, ...this.rangers].map((h) => h.close()));
  }

  /** The current file's bytes [tap.pos, tap.pos + n) are at `off` in the current buffer. */
  private record(off: number, n: number): void {
    const tap = this.tap;
    if (tap === null || n === 0) return;
    const start = tap.pos;
    const end = start + n;
    for (const s of tap.streams) {
      const a = Math.max(start, s.from);
      const b = Math.min(end, s.to);
      if (a < b) this.ops[s.worker]!.push([1, s.id, off + (a - start), b - a]);
    }
    tap.pos = end;
  }

  /** Send the range workers their operations on buffer `index` (-1: none); returns how many got some. */
  private sendOps(index: number): number {
    let sent = 0;
    this.ops.forEach((ops, w) => {
      if (ops.length === 0) return;
      this.rangers[w]!.run(index, ops);
      this.ops[w] = [];
      sent++;
    });
    return sent;
  }

  private async flush(): Promise<void> {
    await this.dispatch();
    while (this.free.length === 0) await this.wait();
    this.cur = this.free.shift() as number;
  }

  /** Hand the current buffer to the writes and the hashers. */
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
    this.pending[index] += this.sendOps(index);
    // One buffer's writes at a time: ext4 takes the inode's lock for each buffered write, and
    // concurrent writers spin on it (docs/formats/containers.md §3, "One writer at a time").
    this.writes.write(index, length, at);
  }

  private release(index: number): void {
    if (index < 0) this.loose--;
    else if (--this.pending[index] === 0) this.free.push(index);
    this.wake();
  }

  private fail(e: unknown): void {
    if (this.failure === null) {
      const what = isNodeError(e) && typeof e.code === 'string' ? describeNodeError(e) : String(e);
      this.failure = new SuppackError(`cannot write output: ${what}`, { file: this.out });
      for (const s of this.streamDone.values()) s.reject(this.failure);
      this.streamDone.clear();
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
