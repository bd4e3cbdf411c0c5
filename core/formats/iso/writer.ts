/**
 * Streaming ISO 9660 writer: `mkisofs -r -J -joliet-long` equivalent (ISO 9660 level-2 names,
 * Rock Ridge, Joliet), deterministic from `options.epoch`. The layout is planned up front
 * (`planIso`), then the image is written in one sequential pass while MD5 and SHA-256 are computed.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, promises as fsp, readSync, type Stats } from 'node:fs';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { md5LanesSupported } from '../../base/md5-lanes';
import { FileDigester, digesterPays } from './file-digests';
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
 * A file the FileDigester takes: with bytes, asking for an MD5 (a legacy pack's RPM). Other
 * digests alone gain nothing from reading the image back: SHA-256 has no lanes, and a file asking
 * only for it (an update pack's RPM, checked again) is hashed from the image's buffers.
 */
function separable(f: PlannedFile): boolean {
  return !isDeferred(f.source) && f.size > 0 && f.digests !== undefined && f.digests.some((d) => d.algorithm === 'md5');
}

/**
 * @internal How the files' own digests are computed: `separate`, the files a FileDigester reads
 * back from the image and hashes (every separable file, once digesterPays for them);
 * `rangeWorkers`, workers hashing the other files' digests from the image's buffers as they pass:
 * one per RANGE_WORKER_BYTES of such files (a worker costs ~10 MB and ~30 ms to start), at most
 * one per request of a file and MAX_RANGE_WORKERS.
 */
export function hashingWorkers(plan: Pick<IsoPlan, 'files'>, lanes = md5LanesSupported()): { rangeWorkers: number; separate: PlannedFile[] } {
  const candidates = plan.files.filter(separable);
  const separateBytes = candidates.reduce((n, f) => n + f.size, 0);
  const separate = digesterPays(separateBytes, lanes) ? candidates : [];
  const taken = new Set(separate);
  const tapped = plan.files.filter((f) => !taken.has(f) && f.digests !== undefined && f.digests.length > 0 && !isDeferred(f.source));
  const byBytes = Math.ceil(tapped.reduce((n, f) => n + f.size, 0) / RANGE_WORKER_BYTES);
  const requests = Math.max(0, ...tapped.map((f) => f.digests!.length));
  return { rangeWorkers: Math.min(requests, MAX_RANGE_WORKERS, byBytes), separate };
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
  const { rangeWorkers, separate } = hashingWorkers(plan);
  let fh: fsp.FileHandle | undefined;
  let sink: ImageSink | undefined;
  let digester: FileDigester | undefined;
  let readBack: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(out, 'w').catch((e: unknown) => {
      throw outputError(e, out);
    });
    if (separate.length > 0) {
      readBack = await fsp.open(out, 'r');
      digester = new FileDigester(readBack.fd, out, separate.map((f) => ({ at: f.extent * BLOCK, size: f.size, requests: f.digests! })));
    }
    const d = digester;
    const onProgress = d === undefined ? options.onProgress : (p: { written: number; total: number }) => (d.written(p.written), options.onProgress?.(p));
    sink = new ImageSink(fh, out, plan.totalBytes, onProgress, digests, rangeWorkers);
    const files = emptyFileDigests(entries);
    const hashed = await writeImage(plan, sink, files, d === undefined ? undefined : { digester: d, index: new Map(separate.map((f, i) => [f, i])) });
    const result = await sink.finish();
    // The last files' digests arrive once finish() has handed the last buffer to the workers.
    await Promise.all(hashed);
    if (result.bytes !== plan.totalBytes) {
      throw new Error(`ISO writer wrote ${result.bytes} bytes, planned ${plan.totalBytes}`);
    }
    await sink.close();
    await digester?.close();
    await readBack?.close();
    await fh.close();
    fh = undefined;
    return files.size > 0 ? { ...result, files } : result;
  } catch (e) {
    // The workers first: a write still running must not land on a descriptor closed and reused.
    await sink?.close();
    await digester?.close();
    await readBack?.close().catch(() => undefined);
    await fh?.close().catch(() => undefined);
    await fsp.rm(out, { force: true });
    throw e;
  }
}

/** The FileDigester hashing some files' digests, and each such file's index there. */
interface Separate {
  digester: FileDigester;
  index: ReadonlyMap<PlannedFile, number>;
}

/** Write the image; `files` gets each file's own digests once the returned promises are settled. */
async function writeImage(plan: IsoPlan, sink: ImageSink, files: Map<string, readonly string[]>, separate?: Separate): Promise<Array<Promise<unknown>>> {
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
    const i = separate?.index.get(f);
    if (i !== undefined) {
      // Its digests come from the FileDigester, which reads its bytes back once they are written.
      await writeFileData(f, sink);
      const hashed = separate!.digester.result(i).then((hex) => files.set(f.path, hex));
      hashed.catch(() => undefined); // thrown where the deferred files or the end await it
      pending.push(hashed);
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
