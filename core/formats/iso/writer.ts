/**
 * Streaming ISO 9660 writer: `mkisofs -r -J -joliet-long` equivalent (ISO 9660 level-2 names,
 * Rock Ridge, Joliet), deterministic from `options.epoch`. The layout is planned up front
 * (`planIso`), then the image is written in one sequential pass while MD5 and SHA-256 are computed.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { closeSync, fstatSync, promises as fsp, readSync, type Stats } from 'node:fs';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { type Md5Rates, md5LanesSupported, md5Rates } from '../../base/md5-lanes';
import { BLOCK, SYSTEM_AREA_BLOCKS } from './encode';
import { type IsoPlan, type PlannedFile, encodeMetadata, planIso } from './layout';
import { ImageSink } from './sink';
import { type FileDigests, type IsoDigest, type IsoEntry, type IsoOptions, isDeferred, isFilePart } from './tree';
import { openInput, openInputSync } from '../../base/open-input';

export { planIso, PAD_BLOCKS } from './layout';
export type { IsoPlan, PlannedFile } from './layout';
export type { DeferredSource, FileDigestRequest, FileDigests, FilePart, FileSource, IsoDigest, IsoEntry, IsoOptions } from './tree';

/**
 * Size of the image and the hex digests asked for in `options.digests`; `files`: the digests the
 * entries asked for of their own bytes (IsoEntry `digests`), by image path.
 */
export type IsoWritten = { bytes: number; files?: FileDigests } & Partial<Record<IsoDigest, string>>;

/** At most this many workers hash the files' own digests (each request j of a file goes to worker j mod n). */
const MAX_RANGE_WORKERS = 3;
const RANGE_WORKER_BYTES = 64 << 20;

/**
 * CPU seconds per MB a pack build spends besides its MD5s (the SHA-256 of payloads, the writes, the
 * main thread): 1.35-2.25 ms measured on two machines (docs/formats/containers.md §3).
 */
const OTHER_SECONDS_PER_MB = 0.0015;

/** The machine the MD5 ways are chosen for: its cores, and its MD5 rates (measured when needed). */
export interface HashingMachine {
  cores: number;
  md5Rates: () => Md5Rates;
}

const thisMachine: HashingMachine = { cores: availableParallelism(), md5Rates };

/**
 * Below this many bytes of files asking for MD5s, no lanes and nothing measured: measuring takes
 * ~10 ms, and the lanes save at most ~1 ms per MB (docs/formats/containers.md §3).
 */
const LANES_FROM_BYTES = 16 << 20;

/**
 * @internal Whether `chains` MD5s of every byte (a legacy pack: the image's, each RPM's, and rpm's
 * own of its header and payload) finish sooner in one lanes worker, four streams per step
 * (core/base/md5-lanes.ts), than as OpenSSL chains in threads of their own. Seconds per MB: the
 * lanes take one lane's time, while the other work runs beside them; the OpenSSL chains take one
 * chain's time, or their share of the cores with the other work. On a 2-core machine where a lane
 * ran at 74% of OpenSSL's rate the lanes won by ~30%; where it ran at 42% OpenSSL won by ~15%
 * (docs/formats/containers.md §3, "Lanes or OpenSSL: measured on the machine").
 */
export function md5LanesPay(chains: number, cores: number, rates: Md5Rates): boolean {
  if (chains < 2 || chains > 4) return false;
  const lanes = Math.max(1 / rates.lane, (1 / rates.lane + OTHER_SECONDS_PER_MB) / cores);
  const openssl = Math.max(1 / rates.openssl, (chains / rates.openssl + OTHER_SECONDS_PER_MB) / cores);
  return lanes < openssl;
}

/**
 * @internal The workers for the files' own digests, and whether every MD5 (the image's too) goes
 * to one md5 lanes worker (md5LanesPay, from LANES_FROM_BYTES of hashed files; one more worker
 * then takes the other algorithms).
 * Otherwise one worker per RANGE_WORKER_BYTES of hashed files (a worker costs ~10 MB and ~30 ms
 * to start), at most one per request of a file and MAX_RANGE_WORKERS.
 */
