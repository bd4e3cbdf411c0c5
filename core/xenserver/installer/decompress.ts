/**
 * Compressed streams of installer ramdisks and RPM payloads, recognised by their magic (linux
 * lib/decompress.c `compressed_formats`): gzip natively with zlib; bzip2, xz, lzma and zstd by
 * spawning the real tool (`bzip2 -dc`, `xz -dc`, `zstd -dc`), which is an error naming the Debian
 * package when it is missing.
 */
import { spawn } from 'node:child_process';
import { boundIfFound } from '../../base/bound-child';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SuppackError, isNodeError, describeError } from '../../base/errors';

export type Compression = 'newc' | 'gzip' | 'bzip2' | 'xz' | 'lzma' | 'zstd';

interface Tool {
  command: string;
  args: string[];
  debianPackage: string;
}

const TOOLS: Readonly<Record<Exclude<Compression, 'newc' | 'gzip'>, Tool>> = {
  bzip2: { command: 'bzip2', args: ['-dc'], debianPackage: 'bzip2' },
  xz: { command: 'xz', args: ['-dc'], debianPackage: 'xz-utils' },
  lzma: { command: 'xz', args: ['-dc', '--format=lzma'], debianPackage: 'xz-utils' },
  zstd: { command: 'zstd', args: ['-dcq'], debianPackage: 'zstd' },
};

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
/** bzip2: "BZh" + block size '1'..'9' + the first block's magic (pi) or the end-of-stream magic (sqrt pi). */
const BZIP2_BLOCK = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
const BZIP2_EOS = Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);

/** Longest magic `detectCompression` looks at. */
export const MAGIC_BYTES = 10;

/**
 * The format of the data that starts at `at` in `buf` (RFC 1952 2.3.1 gzip ID1 ID2 CM=8; bzip2
 * "BZh"; xz stream header magic; zstd frame magic; lzma-alone properties byte 0x5d + dictionary;
 * newc "070701"/"070702"), or undefined when none matches. Needs MAGIC_BYTES bytes from `at`.
 */
export function detectCompression(buf: Buffer, at = 0): Compression | undefined {
  const b = (i: number): number | undefined => buf[at + i];
  const is = (magic: Buffer): boolean => at + magic.length <= buf.length && buf.subarray(at, at + magic.length).equals(magic);
  if (b(0) === 0x1f && b(1) === 0x8b && b(2) === 8) return 'gzip';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68 && b(3)! >= 0x31 && b(3)! <= 0x39) {
    const rest = buf.subarray(at + 4, at + 10);
    if (rest.equals(BZIP2_BLOCK) || rest.equals(BZIP2_EOS)) return 'bzip2';
  }
  if (is(XZ_MAGIC)) return 'xz';
  if (is(ZSTD_MAGIC)) return 'zstd';
  if (b(0) === 0x5d && b(1) === 0 && b(2) === 0 && (b(12) === 0 || b(12) === 0xff)) return 'lzma';
  const text = buf.toString('latin1', at, at + 6);
  if (text === '070701' || text === '070702') return 'newc';
  return undefined;
}

/** A decompressed stream. */
export interface Decompressed {
  chunks: AsyncIterable<Buffer>;
  /** Ends it early (kills the tool) once the reader has what it needs; safe to call twice. */
  close(): void;
  /** What to throw when reading the chunks failed with `e`: the tool's own error when it failed, else `e`. */
  explain(e: unknown): Promise<unknown>;
}

/**
 * Decompresses `source` (which starts with `compression`'s magic). Errors are one-line
 * SuppackErrors naming `file` and `field`. Data after the end of the compressed stream is the
 * tool's business: readers stop at the cpio trailer and call `close()`.
 */
