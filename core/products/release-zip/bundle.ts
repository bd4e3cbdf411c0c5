/**
 * The release zip of a pack (DDK guide 5.6): `<label>.zip` holding `<label>.iso`,
 * `<label>.iso.md5`, `<label>.metadata.md5` and `sources/<tarballs>`. Deterministic: entries
 * sorted by name, every time the epoch's MS-DOS time, mode 0644, raw deflate, no extra fields.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants as zconst, crc32, createDeflateRaw } from 'node:zlib';
import { SuppackError, isNodeError, withFileAsync, describeError } from '../../base/errors';
import { replaceDir } from '../../base/output';
import {
  ZIP_DEFLATED,
  dosDateTime,
  encodeCentralHeader,
  encodeEndRecord,
  encodeLocalHeader,
  type ZipEntryHeader,
} from '../../formats/zip';
import { openInput } from '../../base/open-input';

export interface ZipSource {
  /** POSIX path inside the archive. */
  name: string;
  /** The file to store (symlinks followed). */
  path: string;
  /** Permission bits; default 0644. */
  mode?: number;
}

/**
 * Write `entries` to `dest` (created or truncated; callers make it atomic). Each local header is
 * written with zero sizes first and rewritten in place once the data is streamed: same length,
 * no data descriptor, so the bytes only depend on the inputs.
 */
export async function writeZip(entries: ZipSource[], dest: string, epoch: number): Promise<void> {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  sorted.forEach((e, i) => {
    if (i > 0 && sorted[i - 1].name === e.name) throw new SuppackError(`two entries named ${e.name} in one zip`, { file: dest });
  });
  const { dosTime, dosDate } = dosDateTime(epoch);
  const fh = await fsp.open(dest, 'w', 0o644);
  try {
    let pos = 0;
    const write = async (b: Buffer) => {
      await fh.write(b, 0, b.length, pos);
      pos += b.length;
    };
    const central: Buffer[] = [];
    for (const entry of sorted) {
      const header: ZipEntryHeader = {
        name: entry.name,
        method: ZIP_DEFLATED,
        crc32: 0,
        compressedSize: 0,
        size: 0,
        dosTime,
        dosDate,
        mode: entry.mode ?? 0o644,
      };
      const offset = pos;
      const placeholder = encodeLocalHeader(header);
      await write(placeholder);
      const dataStart = pos;
      await withFileAsync(entry.path, async () => {
        // Stream: input → (crc, size) → raw deflate → file at `pos`.
        await pipeline(
          async function* () {
            for await (const chunk of (await openInput(entry.path)).createReadStream({ highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
              header.crc32 = crc32(chunk, header.crc32);
              header.size += chunk.length;
              yield chunk;
            }
          },
          createDeflateRaw({ level: zconst.Z_BEST_COMPRESSION }),
          async function (deflated: AsyncIterable<Buffer>) {
            for await (const chunk of deflated) await write(chunk);
          },
        );
      });
      header.compressedSize = pos - dataStart;
      const final = encodeLocalHeader(header);
      if (final.length !== placeholder.length) throw new Error('zip local header changed length');
      await fh.write(final, 0, final.length, offset);
      central.push(encodeCentralHeader(header, offset));
    }
    const centralOffset = pos;
    for (const c of central) await write(c);
    await write(encodeEndRecord(sorted.length, pos - centralOffset, centralOffset));
  } finally {
    await fh.close();
  }
}

export interface BundleBuild {
  label: string;
  /** build-iso's output: `<label>.iso`, `<label>.iso.md5`, `<label>.metadata.md5`. */
  isoDir: string;
  /** build-srctarballs' output: `*.tar.gz`; may be absent when no spec has sources. */
  sourcesDir: string;
  outDir: string;
  epoch: number;
  /** The files of isoDir to ship; default the legacy three. 'all' takes every file build-iso wrote (update packs). */
  files?: string[] | 'all';
}

/** Replace `outDir` with `<label>.zip`; returns its path. */
export async function buildBundle(o: BundleBuild): Promise<string> {
  const entries: ZipSource[] = [];
  const names =
    o.files === 'all'
      ? await filesIn(o.isoDir)
      : (o.files ?? [`${o.label}.iso`, `${o.label}.iso.md5`, `${o.label}.metadata.md5`]);
  for (const name of names) {
    const path = join(o.isoDir, name);
    const st = await fsp.stat(path).catch((e: unknown) => {
      if (isNodeError(e) && e.code === 'ENOENT') {
        throw new SuppackError('missing: expected the output of build-iso (run the build-iso target first)', { file: path });
      }
      throw new SuppackError(describeError(e), { file: path });
    });
    if (!st.isFile()) throw new SuppackError('expected a regular file', { file: path });
    entries.push({ name, path });
  }
  for (const name of await tarballsIn(o.sourcesDir)) {
    entries.push({ name: `sources/${name}`, path: join(o.sourcesDir, name) });
  }
  const zipName = `${o.label}.zip`;
  await replaceDir(o.outDir, (tmp) => writeZip(entries, join(tmp, zipName), o.epoch));
  return join(o.outDir, zipName);
}

/** The regular, non-hidden files of build-iso's output, sorted. */
async function filesIn(dir: string): Promise<string[]> {
  try {
    const ents = await fsp.readdir(dir, { withFileTypes: true });
    const names = ents.filter((d) => d.isFile() && !d.name.startsWith('.')).map((d) => d.name).sort();
    if (names.length > 0) return names;
  } catch (e) {
    if (!(isNodeError(e) && e.code === 'ENOENT')) throw new SuppackError(describeError(e), { file: dir });
  }
  throw new SuppackError('missing: expected the output of build-iso (run the build-iso target first)', { file: dir });
}

async function tarballsIn(dir: string): Promise<string[]> {
  try {
    const ents = await fsp.readdir(dir, { withFileTypes: true });
    return ents
      .filter((d) => d.isFile() && !d.name.startsWith('.') && /\.(tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$/.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if (isNodeError(e) && e.code === 'ENOENT') return [];
    throw new SuppackError(describeError(e), { file: dir });
  }
}
