import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigests {
  size: number;
  /** Hex digest per algorithm name, e.g. { md5: '…', sha256: '…' }. */
  hex: Record<string, string>;
}

/** Size and hex digests of a file, streamed: memory does not grow with the file. */
export async function hashFile(path: string, algorithms: readonly string[] = ['md5']): Promise<FileDigests> {
  const hashes = algorithms.map((a) => createHash(a));
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    for (const h of hashes) h.update(chunk);
  }
  const hex: Record<string, string> = {};
  algorithms.forEach((a, i) => (hex[a] = hashes[i].digest('hex')));
  return { size, hex };
}
