/**
 * The digests files ask for (IsoEntry `digests`: a legacy pack's md5 of each RPM, rpm's MD5 of
 * its header and payload, PAYLOADDIGEST), computed in a worker thread that reads the files
 * itself, several at a time, while the ISO writer copies them into the image.
 *
 * Why a read of its own: MD5 is a chain, and one chain leaves most of a core idle. Four chains
 * side by side in WebAssembly's 128-bit lanes, and two or three such groups interleaved, hash up
 * to ~4 GB/s on one core where OpenSSL hashes ~0.65-0.95 GB/s (core/base/md5-lanes.ts). Filling
 * twelve lanes takes six RPMs' bytes at once, which the image, written in order, never holds; a
 * second read from the page cache costs ~0.1 s per GiB. The image's own MD5, one chain in image
 * order, stays with OpenSSL. docs/formats/containers.md §3, "Lanes across files", has the figures.
 *
 * The file's identity (device, inode, size, modification and change times, to the nanosecond)
 * is taken when it is opened here and again after its last read; the writer compares it with its
 * own (fileIdentity), so that a file changed between the two reads is an error, never a digest
 * of other bytes than the image holds.
 */
import { closeSync, fstatSync, type BigIntStats } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { MAX_GROUPS, Md5LanePlanner, PROGRAM_WORDS, executeMd5Program, md5LanesMemory, md5LanesModule } from '../../base/md5-lanes';
import { openInputSync } from '../../base/open-input';
import type { FileDigestRequest } from './tree';

/** A file on disk and the digests of its bytes it asks for. */
export interface FileToDigest {
  path: string;
  size: number;
  requests: readonly FileDigestRequest[];
}

/** What the digester found for a file: a hex digest per request, and the file's identity. */
export interface FileDigestsFound {
  hex: string[];
  identity: string;
}

/** Bytes of each file read per step: large enough that a step's overheads are ~1%. */
const REGION = 1 << 20;
/** Steps sent ahead of the worker, so that it never waits for this thread. */
const AHEAD = 2;
/** MD5 streams hashed side by side at most: three groups of four lanes. */
const MAX_STREAMS = 4 * MAX_GROUPS;

/** The identity of an open file, compared across reads (see the module's comment). */
export function fileIdentity(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The error for a file whose bytes changed while the pack was written. */
export function changedWhileWritten(file: string, how: string, field?: 'size'): SuppackError {
  return new SuppackError(`file changed while the ISO was written: ${how}`, { file, ...(field ? { field } : {}) });
}

/**
 * Plain JS run with `eval: true` (it works from both the TypeScript sources and dist/). Each
 * message is one step: read [file, fd, position, length, address] into the shared memory, run
 * the MD5 program, then the other hashes: [0, id, algorithm] opens stream `id`, [1, id, address,
 * length] hashes those bytes, [2, id] ends it. It answers the ended streams' hex digests, or the
 * first failure as its parts (an Error loses its code crossing threads).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { memory, module, programAt, programWords } = workerData;
const { run } = new WebAssembly.Instance(module, { e: { m: memory } }).exports;
const executeMd5Program = ${executeMd5Program.toString()};
const open = new Map();
parentPort.on('message', ({ step, reads, chunks, ends, hashes }) => {
  let file = -1;
  try {
    const view = new Uint8Array(memory.buffer);
    for (const [f, fd, pos, len, at] of reads) {
      file = f;
      for (let done = 0; done < len; ) {
        const n = readSync(fd, view, at + done, len - done, pos + done);
        if (n === 0) {
          parentPort.postMessage({ step, error: { file, short: pos + done } });
          return;
        }
        done += n;
      }
    }
    file = -1;
    const done = executeMd5Program(memory, run, programAt, programWords, { chunks, ends });
    for (const h of hashes) {
      if (h[0] === 0) open.set(h[1], createHash(h[2]));
      else if (h[0] === 1) open.get(h[1]).update(view.subarray(h[2], h[2] + h[3]));
      else {
        done.push([h[1], open.get(h[1]).digest('hex')]);
        open.delete(h[1]);
      }
    }
    parentPort.postMessage({ step, done });
  } catch (e) {
    parentPort.postMessage({ step, error: { file, message: String(e && e.message), code: e && e.code, syscall: e && e.syscall } });
  }
});
`;

type HashOp = [0, number, string] | [1, number, number, number] | [2, number];

interface Active {
  index: number;
  fd: number;
  identity: string;
  pos: number;
  /** The stream id of each request, and whether it is an MD5 (in the lanes). */
  streams: Array<{ id: number; md5: boolean; from: number; to: number }>;
  region: number;
}

