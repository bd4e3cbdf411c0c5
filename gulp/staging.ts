/**
 * What the N-to-1 plugins (supplementalPack, combinePacks, rebuildIso) share: inputs staged to a
 * temp directory under os.tmpdir() for core to read, core's errors renamed from the staged paths
 * to the user's files, outputs made as vinyl files, and the temp directory removed.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import PluginError from 'plugin-error';
import Vinyl from 'vinyl';
import { isSuppackError } from '../core';
import { writeContents } from './contents';
import { PLUGIN_NAME, pluginError } from './errors';
import { makeDir } from '../core';

export interface Staged {
  /** Where the input was written for core to read. */
  staged: string;
  /** The vinyl path the user knows it by. */
  original: string;
}

export class Staging {
  readonly inputs: Staged[] = [];
  /** The first non-null input: the outputs take its cwd and base. */
  first: Vinyl | undefined;
  private tmp: Promise<string> | undefined;

  /** The temp directory, made on first use. */
  workDir(): Promise<string> {
    return (this.tmp ??= mkdtemp(join(tmpdir(), 'suppack-gulp-')));
  }

  /** Remove the temp directory (never fails). */
  readonly cleanup = async (): Promise<void> => {
    if (this.tmp !== undefined) await rm(await this.tmp, { recursive: true, force: true }).catch(() => undefined);
  };

  /**
   * Write a buffer or stream file to disk, one sub-directory per input so that two inputs with
   * one name stay apart (core's duplicate-name checks still see both).
   */
  async stage(file: Vinyl): Promise<void> {
    this.first ??= file;
    const dir = join(await this.workDir(), 'in', String(this.inputs.length));
    const staged = join(dir, basename(file.path));
    this.inputs.push({ staged, original: file.path });
    await makeDir(dir);
    await writeContents(file, staged);
  }

  /**
   * The staged inputs in name order of their base names, not arrival order: src() emits a glob's
   * matches in directory order, which differs between machines. The Nx targets sort the same way.
   */
  byName(): Staged[] {
    return [...this.inputs].sort((a, b) => compareBytes(basename(a.original), basename(b.original)));
  }

  /**
   * A core error names staged temp paths: name the user's files instead. `userFiles` are paths the
   * user gave as options (core reads them where they are): an error in one of them gets it as
   * `fileName`. `extra` renames more temp paths (an output being written).
   */
  unstage(e: unknown, userFiles: readonly string[] = [], extra: readonly Staged[] = []): unknown {
    if (!(e instanceof Error) || e instanceof PluginError) return e;
    const names = (f: string) => isSuppackError(e) && e.file !== undefined && (e.file === f || e.file.startsWith(`${f}: `));
    let message = e.message;
    let fileName: string | undefined;
    for (const { staged, original } of [...this.inputs, ...extra]) {
      if (fileName === undefined && names(staged)) fileName = original;
      message = message.split(staged).join(original);
    }
    for (const f of userFiles) if (fileName === undefined && names(f)) fileName = f;
    if (message === e.message && fileName === undefined) return e;
    return new PluginError(PLUGIN_NAME, message, { ...(fileName !== undefined ? { fileName } : {}), showProperties: false });
  }

  /** An output file named `basename(path)` in the first input's base (or the process's cwd with no input). */
  output(path: string, contents: Buffer | NodeJS.ReadableStream): Vinyl {
    const cwd = this.first?.cwd ?? process.cwd();
    const base = this.first?.base ?? cwd;
    return new Vinyl({ cwd, base, path: join(base, basename(path)), contents });
  }

  /**
   * The output `path` as a buffer, or as a stream when `buffer` is false. The file is opened
   * first, so the temp directory can go at once (on systems that refuse to remove an open file,
   * it goes when that stream closes).
   */
  async contents(path: string, buffer: boolean): Promise<Buffer | NodeJS.ReadableStream> {
    const fh = await open(path, 'r');
    if (buffer) {
      try {
        return await fh.readFile();
      } finally {
        await fh.close();
      }
    }
    const stream = fh.createReadStream();
    stream.once('close', () => void this.cleanup());
    return stream;
  }
}

/**
 * An N-to-1 plugin: null files pass through, the others are staged, and `build` runs at the end
 * of the input (even with no input) to push the outputs. Errors are emitted as PluginErrors of
 * `suppack` naming the user's files (`userFiles` as in Staging.unstage). The temp directory is
 * removed before the stream ends, and after an error or a destroy.
 */
export function nToOne(staging: Staging, build: (push: (file: Vinyl) => void) => Promise<void>, userFiles: readonly string[] = []): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc: BufferEncoding, done: TransformCallback) {
      if (file.isNull()) return done(null, file);
      staging.stage(file).then(
        () => done(),
        (e: unknown) => done(pluginError(staging.unstage(e), file.path)),
      );
    },
    flush(this: Transform, done: TransformCallback) {
      build((file) => this.push(file))
        .then(() => staging.cleanup()) // before the end: a streamed output is open already
        .then(
          () => done(),
          (e: unknown) => done(pluginError(staging.unstage(e, userFiles))),
        );
    },
    destroy(err: Error | null, done: (e: Error | null) => void) {
      staging.cleanup().then(() => done(err));
    },
  });
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
