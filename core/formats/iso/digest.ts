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
const views = workerData.buffers.map((sab) => new Uint8Array(sab));
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
    algorithm: string,
    buffers: SharedArrayBuffer[],
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
