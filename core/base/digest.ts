import { createHash } from 'node:crypto';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openInputSync } from './open-input';

export interface FileDigests {
  size: number;
  /** Hex digest per algorithm name, e.g. { md5: '…', sha256: '…' }. */
  hex: Record<string, string>;
}

/**
 * Size and hex digests of a file, read in 1 MiB pieces into one buffer: memory does not grow with
 * the file, and no fresh buffer is faulted in per piece. The reads are synchronous, as the hashing
 * is (docs/formats/containers.md §3: an asynchronous call costs a thread-pool round trip).
 */
export async function hashFile(path: string, algorithms: readonly string[] = ['md5']): Promise<FileDigests> {
  const { size, hex } = hashFileFrom(path, 0, algorithms.map((algorithm) => ({ algorithm })));
  return { size, hex: Object.fromEntries(algorithms.map((a, i) => [a, hex[i]!])) };
}

/**
 * Hex digests of the bytes of `path` from byte `from` on, each after its own `prefix` (a signed
 * RPM's digests: its new lead and signature, then the original's bytes; and the original's, from
 * its own first bytes), in one read; `size` is the bytes read, without the prefixes.
 */
export function hashFileFrom(path: string, from: number, streams: ReadonlyArray<{ algorithm: string; prefix?: Buffer }>): { size: number; hex: string[] } {
  const hashes = streams.map((s) => createHash(s.algorithm).update(s.prefix ?? Buffer.alloc(0)));
  const fd = openInputSync(path);
  let at = from;
  try {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(fstatSync(fd).size - from, 1)));
    for (let n; (n = readSync(fd, buf, 0, buf.length, at)) > 0; ) {
      at += n;
      for (const h of hashes) h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return { size: at - from, hex: hashes.map((h) => h.digest('hex')) };
}

const READ_CHUNK = 1 << 20;
