/**
 * Hashes of a stream of shared buffers, computed in worker threads so that MD5 (the slowest,
 * ~0.5 GB/s) and SHA-256 run in parallel with each other and with the writer's I/O.
 */
import { Worker } from 'node:worker_threads';

/** Plain JS run with `eval: true`, so it works from both the TypeScript sources and dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash(workerData.algorithm);
const views = workerData.buffers;
parentPort.on('message', (m) => {
  if (m.end) {
    parentPort.postMessage({ digest: hash.digest('hex') });
    return;
  }
  hash.update(views[m.index].subarray(0, m.length));
  parentPort.postMessage({ index: m.index });
});
`;

/** One hash algorithm in its own worker, reading the writer's shared buffers by index. */
export class HashWorker {
  private readonly worker: Worker;
  private digestWaiter: { resolve: (hex: string) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  /**
   * @param onDone called with a buffer index once the worker has hashed it (it may then be reused).
   * @param onError called once if the worker fails.
   */
  constructor(
    readonly algorithm: string,
    /** Views of shared memory (they stay shared when posted to the worker). */
    buffers: readonly Uint8Array[],
    onDone: (index: number) => void,
    onError: (e: Error) => void,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, buffers } });
    this.worker.on('message', (m: { index?: number; digest?: string }) => {
      if (m.digest !== undefined) this.digestWaiter?.resolve(m.digest);
      else if (m.index !== undefined) onDone(m.index);
    });
    this.worker.on('error', (e: Error) => {
      this.failure = e;
      this.digestWaiter?.reject(e);
      onError(e);
    });
  }

  /** Hash the first `length` bytes of buffer `index`; messages are handled in order. */
  update(index: number, length: number): void {
    this.worker.postMessage({ index, length });
  }

  /** The hex digest once every update before it has been hashed. */
  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.digestWaiter = { resolve, reject };
      this.worker.postMessage({ end: true });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Plain JS for a RangeHashWorker. Each message carries the operations on the streams that one
 * buffer touches, in byte order: [0, id, algorithm] opens stream `id`, [1, id, offset, length]
 * hashes those bytes of buffer `index`, [2, id] ends the stream and answers its hex digest.
 * `index` is -1 for operations without bytes.
 */
const RANGE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const views = workerData.buffers;
const open = new Map();
parentPort.on('message', ({ index, ops }) => {
  const done = [];
  for (const op of ops) {
    if (op[0] === 0) open.set(op[1], createHash(op[2]));
    else if (op[0] === 1) open.get(op[1]).update(views[index].subarray(op[2], op[2] + op[3]));
    else {
      done.push([op[1], open.get(op[1]).digest('hex')]);
      open.delete(op[1]);
    }
  }
  parentPort.postMessage({ index, done });
});
`;

/** An operation of RANGE_WORKER_SOURCE. */
export type RangeOp = [0, number, string] | [1, number, number, number] | [2, number];

/**
 * Digests of many byte streams (parts of the files in an image) in one worker, reading the
 * writer's shared buffers: the streams' bytes are never copied or read a second time.
 */
export class RangeHashWorker {
  private readonly worker: Worker;

  /**
   * @param onDone called with a buffer index (or -1) once its operations are done.
   * @param onDigest called with each ended stream's hex digest.
   */
  constructor(
    buffers: readonly Uint8Array[],
    onDone: (index: number) => void,
    onDigest: (id: number, hex: string) => void,
    onError: (e: Error) => void,
  ) {
    this.worker = new Worker(RANGE_WORKER_SOURCE, { eval: true, workerData: { buffers } });
    this.worker.on('message', (m: { index: number; done: Array<[number, string]> }) => {
      for (const [id, hex] of m.done) onDigest(id, hex);
      onDone(m.index);
    });
    this.worker.on('error', onError);
  }

  /** Run `ops` on buffer `index` (-1: no buffer); messages are handled in order. */
  run(index: number, ops: RangeOp[]): void {
    this.worker.postMessage({ index, ops });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