export function hashingWorkers(
  plan: Pick<IsoPlan, 'files'>,
  imageDigests: readonly IsoDigest[],
  machine: HashingMachine = thisMachine,
): { rangeWorkers: number; md5Lanes: boolean } {
  const hashed = plan.files.filter((f) => f.digests !== undefined && f.digests.length > 0);
  const hashedBytes = hashed.reduce((n, f) => n + f.size, 0);
  const byBytes = Math.ceil(hashedBytes / RANGE_WORKER_BYTES);
  const fileMd5s = Math.max(0, ...hashed.map((f) => f.digests!.filter((d) => d.algorithm === 'md5').length));
  const chains = fileMd5s + (imageDigests.includes('md5') ? 1 : 0);
  const md5Lanes = fileMd5s > 0 && chains >= 2 && chains <= 4 && hashedBytes >= LANES_FROM_BYTES && md5LanesSupported() && md5LanesPay(chains, machine.cores, machine.md5Rates());
  const others = (f: PlannedFile) => f.digests!.filter((d) => !(md5Lanes && d.algorithm === 'md5')).length;
  const requests = Math.max(0, ...hashed.map(others));
  return { rangeWorkers: Math.min(requests, md5Lanes ? 1 : MAX_RANGE_WORKERS, byBytes), md5Lanes };
}

/**
 * Write the image to `out` (created or truncated). On failure `out` is removed. Returns the size
 * and the digests of the bytes written (`options.digests`, default MD5 and SHA-256), computed on the fly.
 */
export async function writeIso(
  entries: IsoEntry[],
  options: IsoOptions,
  out: string,
): Promise<IsoWritten> {
  const plan = planIso(entries, options);
  const digests = options.digests ?? ['md5', 'sha256'];
  const { rangeWorkers, md5Lanes } = hashingWorkers(plan, digests);
  let fh: fsp.FileHandle | undefined;
  let sink: ImageSink | undefined;
  try {
    fh = await fsp.open(out, 'w').catch((e: unknown) => {
      throw outputError(e, out);
    });
    sink = new ImageSink(fh, out, plan.totalBytes, options.onProgress, digests, rangeWorkers, md5Lanes);
    const files = emptyFileDigests(entries);
    const hashed = await writeImage(plan, sink, files);
    const result = await sink.finish();
    // The last files' digests arrive once finish() has handed the last buffer to the workers.
    await Promise.all(hashed);
    if (result.bytes !== plan.totalBytes) {
      throw new Error(`ISO writer wrote ${result.bytes} bytes, planned ${plan.totalBytes}`);
    }
    await sink.close();
    await fh.close();
    fh = undefined;
    return files.size > 0 ? { ...result, files } : result;
  } catch (e) {
    // The workers first: a write still running must not land on a descriptor closed and reused.
    await sink?.close();
    await fh?.close().catch(() => undefined);
    await fsp.rm(out, { force: true });
    throw e;
  }
}

/** Write the image; `files` gets each file's own digests once the returned promises are settled. */
async function writeImage(plan: IsoPlan, sink: ImageSink, files: Map<string, readonly string[]>): Promise<Array<Promise<unknown>>> {
  const system = plan.systemArea ?? Buffer.alloc(0);
  await sink.put(system);
  await sink.zeros(SYSTEM_AREA_BLOCKS * BLOCK - system.length);
  for (const block of encodeMetadata(plan)) await sink.put(block);
  expectOffset(sink, plan.dataStart, 'metadata');
  const pending: Array<Promise<unknown>> = [];
  let settled = false;
  for (const f of plan.files) {
    expectOffset(sink, f.extent, f.path);
    if (isDeferred(f.source)) {
      if (!settled) {
        // Every other file is in the sink: their digests are what the deferred files are made of.
        await sink.settle();
        await Promise.all(pending);
        settled = true;
      }
      const bytes = await f.source.make(files);
      if (bytes.length !== f.size) throw new Error(`deferred file ${f.path}: made ${bytes.length} bytes, planned ${f.size}`);
      await sink.put(bytes);
      await sink.zeros(padding(f.size));
      continue;
    }
    if (f.digests !== undefined && f.digests.length > 0) {
      sink.beginFile(f.digests, f.size);
      await writeFileData(f, sink, false);
      const hashed = sink.endFile().then((hex) => files.set(f.path, hex));
      hashed.catch(() => undefined); // a failure is the sink's, thrown by its next call
      pending.push(hashed);
      await sink.zeros(padding(f.size));
      continue;
    }
    await writeFileData(f, sink);
  }
  await sink.zeros(plan.totalBytes - sink.offset);
  return pending;
}

/** Empty files have no data in the image: their digests are those of no bytes. */
function emptyFileDigests(entries: readonly IsoEntry[]): Map<string, readonly string[]> {
  const files = new Map<string, readonly string[]>();
  for (const e of entries) {
    if (e.kind === 'file' && e.size === 0 && e.digests !== undefined && e.digests.length > 0) {
      files.set(e.path, e.digests.map((d) => createHash(d.algorithm).digest('hex')));
    }
  }
  return files;
}

