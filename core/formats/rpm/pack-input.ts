/**
 * An RPM going into a pack (build-supplemental-pack, build-update, collect-rpms, gulp): read once,
 * its digests checked like `rpm -K --nosignature` (digests.ts), its NAME, VERSION, RELEASE and
 * ARCH checked with rpmbuild's rules (identity.ts), and the whole file's digests computed on the way.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SuppackError, withFile } from '../../base/errors';
import { createHash } from 'node:crypto';
import { checkRpmDigest, readCheckedRpm, rpmDigestPlan, type CheckedRpm, type RpmDigestRange } from './digests';
import { type RpmHeaders, readRpmHead } from './read';
import type { RpmInfo } from './types';
import { checkRpmIdentity } from './identity';

/** A pack's ISO holds each file in one ISO 9660 extent: below 4 GiB (ECMA-119 9.1.4, 32-bit data length). */
export const MAX_PACK_FILE_BYTES = 0xffffffff - 1;

export async function readPackRpm(path: string, algorithms: readonly string[] = []): Promise<CheckedRpm> {
  // Refused before any byte is read (a 5 GiB RPM used to be hashed for seconds first).
  const { size } = withFile(path, () => statSync(path));
  if (size > MAX_PACK_FILE_BYTES) {
    throw new SuppackError(`is ${size} bytes: a pack's ISO holds files of at most ${MAX_PACK_FILE_BYTES} bytes (one ISO 9660 extent, below 4 GiB)`, {
      file: path,
    });
  }
  const checked = await readCheckedRpm(path, algorithms);
  checkRpmIdentity(checked.info);
  return checked;
}

/**
 * At most this many threads: each costs about 43 MB of memory (its own V8 and modules), and with
 * two the build's peak stays near 160 MiB, under issue 16's 200 MB (three measured 192 MB, four 236 MB).
 */
const MAX_WORKERS = 2;

/** Below this many bytes in all, the RPMs are read in this thread: starting workers would cost more. */
const PARALLEL_MIN_BYTES = 32 << 20;

/**
 * Worker code, plain JS run with `eval: true`: it loads this very module (compiled) and answers
 * one `readPackRpm` per message, an error as its parts so the caller can rebuild it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readPackRpm } = require(workerData.module);
parentPort.on('message', ({ id, path, algorithms }) => {
  readPackRpm(path, algorithms).then(
    (ok) => parentPort.postMessage({ id, ok }),
    (e) => parentPort.postMessage({ id, error: { suppack: e instanceof Error && e.name === 'SuppackError', message: e instanceof Error ? e.message : String(e), file: e && e.file, field: e && e.field } }),
  );
});
`;

interface WorkerError {
  suppack: boolean;
  message: string;
  file?: string;
  field?: string;
}

/**
 * `readPackRpm` of every path, in order: on two threads when the RPMs are big enough to pay
 * for them (hashing is the cost: each byte goes through md5 and the RPM's own digests) and this
 * module runs compiled; else one after the other. Every RPM is read before an error is thrown,
 * and the error is that of the first bad RPM in `paths` order, as a one-by-one read would give.
 */
export async function readPackRpms(
  paths: readonly string[],
  algorithms: readonly string[] = [],
  { threads = availableParallelism(), minBytes = PARALLEL_MIN_BYTES }: { threads?: number; minBytes?: number } = {},
): Promise<CheckedRpm[]> {
  const workers = Math.min(threads, paths.length, MAX_WORKERS);
  if (workers < 2 || !__filename.endsWith('.js') || (await totalSize(paths)) < minBytes) {
    const out: CheckedRpm[] = [];
    for (const p of paths) out.push(await readPackRpm(p, algorithms));
    return out;
  }
  const results: Array<{ ok?: CheckedRpm; error?: WorkerError }> = new Array(paths.length);
  let next = 0;
  let answered = 0;
  const pool = Array.from({ length: workers }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { module: __filename } }));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= paths.length) return resolve();
              const id = next++;
              w.postMessage({ id, path: paths[id], algorithms: [...algorithms] });
            };
            w.on('message', (m: { id: number; ok?: CheckedRpm; error?: WorkerError }) => {
              results[m.id] = m;
              answered++;
              give();
            });
            w.on('error', reject);
            // A thread that ends without an answer (it should not) fails the read instead of hanging it.
            w.on('exit', (code) => {
              if (answered < paths.length) reject(new Error(`an RPM reading thread ended (exit code ${code})`));
            });
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results.map((r) => {
    // A Buffer crosses threads as a plain Uint8Array.
    if (r.error === undefined) return { ...r.ok!, head: Buffer.from(r.ok!.head.buffer, r.ok!.head.byteOffset, r.ok!.head.byteLength) };
    const e = r.error.suppack ? new SuppackError(r.error.message) : new Error(r.error.message);
    if (r.error.suppack) Object.assign(e, { file: r.error.file, field: r.error.field });
    throw e;
  });
}

