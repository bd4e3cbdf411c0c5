/**
 * The digests files ask for (IsoEntry `digests`: a legacy pack's md5 of each RPM, rpm's MD5 of
 * its header and payload, PAYLOADDIGEST), computed in a worker thread from the image itself:
 * once a file's bytes are written, the worker reads them back from the output, several files at
 * a time, while the writer goes on.
 *
 * Why read them back: MD5 is a chain, and one chain leaves most of a core idle. Four chains side
 * by side in WebAssembly's 128-bit lanes, and two or three such groups interleaved, hash up to
 * ~3.7 GB/s on one core where OpenSSL hashes ~0.65-0.95 GB/s (core/base/md5-lanes.ts). Filling
 * twelve lanes takes six RPMs' bytes at once, which the image, written in order, holds only as
 * written pages: reading them back from the page cache costs ~0.1 s per GiB, and each input is
 * still read once. The digests are those of the very bytes in the image. The image's own MD5, one
 * chain in image order, stays with OpenSSL. `verify` hashes a pack's packages the same way over
 * an existing ISO, written whole from the start. docs/formats/containers.md §3, "Lanes across
 * files", has the figures.
 */
import { Worker } from 'node:worker_threads';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { MAX_GROUPS, Md5LanePlanner, PROGRAM_WORDS, executeMd5Program, md5LanesMemory, md5LanesModule, md5LanesSupported } from '../../base/md5-lanes';
import type { FileDigestRequest } from './tree';

/** A file in the image (its bytes at offset `at`) and the digests it asks for. */
export interface FileToDigest {
  at: number;
  size: number;
  requests: readonly FileDigestRequest[];
}

/** Bytes of each file read per step: large enough that a step's overheads are ~1%. */
const REGION = 1 << 20;
/** Steps sent ahead of the worker, so that it never waits for this thread. */
const AHEAD = 2;
/** MD5 streams hashed side by side at most: three groups of four lanes. */
const MAX_STREAMS = 4 * MAX_GROUPS;

/**
 * From this many bytes of files asking for MD5s, a FileDigester pays: its worker's start (~45 ms)
 * and its read (~0.1 s per GiB from the page cache) against the lanes' saving, ~1 ms per MB
 * (docs/formats/containers.md §3, "Lanes across files").
 */
const PAYS_FROM_BYTES = 16 << 20;

/** Whether a FileDigester pays for files of `bytes` bytes that ask for MD5s, in this Node. */
export function digesterPays(bytes: number, lanes = md5LanesSupported()): boolean {
  return lanes && bytes >= PAYS_FROM_BYTES;
}

/**
 * Plain JS run with `eval: true` (it works from both the TypeScript sources and dist/). Each
 * message is one step: read [fd, position, length, address] into the shared memory, run
 * the MD5 program, then the other hashes: [0, id, algorithm] opens stream `id`, [1, id, address,
 * length] hashes those bytes, [2, id] ends it. It answers the ended streams' hex digests, or the
 * first failure as its parts (an Error loses its code crossing threads). `fd` is the image's.
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
  try {
    const view = new Uint8Array(memory.buffer);
    for (const [fd, pos, len, at] of reads) {
      for (let done = 0; done < len; ) {
        const n = readSync(fd, view, at + done, len - done, pos + done);
        if (n === 0) {
          parentPort.postMessage({ step, error: { short: pos + done } });
          return;
        }
        done += n;
      }
    }
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
    parentPort.postMessage({ step, error: { message: String(e && e.message), code: e && e.code, syscall: e && e.syscall } });
  }
});
`;

type HashOp = [0, number, string] | [1, number, number, number] | [2, number];

interface Active {
  index: number;
  /** Bytes of the file sent to the worker so far. */
  pos: number;
  /** The stream id of each request, and whether it is an MD5 (in the lanes). */
  streams: Array<{ id: number; md5: boolean; from: number; to: number }>;
  region: number;
}

interface WorkerError {
  short?: number;
  message?: string;
  code?: string;
  syscall?: string;
}

/**
 * Digests of `files`, read back from the image open for reading as `fd` as it is written
 * (`written`): a file is taken once its first REGION bytes are written, and each step reads up to
 * REGION of its written bytes, up to as many files at once as fill twelve MD5 lanes, in one
 * worker. Behind the writer, files pile up until their lanes hash as fast as it writes.
 * `result(i)` is file i's hex digests, one per request, settled once its bytes are hashed. Call
 * `close()` in every case: it stops the worker (close `fd` only after it).
 */
export class FileDigester {
  private readonly worker: Worker;
  private readonly planner: Md5LanePlanner;
  private readonly results: Array<{ promise: Promise<string[]>; resolve: (hex: string[]) => void; reject: (e: unknown) => void }>;
  private readonly active: Array<Active | null>;
  private readonly hex = new Map<number, string>();
  /** Files whose last bytes went out in each step still running, by step. */
  private readonly ending = new Map<number, Active[]>();
  /** Bytes of the image written: no step reads past them. */
  private writtenBytes = 0;
  private next = 0;
  private nextStream = 0;
  private step = 0;
  private running = 0;
  private failure: unknown = null;
  private closed = false;