/** @internal Copy one planned file's data into the sink, zero-padded to a whole block unless `pad` is false. */
export async function writeFileData(f: PlannedFile, sink: ImageSink, pad = true): Promise<void> {
  if (typeof f.source === 'string') await copyFile(f, f.source, sink);
  else if (isFilePart(f.source)) {
    await sink.put(f.source.prefix);
    await copyFile(f, f.source.path, sink, f.source.from, f.size - f.source.prefix.length);
  } else if (isDeferred(f.source)) throw new Error(`deferred file ${f.path}: only writeIso makes deferred files`);
  else await copyStream(f, f.source, sink);
  if (pad) await sink.zeros(padding(f.size));
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function expectOffset(sink: ImageSink, lba: number, what: string): void {
  if (sink.offset !== lba * BLOCK) {
    throw new Error(`ISO writer out of step at ${what}: at byte ${sink.offset}, planned ${lba * BLOCK}`);
  }
}

function changed(file: string, expected: number, found: string): SuppackError {
  return new SuppackError(`file changed while the ISO was written: expected ${expected} bytes, ${found}`, {
    file,
    field: 'size',
  });
}

function sourceError(e: unknown, file: string): unknown {
  if (e instanceof SuppackError) return e;
  if (isNodeError(e) && typeof e.code === 'string') return new SuppackError(describeNodeError(e), { file });
  return e;
}

function outputError(e: unknown, out: string): unknown {
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(`cannot write output: ${describeNodeError(e)}`, { file: out });
  }
  return e;
}

const probe = Buffer.alloc(1);

/**
 * Read `length` bytes of a file on disk from `from` on (by default all `f.size` of them) straight
 * into the sink's buffers. A small file is read with synchronous calls: from the page cache they
 * take microseconds, while each asynchronous call costs a thread-pool round trip (~0.1 ms;
 * docs/formats/containers.md §3), which a pack of 1,000 small RPMs paid five times per file. A large one is read asynchronously, so that the
 * writes and hashes of the buffers before it complete while it is read (measured: 5% faster).
 */
async function copyFile(f: PlannedFile, source: string, sink: ImageSink, from = 0, length = f.size): Promise<void> {
  const io = length <= SYNC_READ_MAX ? syncFileIo : asyncFileIo;
  const end = from + length;
  let file: OpenFile | undefined;
  try {
    file = await io.open(source);
    const st = await file.stat();
    if (!st.isFile()) throw new SuppackError('expected a regular file', { file: source });
    if (st.size !== end) throw changed(source, end, `found ${st.size}`);
    let pos = from;
    while (pos < end) {
      const { buf, off, len } = await sink.space();
      const bytesRead = await file.read(buf, off, Math.min(len, end - pos), pos);
      if (bytesRead === 0) throw changed(source, end, `it ended after ${pos}`);
      sink.advance(bytesRead);
      pos += bytesRead;
    }
    if ((await file.read(probe, 0, 1, end)) !== 0) throw changed(source, end, 'it grew');
  } catch (e) {
    throw sourceError(e, source);
  } finally {
    await file?.close();
  }
}

/** Files up to this size are read with synchronous calls (see copyFile). */
const SYNC_READ_MAX = 1 << 20;

interface OpenFile {
  stat(): Promise<Stats> | Stats;
  read(buf: Buffer, off: number, len: number, pos: number): Promise<number> | number;
  close(): Promise<void> | void;
}

const syncFileIo = {
  open(path: string): OpenFile {
    const fd = openInputSync(path);
    return {
      stat: () => fstatSync(fd),
      read: (buf, off, len, pos) => readSync(fd, buf, off, len, pos),
      close: () => closeSync(fd),
    };
  },
};

const asyncFileIo = {
  async open(path: string): Promise<OpenFile> {
    const fh = await openInput(path);
    return {
      stat: () => fh.stat(),
      read: async (buf, off, len, pos) => (await fh.read(buf, off, len, pos)).bytesRead,
      close: () => fh.close(),
    };
  },
};

/** Copy a stream source, which must yield exactly `f.size` bytes. */
async function copyStream(f: PlannedFile, open: () => NodeJS.ReadableStream, sink: ImageSink): Promise<void> {
  let stream: NodeJS.ReadableStream | undefined;
  let got = 0;
  try {
    stream = open();
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      got += bytes.length;
      if (got > f.size) throw changed(f.path, f.size, `the stream gave more`);
      await sink.put(bytes);
    }
    if (got !== f.size) throw changed(f.path, f.size, `the stream gave ${got}`);
  } catch (e) {
    const s = stream as { destroy?: () => void } | undefined;
    s?.destroy?.();
    throw sourceError(e, f.path);
  }
}