/** The bytes of `paths` together; a path that cannot be stat'ed counts as 0 (readPackRpm names it). */
async function totalSize(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    try {
      total += statSync(p).size;
    } catch {
      // counted as 0
    }
  }
  return total;
}

/**
 * An RPM going into a pack in one pass: its headers read and checked (`readPackRpmHead`), the
 * rest of its digests computed while its bytes are copied into the pack (the ISO writer's file
 * digests, `packRpmDigestRequests`) and compared afterwards (`checkPackRpmDigests`). Together
 * they check what readPackRpm checks, reading each byte once.
 */
export interface PackRpmHead {
  info: RpmInfo;
  size: number;
  /** The file's first bytes, up to the end of the main header. */
  head: Buffer;
  /** The digests its bytes past the headers must give (MD5 of the header and payload, PAYLOADDIGEST). */
  checks: RpmDigestRange[];
  /** Both headers, decoded once from `head` (for the host check). */
  headers: RpmHeaders;
}

/** A digest of the bytes [from, to) of a file (the ISO writer's FileDigestRequest). */
export interface ByteRangeDigest {
  algorithm: string;
  from?: number;
  to?: number;
}

/** Read an RPM's headers only (synchronously, see readRpmHead) and check them as readPackRpm does. */
export function readPackRpmHead(path: string): PackRpmHead {
  const { size } = withFile(path, () => statSync(path));
  if (size > MAX_PACK_FILE_BYTES) {
    throw new SuppackError(`is ${size} bytes: a pack's ISO holds files of at most ${MAX_PACK_FILE_BYTES} bytes (one ISO 9660 extent, below 4 GiB)`, {
      file: path,
    });
  }
  const { info, bytes, headers } = readRpmHead(path);
  const checks = rpmDigestPlan(bytes, info, headers);
  checkRpmIdentity(info);
  return { info, size: info.fileSize, head: bytes, checks, headers };
}

/**
 * What to hash of the RPM's bytes as they are copied: the whole file per `fileAlgorithms` (the
 * pack metadata's md5 or sha256), each of its `checks`, and the headers again (sha256), so that
 * a file changed since its headers were read is caught.
 */
export function packRpmDigestRequests(rpm: Omit<PackRpmHead, 'headers'>, fileAlgorithms: readonly string[]): ByteRangeDigest[] {
  return [
    ...fileAlgorithms.map((algorithm) => ({ algorithm })),
    ...rpm.checks.map((c) => ({ algorithm: c.algorithm, from: c.start })),
    { algorithm: 'sha256', from: 0, to: rpm.head.length },
  ];
}

/**
 * Compare the digests computed for `packRpmDigestRequests(rpm, fileAlgorithms)` (`hex`, in that
 * order) with what the RPM says; returns the whole file's digests per algorithm. Throws the
 * SuppackError readPackRpm would.
 */
export function checkPackRpmDigests(rpm: Omit<PackRpmHead, 'headers'>, fileAlgorithms: readonly string[], hex: readonly string[]): Record<string, string> {
  const path = rpm.info.path;
  const headHex = hex[fileAlgorithms.length + rpm.checks.length];
  if (headHex !== createHash('sha256').update(rpm.head).digest('hex')) {
    throw new SuppackError('changed while being read: its headers are not the ones read before', { file: path });
  }
  rpm.checks.forEach((c, i) => checkRpmDigest(path, c, hex[fileAlgorithms.length + i]!));
  return Object.fromEntries(fileAlgorithms.map((a, i) => [a, hex[i]!]));
}
