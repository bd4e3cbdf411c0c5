/**
 * Streaming reader of cpio "newc" archives (070701, and 070702 with its checksum field), the RPM
 * payload format. docs/formats/containers.md §6; linux Documentation/driver-api/early-userspace/buffer-format.rst.
 */
import { SuppackError } from '../../base/errors';

export const NEWC_HEADER_SIZE = 110;
export const CPIO_TRAILER = 'TRAILER!!!';
/** Longest name accepted (PATH_MAX, including the NUL). */
export const CPIO_MAX_NAME = 4096;
/** Default limit of CpioEntry.buffer(). */
export const CPIO_DEFAULT_BUFFER_LIMIT = 16 * 1024 * 1024;

export interface NewcHeader {
  magic: '070701' | '070702';
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  /** Size of the data that follows the name. */
  size: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Length of the name including its NUL. */
  nameSize: number;
  /** 070702: 32-bit sum of the data bytes; 0 for 070701. */
  check: number;
}

/**
 * The newc header's fields after the 6-byte magic, in order, each 8 hex digits (the field table
 * the decoder and the encoder, cpio-write.ts, both read; docs/formats/containers.md 6).
 */
export const NEWC_FIELDS = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'size', 'devMajor', 'devMinor', 'rdevMajor', 'rdevMinor', 'nameSize', 'check'] as const;
const FIELDS = NEWC_FIELDS;
/** Where field `k` of NEWC_FIELDS starts. */
export const newcFieldOffset = (k: number): number => 6 + 8 * k;

/** docs/formats/containers.md §6: 110-byte entry header = magic[6] then 13 fields of 8 hex digits. */
export function decodeNewcHeader(buf: Buffer): NewcHeader {
  if (buf.length < NEWC_HEADER_SIZE) throw new SuppackError(`cpio header needs ${NEWC_HEADER_SIZE} bytes, got ${buf.length}`);
  const magic = buf.toString('latin1', 0, 6);
  if (magic !== '070701' && magic !== '070702') {
    const what = /^07070[0-9A-Fa-f]$/.test(magic) ? `unsupported cpio format ${magic}` : 'bad cpio magic';
    throw new SuppackError(`${what}: expected 070701 or 070702, got ${JSON.stringify(magic)}`);
  }
  const h: Partial<Record<(typeof FIELDS)[number], number>> = {};
  FIELDS.forEach((name, k) => {
    const text = buf.toString('latin1', newcFieldOffset(k), newcFieldOffset(k + 1));
    if (!/^[0-9A-Fa-f]{8}$/.test(text)) throw new SuppackError(`cpio header field ${name} is not 8 hex digits: ${JSON.stringify(text)}`);
    h[name] = parseInt(text, 16);
  });
  return { magic, ...(h as Record<(typeof FIELDS)[number], number>) };
}

export interface CpioEntry extends NewcHeader {
  /** The name as stored, e.g. `./usr/share/doc/acme-tool/acme-tool-EULA`. */
  name: string;
  /** Index of the entry in the archive (0-based). */
  index: number;
  /** Streams the data. Consume it before advancing the iterator; whatever is left unread is skipped. */
  body(): AsyncIterable<Buffer>;
  /** The whole data; refuses an entry larger than `maxBytes` (default 16 MiB) without reading it. */
  buffer(maxBytes?: number): Promise<Buffer>;
}

/** Pull-based reader over a stream of chunks, tracking the absolute position for cpio's 4-byte alignment. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  position = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** The next chunk of at most `max` bytes, or undefined at end of input. */
  async chunk(max: number): Promise<Buffer | undefined> {
    while (this.pending.length === 0) {
      const r = await this.source.next();
      if (r.done === true) return undefined;
      this.pending = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** Exactly `n` bytes (n small), or fewer at end of input. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const c = await this.chunk(n - got);
      if (c === undefined) break;
      parts.push(c);
      got += c.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Skips `n` bytes; returns how many were actually skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const c = await this.chunk(left);
      if (c === undefined) break;
      left -= c.length;
    }
    return n - left;
  }
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

/**
 * Iterates over the entries of a newc archive read from `chunks`, stopping at TRAILER!!!.
 * Memory stays bounded by the chunk size: entry data is streamed, never buffered unless asked.
 * Throws a SuppackError (field `cpio entry N`) for bad magic, bad fields, bad names or truncation.
 */
export async function* readNewc(chunks: AsyncIterable<Buffer>): AsyncGenerator<CpioEntry, void, undefined> {
  const input = new ByteReader(chunks[Symbol.asyncIterator]());
  for (let index = 0; ; index++) {
    const headerAt = input.position;
    const field = `cpio entry ${index} at offset ${headerAt}`;
    const fail = (what: string): never => {
      throw new SuppackError(what, { field });
    };
    const raw = await input.read(NEWC_HEADER_SIZE);
    if (raw.length === 0) fail(`archive ends without the ${CPIO_TRAILER} entry`);
    if (raw.length < NEWC_HEADER_SIZE) fail(`archive ends inside the entry header (${raw.length} of ${NEWC_HEADER_SIZE} bytes)`);
    let header: NewcHeader;
    try {
      header = decodeNewcHeader(raw);
    } catch (e) {
      throw e instanceof SuppackError ? new SuppackError(e.message, { field }) : e;
    }
    if (header.nameSize < 2 || header.nameSize > CPIO_MAX_NAME) fail(`name size ${header.nameSize} out of range, expected 2..${CPIO_MAX_NAME}`);
    const nameBytes = await input.read(header.nameSize);
    if (nameBytes.length < header.nameSize) fail('archive ends inside the entry name');
    const nul = nameBytes.indexOf(0);
    if (nul !== header.nameSize - 1) fail('entry name is not NUL-terminated at its name size');
    const name = nameBytes.toString('utf8', 0, nul);
    const namePad = pad4(input.position);
    if ((await input.skip(namePad)) < namePad) fail('archive ends inside the name padding');
    if (name === CPIO_TRAILER) return;

    let remaining = header.size;
    let streaming = false;
    let expired = false;
    const truncated = (): never => fail(`archive ends inside the data of ${JSON.stringify(name)} (${header.size} bytes)`);
    async function* body(): AsyncGenerator<Buffer, void, undefined> {
      if (streaming) throw new SuppackError(`data of ${JSON.stringify(name)} was already read`, { field });
      if (expired) throw new SuppackError(`data of ${JSON.stringify(name)} read after moving to the next entry`, { field });
      streaming = true;
      while (remaining > 0) {
        const c = await input.chunk(Math.min(remaining, 1 << 20));
        if (c === undefined) truncated();
        remaining -= c!.length;
        yield c!;
      }
    }
    const entry: CpioEntry = {
      ...header,
      name,
      index,
      body,
      async buffer(maxBytes = CPIO_DEFAULT_BUFFER_LIMIT): Promise<Buffer> {
        if (header.size > maxBytes) fail(`${JSON.stringify(name)} has ${header.size} bytes, more than the ${maxBytes} allowed here`);
        const parts: Buffer[] = [];
        for await (const c of body()) parts.push(c);
        return Buffer.concat(parts);
      },
    };
    yield entry;
    expired = true;
    if ((await input.skip(remaining)) < remaining) truncated();
    remaining = 0;
    const dataPad = pad4(input.position);
    if ((await input.skip(dataPad)) < dataPad) fail('archive ends inside the data padding');
  }
}
