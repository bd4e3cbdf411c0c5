/**
 * Vinyl contents as bytes: write a file's buffer or stream contents to disk, and read the head
 * of a stream while handing on a stream that still yields every byte (single-consumer safe).
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Vinyl from 'vinyl';

/** Write the contents of a buffer or stream file to `dest`. */
export async function writeContents(file: Vinyl, dest: string): Promise<void> {
  const contents = file.contents;
  if (Buffer.isBuffer(contents)) {
    await writeFile(dest, contents);
  } else if (contents !== null) {
    const it = chunksOf(contents);
    await pipeline(async function* () {
      let finished = false;
      try {
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
        finished = true;
      } finally {
        if (!finished) await it.return(); // the write failed: release the source
      }
    }, createWriteStream(dest));
  }
}

export interface StreamHead {
  /** The first bytes of the stream: at least what `need` asked for, unless the stream ended first. */
  head: Buffer;
  /** A stream of every byte of the original, the head included, for the next stage. */
  contents: Readable;
}

/**
 * Read from `source` until `need(head)` is at most `head.length` (or the stream ends). `need`
 * may throw: the source is then released and the error propagates.
 */
export async function readStreamHead(source: NodeJS.ReadableStream, need: (head: Buffer) => number): Promise<StreamHead> {
  const it = chunksOf(source);
  const chunks: Buffer[] = [];
  let head = Buffer.alloc(0);
  let ended = false;
  let have = 0;
  try {
    // Concatenate only once enough bytes for the last answer of `need` have arrived.
    for (let want = need(head); want > head.length; ) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        head = Buffer.concat(chunks);
        break;
      }
      chunks.push(r.value);
      have += r.value.length;
      if (have >= want) {
        head = Buffer.concat(chunks);
        want = need(head);
      }
    }
  } catch (e) {
    await it.return();
    throw e;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    let finished = ended;
    try {
      yield* chunks;
      while (!finished) {
        const r = await it.next();
        if (r.done) finished = true;
        else yield r.value;
      }
    } finally {
      // The consumer stopped early (destroy): release the source too.
      if (!finished) await it.return();
    }
  }
  return { head, contents: Readable.from(replay(), { objectMode: false }) };
}

/**
 * The chunks of a byte stream, pulled one at a time with 'data'/'end'/'error' and pause/resume:
 * the interface core streams, readable-stream and streamx share. (Async iteration is not enough:
 * gulp 5's stream contents are streamx duplexes that end but never close, and a streamx
 * iterator waits for the close.) `return()` stops early and destroys the stream.
 */
export function chunksOf(stream: NodeJS.ReadableStream): AsyncIterator<Buffer, undefined> & { return(): Promise<IteratorResult<Buffer, undefined>> } {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer | string) => {
    queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= { error };
    notify();
  };
  const detach = () => {
    stream.removeListener('data', onData);
    stream.removeListener('end', onEnd);
    stream.removeListener('error', onError);
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  const done: IteratorResult<Buffer, undefined> = { done: true, value: undefined };
  return {
    async next() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) return { done: false, value: chunk };
        if (failure !== undefined) {
          detach();
          throw failure.error;
        }
        if (ended) {
          detach();
          return done;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          stream.resume();
        });
      }
    },
    async return() {
      detach();
      if (!ended) (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      ended = true;
      queue.length = 0;
      return done;
    },
  };
}
