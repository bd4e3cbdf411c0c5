/** Test-only helpers for the gulp plugins: vinyl files in, everything that comes out collected. */
import type { Stats } from 'node:fs';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import PluginError from 'plugin-error';
import Vinyl from 'vinyl';
import { buildLegacyPack } from '../core/products/legacy-pack/pack';
import { buildUpdatePack } from '../core/products/update-pack/pack';
import { legacyPackSchema } from '../schemas/legacy-pack';
import { updatePackSchema } from '../schemas/update-pack';

export type Mode = 'buffer' | 'stream';

/** A vinyl file like gulp's src() makes: cwd and base the file's directory, stat set. */
export function vinylOf(path: string, mode: Mode, bytes: Buffer = readFileSync(path), opts: { stat?: boolean; chunk?: number } = {}): Vinyl {
  const base = dirname(path);
  const stat = opts.stat === false ? undefined : ({ ...statSync(path), size: bytes.length } as Stats);
  const contents = mode === 'buffer' ? bytes : chunked(bytes, opts.chunk ?? 1000);
  return new Vinyl({ cwd: base, base, path, stat, contents });
}

/** A byte stream of `bytes` in small chunks, so readers must cope with split headers. */
export function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

export interface Outcome {
  files: Vinyl[];
  error?: PluginError;
}

/** Write `files` into `plugin`, end it, and collect what it emits until it ends or errors. */
export function runPlugin(plugin: Transform, files: Vinyl[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Vinyl[] = [];
    plugin.on('data', (f: Vinyl) => out.push(f));
    plugin.on('error', (e: PluginError) => resolve({ files: out, error: e }));
    plugin.on('end', () => resolve({ files: out }));
    for (const f of files) plugin.write(f);
    plugin.end();
  });
}

/** The bytes of a buffer or stream file. */
export async function bytesOf(file: Vinyl): Promise<Buffer> {
  if (Buffer.isBuffer(file.contents)) return file.contents;
  if (file.contents === null) throw new Error(`${file.path}: null contents`);
  const chunks: Buffer[] = [];
  for await (const c of file.contents as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export function isPluginError(e: unknown): e is PluginError {
  return e instanceof PluginError;
}

/** Real gulp 5 (a devDependency, untyped): src() and dest() as a gulpfile uses them. */
export interface GulpApi {
  src(globs: string | string[], opts?: { encoding?: string | false; buffer?: boolean; cwd?: string }): NodeJS.ReadWriteStream;
  dest(folder: string, opts?: { cwd?: string }): NodeJS.ReadWriteStream;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const gulp = require('gulp') as GulpApi;

/** Legacy pack ISOs (two, from the fixture RPMs) and one update pack, built by core in `dir`. */
export interface TestPacks {
  /** packages.acme-fw (acme-firmware), file acme-fw.iso. */
  fw: string;
  /** packages.hello (hello-lib), file hello.iso. */
  hello: string;
  /** An update-format pack, file upd.iso. */
  update: string;
}

export async function buildTestPacks(dir: string, rpms: Record<string, string>): Promise<TestPacks> {
  const epoch = 1_700_000_000;
  const legacy = async (label: string, text: string, rpm: string) =>
    (
      await buildLegacyPack({
        pack: legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label, text, version: '1.0', productVersion: '7.0.0' }),
        rpms: [rpms[rpm]!],
        outDir: join(dir, label),
        epoch,
      })
    ).outputs.iso!;
  const fw = await legacy('acme-fw', 'Acme firmware', 'acme-firmware');
  const hello = await legacy('hello', 'Hello', 'hello-lib');
  mkdirSync(join(dir, 'upd'), { recursive: true });
  const update = (
    await buildUpdatePack({
      pack: updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' }),
      rpms: [rpms['hello-lib']!],
      files: {},
      output: join(dir, 'upd'),
      epoch,
    })
  ).iso;
  return { fw, hello, update };
}

/** A private TMPDIR under `parent` for one test (undo with vi.unstubAllEnvs), to see that a plugin leaves nothing behind. */
export async function privateTmp(parent: string, stubEnv: (name: string, value: string) => unknown): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(parent, 'tmp-'));
  stubEnv('TMPDIR', dir);
  return dir;
}

/** The error a plugin factory throws for `options`; fails when it accepts them. */
export function creationErrorOf<O>(factory: (options: O) => unknown, options: unknown): Error {
  try {
    factory(options as O);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${factory.name}() accepted the options`);
}
