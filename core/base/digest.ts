import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

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
  const hashes = algorithms.map((a) => createHash(a));
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(fstatSync(fd).size, 1)));
    for (let n; (n = readSync(fd, buf, 0, buf.length, size)) > 0; ) {
      size += n;
      for (const h of hashes) h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  const hex: Record<string, string> = {};
  algorithms.forEach((a, i) => (hex[a] = hashes[i]!.digest('hex')));
  return { size, hex };
}

const READ_CHUNK = 1 << 20;