  constructor(
    private readonly fd: number,
    /** The image's path, named in errors. */
    private readonly out: string,
    /** In image order. */
    private readonly files: readonly FileToDigest[],
  ) {
    const md5PerFile = Math.max(0, ...files.map((f) => f.requests.filter((r) => r.algorithm === 'md5').length));
    const slots = md5PerFile === 0 ? 1 : Math.max(1, Math.min(MAX_STREAMS, Math.ceil(MAX_STREAMS / md5PerFile), files.length));
    const mem = md5LanesMemory(slots * REGION);
    this.planner = new Md5LanePlanner(mem, Math.min(MAX_GROUPS, Math.ceil((slots * md5PerFile) / 4) || 1));
    this.active = new Array<Active | null>(slots).fill(null);
    this.results = files.map(() => {
      let resolve!: (hex: string[]) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<string[]>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined); // a failure is also thrown by whoever awaits it
      return { promise, resolve, reject };
    });
    const workerData = { memory: mem.memory, module: md5LanesModule(), programAt: mem.programAt, programWords: PROGRAM_WORDS };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.worker.on('message', (m: { step: number; done?: Array<[number, string]>; error?: WorkerError }) => this.answered(m));
    this.worker.on('error', (e: Error) => this.fail(e));
  }

  /** The image's first `bytes` bytes are written (and readable through the descriptor). */
  written(bytes: number): void {
    if (bytes <= this.writtenBytes) return;
    this.writtenBytes = bytes;
    this.pump();
  }

  /** File i's hex digests, one per request; rejected if the image cannot be read. */
  result(i: number): Promise<string[]> {
    return this.results[i]!.promise;
  }

  /** Stop the worker: a read in progress ends first, none starts after. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private pump(): void {
    while (!this.closed && this.failure === null && this.running < AHEAD && this.sendStep()) this.running++;
  }

  /** Plan and send one step; false when no file has written bytes to send yet (or any more). */
  private sendStep(): boolean {
    const reads: Array<[number, number, number, number]> = [];
    const hashes: HashOp[] = [];
    const ended: Active[] = [];
    for (let slot = 0; slot < this.active.length; slot++) {
      let a = this.active[slot] ?? null;
      if (a === null) {
        const f = this.files[this.next];
        if (f === undefined || f.at + Math.min(f.size, REGION) > this.writtenBytes) continue;
        a = this.activate(this.next++, slot, hashes);
        this.active[slot] = a;
      }
      const f = this.files[a.index]!;
      // Its written bytes only: a step reads up to REGION of them (an empty file ends at once).
      const len = Math.min(REGION, f.size - a.pos, this.writtenBytes - (f.at + a.pos));
      if (len < 0 || (len === 0 && a.pos < f.size)) continue;
      if (len > 0) reads.push([this.fd, f.at + a.pos, len, a.region]);
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

  /** Take file `index` into `slot` and open its streams. */
  private activate(index: number, slot: number, hashes: HashOp[]): Active {
    const f = this.files[index]!;
    const streams = f.requests.map((r) => {
      const id = this.nextStream++;
      const md5 = r.algorithm === 'md5';
      if (md5) this.planner.open(id);
      else hashes.push([0, id, r.algorithm]);
      return { id, md5, from: r.from ?? 0, to: r.to ?? f.size };
    });
    return { index, pos: 0, streams, region: slot * REGION };
  }

  private answered(m: { step: number; done?: Array<[number, string]>; error?: WorkerError }): void {
    if (this.failure !== null || this.closed) return;
    this.running--;
    if (m.error !== undefined) {
      const { short, message, code, syscall } = m.error;
      const e = Object.assign(new Error(message ?? 'unknown error'), code !== undefined ? { code, syscall } : {});
      const what = short !== undefined ? `it ends at byte ${short}` : isNodeError(e) && typeof e.code === 'string' ? describeNodeError(e) : e.message;
      this.fail(new SuppackError(`cannot read the image: ${what}`, { file: this.out }));
      return;
    }
    for (const [id, hex] of m.done ?? []) this.hex.set(id, hex);
    for (const a of this.ending.get(m.step) ?? []) {
      const hex = a.streams.map((s) => {
        const h = this.hex.get(s.id)!;
        this.hex.delete(s.id);
        return h;
      });
      this.results[a.index]!.resolve(hex);
    }
    this.ending.delete(m.step);
    this.pump();
  }

  private fail(e: unknown): void {
    if (this.failure !== null) return;
    this.failure = e;
    for (const r of this.results) r.reject(e);
  }
}
