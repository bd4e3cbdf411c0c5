/**
 * `rpmInfo()`: RPM files in, the same files out with `file.rpm` set to the parsed lead and
 * headers (core/rpm), for filtering and reordering downstream. The payload is never read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type Vinyl from 'vinyl';
import { SuppackError, withFile } from '../core';
import { parseRpm, rpmHeadersLength, type RpmInfo } from '../core';
import { readStreamHead } from './contents';
import { pluginError } from './errors';

/** A vinyl file that went through `rpmInfo()`. */
export type RpmVinyl = Vinyl & { rpm: RpmInfo };

/**
 * Buffer contents are parsed in place. Stream contents are supported without buffering the
 * file: the lead and headers are read off the front of the stream and the file leaves with a
 * stream that replays them followed by the rest. The RPM's size then comes from `file.stat.size`
 * (gulp's `src()` always sets it). Null files (directories) pass through untouched.
 */
export function rpmInfo(): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc: BufferEncoding, done: TransformCallback) {
      if (file.isNull()) return done(null, file);
      attachRpmInfo(file).then(
        (f) => done(null, f),
        (e: unknown) => done(pluginError(e, file.path)),
      );
    },
  });
}

async function attachRpmInfo(file: Vinyl): Promise<Vinyl> {
  const path = file.path;
  if (Buffer.isBuffer(file.contents)) {
    file.rpm = parseRpm(file.contents, path, file.contents.length);
    return file;
  }
  const size = file.stat?.size;
  if (typeof size !== 'number') {
    throw new SuppackError('stream contents without file.stat.size: the RPM size is unknown; use src(..., { buffer: true }) or set file.stat', {
      file: path,
    });
  }
  const { head, contents } = await readStreamHead(file.contents as NodeJS.ReadableStream, (buf) =>
    Math.min(withFile(path, () => rpmHeadersLength(buf, size)), size),
  );
  try {
    file.rpm = parseRpm(head, path, size);
  } catch (e) {
    contents.destroy();
    throw e;
  }
  file.contents = contents;
  return file;
}