interface WorkerError {
  file: number;
  short?: number;
  message?: string;
  code?: string;
  syscall?: string;
}

/**
 * Digests of `files` (each read once here, REGION bytes a step, up to as many at once as fill
 * twelve MD5 lanes), in one worker. Start it with `start()`; `result(i)` is file i's, settled
 * once its bytes are hashed. Call `close()` in every case: it stops the worker and closes the files.
 */
export class FileDigester {
  private readonly worker: Worker;
  private readonly planner: Md5LanePlanner;
  private readonly results: Array<{ promise: Promise<FileDigestsFound>; resolve: (r: FileDigestsFound) => void; reject: (e: unknown) => void }>;
  private readonly active: Array<Active | null>;
  private readonly hex = new Map<number, string>();
  /** Files whose last bytes went out in each step still running, by step. */
  private readonly ending = new Map<number, Active[]>();
  private readonly opened = new Set<number>();
  private next = 0;
  private nextStream = 0;
  private step = 0;
  private running = 0;
  private failure: unknown = null;
  private closed = false;

  constructor(private readonly files: readonly FileToDigest[]) {
    const md5PerFile = Math.max(0, ...files.map((f) => f.requests.filter((r) => r.algorithm === 'md5').length));
    const slots = md5PerFile === 0 ? 1 : Math.max(1, Math.min(MAX_STREAMS, Math.ceil(MAX_STREAMS / md5PerFile), files.length));
    const mem = md5LanesMemory(slots * REGION);
    this.planner = new Md5LanePlanner(mem, Math.min(MAX_GROUPS, Math.ceil((slots * md5PerFile) / 4) || 1));
    this.active = new Array<Active | null>(slots).fill(null);
    this.results = files.map(() => {
      let resolve!: (r: FileDigestsFound) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<FileDigestsFound>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined); // a failure is also thrown by whoever awaits it
      return { promise, resolve, reject };
    });
    const workerData = { memory: mem.memory, module: md5LanesModule(), programAt: mem.programAt, programWords: PROGRAM_WORDS };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.worker.on('message', (m: { step: number; done?: Array<[number, string]>; error?: WorkerError }) => this.answered(m));
    this.worker.on('error', (e: Error) => this.fail(e));
  }

  /** Send the first steps. */
  start(): void {
    this.pump();
  }

  /** File i's digests and identity; rejected if it cannot be read or changes while it is. */
  result(i: number): Promise<FileDigestsFound> {
    return this.results[i]!.promise;
  }

  /** Stop the worker (a read in progress ends first), then close every file still open. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
    for (const fd of this.opened) closeSync(fd);
    this.opened.clear();
  }

  private pump(): void {
    while (!this.closed && this.failure === null && this.running < AHEAD && this.sendStep()) this.running++;
  }

  /** Plan and send one step; false when every file's bytes have gone out. */
  private sendStep(): boolean {
    const reads: Array<[number, number, number, number, number]> = [];
    const hashes: HashOp[] = [];
    const ended: Active[] = [];
    for (let slot = 0; slot < this.active.length; slot++) {
      let a = this.active[slot] ?? null;
      if (a === null) {
        if (this.next >= this.files.length) continue;
        a = this.activate(this.next++, slot, hashes);
        if (a === null) return false; // failed: fail() has rejected every result
        this.active[slot] = a;
      }
      const f = this.files[a.index]!;
      const len = Math.min(REGION, f.size - a.pos);
      if (len > 0) reads.push([a.index, a.fd, a.pos, len, a.region]);
      for (const s of a.streams) {
        const from = Math.max(a.pos, s.from);
        const to = Math.min(a.pos + len, s.to);
        if (from >= to) continue;
        if (s.md5) this.planner.update(s.id, a.region + (from - a.pos), to - from);
        else hashes.push([1, s.id, a.region + (from - a.pos), to - from]);
      }
      a.pos += len;
      if (a.pos >= f.size) {
        for (const s of a.streams) {
          if (s.md5) this.planner.end(s.id);
          else hashes.push([2, s.id]);
        }
        ended.push(a);
        this.active[slot] = null;
      }
    }
    if (reads.length === 0 && ended.length === 0 && hashes.length === 0) return false;
    const { chunks, ends } = this.planner.take();
    const step = this.step++;
    this.ending.set(step, ended);
    this.worker.postMessage({ step, reads, chunks, ends, hashes }, chunks.map((c) => c.buffer as ArrayBuffer));
    return true;
  }

  /** Open file `index` into `slot` and open its streams; null if it cannot be opened (fail()ed). */
  private activate(index: number, slot: number, hashes: HashOp[]): Active | null {
    const f = this.files[index]!;
    let fd: number;
    let identity: string;
    try {
      fd = openInputSync(f.path);
      this.opened.add(fd);
      const st = fstatSync(fd, { bigint: true });
      if (st.size !== BigInt(f.size)) throw changedWhileWritten(f.path, `expected ${f.size} bytes, found ${st.size}`, 'size');
      identity = fileIdentity(st);
    } catch (e) {
      this.fail(fileError(e, f.path));
      return null;
    }
    const streams = f.requests.map((r) => {
      const id = this.nextStream++;
      const md5 = r.algorithm === 'md5';
      if (md5) this.planner.open(id);
      else hashes.push([0, id, r.algorithm]);
      return { id, md5, from: r.from ?? 0, to: r.to ?? f.size };
    });
    return { index, fd, identity, pos: 0, streams, region: slot * REGION };
  }

  private answered(m: { step: number; done?: Array<[number, string]>; error?: WorkerError }): void {
    if (this.failure !== null || this.closed) return;
    this.running--;
    if (m.error !== undefined) {
      const path = this.files[m.error.file]?.path;
      if (m.error.short !== undefined && path !== undefined) this.fail(changedWhileWritten(path, `it ended after ${m.error.short} bytes`, 'size'));
      else {
        const e = Object.assign(new Error(m.error.message ?? 'unknown error'), m.error.code !== undefined ? { code: m.error.code, syscall: m.error.syscall } : {});
        this.fail(path !== undefined ? fileError(e, path) : e);
      }
      return;
    }
    for (const [id, hex] of m.done ?? []) this.hex.set(id, hex);
    for (const a of this.ending.get(m.step) ?? []) this.finished(a);
    this.ending.delete(m.step);
    this.pump();
  }

  /** File `a`'s last bytes are hashed: check it did not change, close it, settle its result. */
  private finished(a: Active): void {
    const f = this.files[a.index]!;
    try {
      const now = fileIdentity(fstatSync(a.fd, { bigint: true }));
      if (now !== a.identity) throw changedWhileWritten(f.path, 'it was modified while it was read');
    } catch (e) {
      this.fail(fileError(e, f.path));
      return;
    } finally {
      this.opened.delete(a.fd);
      closeSync(a.fd);
    }
    const hex = a.streams.map((s) => {
      const h = this.hex.get(s.id)!;
      this.hex.delete(s.id);
      return h;
    });
    this.results[a.index]!.resolve({ hex, identity: a.identity });
  }

  private fail(e: unknown): void {
    if (this.failure !== null) return;
    this.failure = e;
    for (const r of this.results) r.reject(e);
  }
}

function fileError(e: unknown, file: string): unknown {
  if (e instanceof SuppackError) return e;
  if (isNodeError(e) && typeof e.code === 'string') return new SuppackError(describeNodeError(e), { file });
  return e;
}