export function decompress(compression: Compression, source: Readable, file: string, field: string): Decompressed {
  if (compression === 'newc') {
    return { chunks: source as AsyncIterable<Buffer>, close: () => source.destroy(), explain: async (e) => e };
  }
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    source.on('error', (e) => gunzip.destroy(e));
    source.pipe(gunzip);
    return {
      chunks: gunzip as AsyncIterable<Buffer>,
      close: () => {
        source.destroy();
        gunzip.destroy();
      },
      explain: async (e) =>
        isNodeError(e) && typeof e.code === 'string' && e.code.startsWith('Z_')
          ? new SuppackError(`gzip data is corrupt or truncated (${e.message})`, { file, field })
          : e,
    };
  }
  return spawnTool(TOOLS[compression], compression, source, file, field);
}

function spawnTool(tool: Tool, compression: string, source: Readable, file: string, field: string): Decompressed {
  // it dies with this process, even by SIGKILL (core/base/bound-child.ts)
  const bound = boundIfFound(tool.command, tool.args);
  const child = spawn(bound.file, bound.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let failure: SuppackError | undefined;
  let closed = false;
  let outputEnded = false;
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 4096) stderr += c.toString('utf8');
  });
  child.stdout.on('end', () => {
    outputEnded = true;
  });
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      failure ??= isNodeError(e) && e.code === 'ENOENT'
        ? new SuppackError(`is ${compression}-compressed and the ${tool.command} program is not installed (Debian package ${tool.debianPackage})`, { file, field })
        : new SuppackError(`cannot run ${tool.command}: ${describeError(e)}`, { file, field });
      resolve();
    });
    child.on('close', (code, signal) => {
      if (!closed && code !== 0) {
        const why = (stderr.trim().split('\n').at(-1) ?? '').replace(/^[^:]*: (\([^)]*\): )?/, '');
        failure ??= new SuppackError(`${compression} data is corrupt or truncated (${tool.command}: ${why || (signal ?? `exit ${code}`)})`, { file, field });
      }
      resolve();
    });
  });
  // The tool may stop reading (its own error, or close()): not an error of ours.
  child.stdin.on('error', () => undefined);
  source.on('error', (e) => {
    failure ??= new SuppackError(`cannot read it: ${describeError(e)}`, { file, field });
    child.kill();
  });
  source.pipe(child.stdin);
  return {
    chunks: (async function* () {
      for await (const c of child.stdout as AsyncIterable<Buffer>) yield c;
      await exited;
      if (failure) throw failure;
    })(),
    close: () => {
      closed = true;
      source.destroy();
      child.kill();
    },
    explain: async (e) => {
      if (outputEnded || failure) {
        await exited;
        if (failure) return failure;
      }
      return e;
    },
  };
}

/** rpm's PAYLOADCOMPRESSOR names, for a payload whose first bytes name no compressor. */
const RPM_COMPRESSORS: Readonly<Record<string, Compression>> = { gzip: 'gzip', bzip2: 'bzip2', xz: 'xz', lzma: 'lzma', zstd: 'zstd' };

/**
 * The decompressed payload (cpio) of the RPM `file`, whose header `readRpm` gave `info`: the
 * compressor is found from the payload's first bytes, else from PAYLOADCOMPRESSOR.
 */
export async function openRpmPayload(file: string, info: { payloadOffset: number; payloadCompressor: string }): Promise<Decompressed> {
  const parts: Buffer[] = [];
  try {
    for await (const c of createReadStream(file, { start: info.payloadOffset, end: info.payloadOffset + 15 })) parts.push(c as Buffer);
  } catch (e) {
    throw new SuppackError(`cannot read the payload: ${describeError(e)}`, { field: 'payload' });
  }
  const compression = detectCompression(Buffer.concat(parts)) ?? RPM_COMPRESSORS[info.payloadCompressor];
  if (compression === undefined) {
    throw new SuppackError(`payload compressor ${info.payloadCompressor} not supported`, { field: 'RPM header tag 1125 (PAYLOADCOMPRESSOR)' });
  }
  return decompress(compression, createReadStream(file, { start: info.payloadOffset }), file, 'payload');
}
