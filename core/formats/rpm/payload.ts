/**
 * The RPM payload: the compressed cpio archive from `payloadOffset` to the end of the file
 * (docs/formats/containers.md §4 and §6). Streams entries; never holds more than a chunk in memory.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { describeNodeError, isNodeError, SuppackError } from '../../base/errors';
import { type CpioEntry, readNewc } from './cpio';
import type { RpmInfo } from './types';

export type { CpioEntry } from './cpio';

/** Compressors the payload reader can decompress with Node built-ins. */
export const SUPPORTED_PAYLOAD_COMPRESSORS: readonly string[] = ['gzip'];

/**
 * Iterates over the cpio entries of the RPM's payload, stopping at the cpio trailer. Each entry's
 * data must be read (body()/buffer()) before advancing; breaking out of the loop closes the file.
 * Errors are one-line SuppackErrors with `file` = `path`.
 */
export async function* readRpmPayload(
  path: string,
  info: Pick<RpmInfo, 'payloadOffset' | 'payloadCompressor'>,
): AsyncGenerator<CpioEntry, void, undefined> {
  checkCompressor(path, info.payloadCompressor);
  yield* readRpmPayloadStream(createReadStream(path, { start: info.payloadOffset, highWaterMark: 256 * 1024 }), path, info);
}

/**
 * readRpmPayload over `compressed`, the RPM's bytes from `payloadOffset` on (a file, or an ISO
 * member already read up to there); `path` names the RPM in errors. Destroys `compressed` when done.
 */
export async function* readRpmPayloadStream(
  compressed: NodeJS.ReadableStream,
  path: string,
  info: Pick<RpmInfo, 'payloadCompressor'>,
): AsyncGenerator<CpioEntry, void, undefined> {
  checkCompressor(path, info.payloadCompressor);
  const gunzip = createGunzip();
  compressed.on('error', (e: Error) => gunzip.destroy(e));
  const decompressed = compressed.pipe(gunzip);
  try {
    for await (const entry of readNewc(decompressed)) yield withErrors(entry, path, info.payloadCompressor);
  } catch (e) {
    throw payloadError(e, path, info.payloadCompressor);
  } finally {
    (compressed as { destroy?: () => void }).destroy?.();
    gunzip.destroy();
  }
}

function checkCompressor(path: string, compressor: string): void {
  if (!SUPPORTED_PAYLOAD_COMPRESSORS.includes(compressor)) {
    throw new SuppackError(`payload compressor ${compressor} not supported (only ${SUPPORTED_PAYLOAD_COMPRESSORS.join(', ')})`, {
      file: path,
      field: 'RPM header tag 1125 (PAYLOADCOMPRESSOR)',
    });
  }
}

/** The entry's data is read in the caller's loop: give its errors the same file and field. */
function withErrors(entry: CpioEntry, path: string, compressor: string): CpioEntry {
  return {
    ...entry,
    async *body() {
      try {
        yield* entry.body();
      } catch (e) {
        throw payloadError(e, path, compressor);
      }
    },
    async buffer(maxBytes?: number) {
      try {
        return await entry.buffer(maxBytes);
      } catch (e) {
        throw payloadError(e, path, compressor);
      }
    },
  };
}

function payloadError(e: unknown, path: string, compressor: string): unknown {
  if (e instanceof SuppackError) {
    if (e.file !== undefined) return e;
    const what = e.field !== undefined ? e.message.slice(e.field.length + 2) : e.message;
    return new SuppackError(what, { file: path, field: e.field === undefined ? 'payload' : `payload: ${e.field}` });
  }
  if (isNodeError(e) && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new SuppackError(`${compressor} data is corrupt or truncated (${e.message})`, { file: path, field: 'payload' });
  }
  if (isNodeError(e) && typeof e.code === 'string') {
    return new SuppackError(`cannot read the payload: ${describeNodeError(e)}`, { file: path, field: 'payload' });
  }
  return e;
}
