/**
 * Test-only: what the fuzz suite feeds and to whom (docs/security.md "Fuzzing"). Each kind of input
 * has seed files (corpus.ts), the byte ranges worth mutating most, and probes: the readers that
 * parse it, called in process, and the commands that take it, run through the CLI's own `main`.
 *
 * A probe passes when the input is accepted, or refused the way every user error is: a
 * SuppackError whose message is one line (a command: exit 1 or 2 and one `suppack: error:`
 * line). Anything else is a crash: another error type, a multi-line message, "internal error",
 * a stack trace, another exit code, an output or temporary file left after a refusal, or a
 * secret's bytes in any output.
 */
import { closeSync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../cli/main';
import { isSuppackError } from '../../core/base/errors';
import { parseBootMenu, patchBootMenu, answerfileParams, menuSyntaxOf } from '../../core/xenserver/installer/boot-menu';
import { parseAnswerfile } from '../../core/xenserver/installer/answerfile';
import { decompress, detectCompression } from '../../core/xenserver/installer/decompress';
import { findLeadingMember } from '../../core/xenserver/installer/initrd';
import { injectedAnswerfile } from '../../core/xenserver/installer/injected';
import { parseRepositoryList } from '../../core/xenserver/installer/repository-list';
import { openFat } from '../../core/formats/fat/image';
import { openIso } from '../../core/formats/iso/reader';
import { writeIso } from '../../core/formats/iso/writer';
import { parseXsPackages, parseXsRepository } from '../../core/xenserver/legacy/parse';
import { readPublicKeyFingerprints, readSigningKey } from '../../core/formats/openpgp/key';
import { decodePackets } from '../../core/formats/openpgp/packets';
import { readLintRpm } from '../../core/products/lint/lint';
import { readNewc } from '../../core/formats/rpm/cpio';
import { readCheckedRpm } from '../../core/formats/rpm/digests';
import { readPackRpmHead } from '../../core/formats/rpm/pack-input';
import { readRpmPayload } from '../../core/formats/rpm/payload';
import { parseRpm } from '../../core/formats/rpm/read';
import { parseUpdateXml } from '../../core/xenserver/update/update-xml';
import { parseXml } from '../../core/formats/xml/read';
import { decodeXmlBytes } from '../../core/formats/xml/encoding';
import { parseProjectManifestText } from '../../core/products/manifest-file';
import { inferProjectMetadata, inferTargets } from '../../plugin/targets';
import { MAX_PROBLEMS } from '../../schemas/parse';
import type { Corpus } from './corpus';
import type { Range } from './mutate';
import type { Random } from '../random';
import { arbitraryDocument, valuePool, type ValuePool } from './arbitrary';
import { targetProblems } from './target-invariants';
import { metadataProblems } from './metadata-invariants';
import { commandFlags, drawArgv, runArgv } from './argv';
import { commandContractProblem } from './command-contract';
import { projectManifestSchema } from '../../schemas/manifest';

/** What one probe made of one input. */
export type Verdict = { ok: true; accepted: boolean; message?: string } | { ok: false; problem: string };

export interface CaseContext {
  corpus: Corpus;
  /** An empty directory of this case: commands write their outputs in `out/` under it. */
  scratch: string;
}

export interface Probe {
  name: string;
  run(input: string, bytes: Buffer, c: CaseContext): Promise<Verdict>;
}

export interface Kind {
  /** The input file's name (commands read names: .rpm, .iso, .xml). */
  file: string;
  /** Text formats get line and markup mutations as well as byte ones. */
  text?: boolean;
  /** JSON formats also get mutations that keep them JSON (mutate.ts mutateJson). */
  json?: boolean;
  /** Byte ranges of a seed to mutate most. */
  hot?(seed: string, bytes: Buffer): Promise<Range[]>;
  /** Draws a whole input instead of mutating a seed (some of the cases); `seeds` are the kind's seed files' bytes. */
  generate?(rand: Random, seeds: readonly Buffer[]): { bytes: Buffer; ops: string[] };
  probes: Probe[];
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

/** A thrown value as a verdict: a one-line SuppackError is a refusal, anything else a crash. */
export function judgeThrown(e: unknown, manyProblems = false): Verdict {
  if (isSuppackError(e)) {
    // A reader that lists every problem (allProblems) gives one line each, every one naming the file.
    const lines = e.message.split('\n');
    const oneEach = manyProblems && lines.length <= MAX_PROBLEMS + 1 && lines.every((l) => l.startsWith(lines[0]!.split(':')[0]!));
    if (lines.length > 1 && !oneEach) return { ok: false, problem: `message of ${lines.length} lines: ${firstLine(e.message)}` };
    if (/internal error/i.test(e.message)) return { ok: false, problem: `internal error: ${e.message}` };
    return { ok: true, accepted: false, message: e.message };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? '').split('\n').find((l) => /^\s+at /.test(l))?.trim() ?? '';
  return { ok: false, problem: `${err.name}: ${firstLine(err.message)} ${frame}` };
}

/** A reader called in process. */
function reader(name: string, fn: (input: string, bytes: Buffer, c: CaseContext) => unknown, o: { manyProblems?: boolean } = {}): Probe {
  return {
    name,
    async run(input, bytes, c) {
      try {
        await fn(input, bytes, c);
        return { ok: true, accepted: true };
      } catch (e) {
        return judgeThrown(e, o.manyProblems);
      }
    },
  };
}

interface CommandOptions {
  /** Environment variables set for the run. */
  env?: (input: string, c: CaseContext) => Record<string, string>;
  /** Byte strings no output of the run may contain. */
  secrets?: (input: string, bytes: Buffer, c: CaseContext) => string[];
}

function sink(into: string[]): NodeJS.WritableStream {
  return { write: (s: string | Buffer) => (into.push(String(s)), true) } as unknown as NodeJS.WritableStream;
}

/** A CLI command run through `main`, its outputs in `<scratch>/out/`. */
function command(name: string, args: (input: string, out: string, c: CaseContext) => string[], o: CommandOptions = {}): Probe {
  return {
    name,
    async run(input, bytes, c) {
      const outDir = join(c.scratch, 'out');
      mkdirSync(outDir, { recursive: true });
      const stdout: string[] = [];
      const stderr: string[] = [];
      const env = o.env?.(input, c) ?? {};
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      let code: number;
      try {
        code = await main(args(input, outDir, c), sink(stdout), sink(stderr));
      } catch (e) {
        return { ok: false, problem: `main threw: ${judgeThrown(e).ok ? 'a SuppackError' : (judgeThrown(e) as { problem: string }).problem}` };
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      const err = stderr.join('');
      const all = stdout.join('') + err;
      const errorLines = err.split('\n').filter((l) => l !== '');
      const broken = commandContractProblem(code, stdout.join(''), err, errorLines);
      if (broken !== undefined) return { ok: false, problem: broken };
      for (const secret of o.secrets?.(input, bytes, c) ?? []) {
        if (secret !== '' && all.includes(secret)) return { ok: false, problem: `output contains secret bytes ${JSON.stringify(secret.slice(0, 8))}…` };
      }
      const left = readdirSync(outDir);
      if (code !== 0 && left.length > 0) return { ok: false, problem: `refused (exit ${code}) but left ${left.join(', ')} in the output directory` };
      const temps = left.filter((n) => n.startsWith('.'));
      if (temps.length > 0) return { ok: false, problem: `temporary files left: ${temps.join(', ')}` };
      rmSync(outDir, { recursive: true, force: true });
      return { ok: true, accepted: code === 0, message: code === 0 ? undefined : errorLines[0] };
    },
  };
}

/** Key material an armored or binary key holds: runs a message must never contain. */
export function secretRuns(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  const runs: string[] = [];
  // base64 lines of an armored or base64 key (not the armor's header lines)
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (l.length >= 24 && /^[A-Za-z0-9+/=]+$/.test(l)) for (let i = 0; i + 24 <= l.length; i += 12) runs.push(l.slice(i, i + 24));
  }
  // raw binary: 16-byte windows holding at least 8 non-printable bytes (text that happens to be in a key, a user id, may be printed)
  for (let i = 0; i + 16 <= bytes.length && runs.length < 50_000; i += 8) {
    const w = bytes.subarray(i, i + 16);
    if (w.filter((b) => b < 0x20 || b > 0x7e).length >= 8) runs.push(w.toString('latin1'));
  }
  return runs;
}

/** The first `span` bytes after the start of every extent of files whose path matches `files`, and the ISO's metadata. */
async function isoHot(seed: string, files: RegExp): Promise<Range[]> {
  const img = await openIso(seed);
  try {
    const ranges: Range[] = [[0x8000, 0x8000 + 24 * 2048]];
    for (const d of img.entries()) {
      if (d.kind === 'file' && files.test(d.path)) for (const e of d.extents.slice(0, 2)) ranges.push([e.lba * 2048, e.lba * 2048 + Math.min(e.length, 16384)]);
    }
    return ranges;
  } finally {
    await img.close();
  }
}

async function drain(it: AsyncIterable<{ body(): AsyncIterable<Buffer> }>): Promise<void> {
  for await (const entry of it) for await (const _ of entry.body());
}

const ISO_COMMANDS: Probe[] = [
  command('inspect', (input) => ['inspect', '--json', input]),
  command('verify', (input) => ['verify', input]),
];

const KIND_TABLE: Record<string, Kind> = {
  rpm: {
    file: 'input.rpm',
    async hot(seed, bytes) {
      const info = parseRpm(bytes, seed, bytes.length);
      return [[0, info.payloadOffset], [info.payloadOffset, info.payloadOffset + 64]];
    },
    probes: [
      reader('parseRpm', (input, bytes) => parseRpm(bytes, input, bytes.length)),
      reader('readCheckedRpm', (input) => readCheckedRpm(input, ['md5', 'sha256'])),
      reader('readPackRpmHead', async (input) => readPackRpmHead(input)),
      reader('readRpmPayload', async (input, bytes) => drain(readRpmPayload(input, parseRpm(bytes, input, bytes.length)))),
      reader('readLintRpm', (input) => readLintRpm(input)),
      command('lint', (input) => ['lint', '--json', '--product-version=8.2.0', input]),
      command('build-supplemental-pack', (input, out) => [
        'build-supplemental-pack', `--output=${out}`, '--vendor-code=acme', '--vendor-name=Acme', '--label=fuzz', '--text=Fuzz', '--version=1.0', '--product-version=8.2.0', input,
      ]),
      command('build-update', (input, out) => ['build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=fuzz', '--version=1.0', '--description=Fuzz', `--output=${join(out, 'fuzz.iso')}`, input]),
    ],
  },
  'pack-iso': {
    file: 'input.iso',
    hot: (seed) => isoHot(seed, /XS-|\.rpm$/),
    probes: [
      ...ISO_COMMANDS,
      command('lint', (input) => ['lint', '--json', input]),
      command('combine-packs', (input, out, c) => ['combine-packs', `--output=${join(out, 'combined.iso')}`, input, c.corpus.otherPack]),
      command('rebuild-iso --pack', (input, out, c) => ['rebuild-iso', `--output=${join(out, 'installer.iso')}`, `--pack=${input}`, c.corpus.installer]),
    ],
  },
  'update-iso': {
    file: 'input.iso',
    hot: (seed) => isoHot(seed, /update\.xml|repodata\/|\.asc$|\.rpm$/),
    probes: [...ISO_COMMANDS, command('lint', (input) => ['lint', '--json', input])],
  },
  'installer-iso': {
    file: 'input.iso',
    hot: (seed) => isoHot(seed, /\.cfg$|efiboot|install\.img|XS-|boot\.cat/),
    probes: [
      ...ISO_COMMANDS,
      command('rebuild-iso', (input, out, c) => ['rebuild-iso', `--output=${join(out, 'installer.iso')}`, `--pack=${c.corpus.pack}`, `--answerfile=${c.corpus.answerfile}`, input]),
    ],
  },
  initrd: {
    file: 'install.img',
    async hot(_seed, bytes) {
      return [[0, 512], [Math.max(0, bytes.length - 1024), bytes.length]];
    },
    probes: [
      reader('findLeadingMember', (_input, bytes) => findLeadingMember(bytes)),
      reader('decompress+readNewc', async (input, bytes) => {
        const compression = detectCompression(bytes);
        if (!compression) return;
        const d = decompress(compression, Readable.from([bytes]), input, 'install.img');
        try {
          for await (const entry of readNewc(d.chunks)) await entry.buffer(64 << 20);
        } catch (e) {
          throw await d.explain(e);
        } finally {
          d.close();
        }
      }),
      reader('injectedAnswerfile', async (input, bytes, c) => {
        const iso = join(c.scratch, 'initrd.iso');
        await writeIso([{ path: 'install.img', kind: 'file', size: bytes.length, source: input }], { volumeId: 'FUZZ', epoch: 1_700_000_000, digests: [] }, iso);
        const img = await openIso(iso);
        try {
          await injectedAnswerfile(img, iso);
        } finally {
          await img.close();
        }
      }),
    ],
  },
  fat: {
    file: 'efiboot.img',
    async hot() {
      return [[0, 65536]];
    },
    probes: [
      reader('openFat', (input, bytes) => {
        const fat = openFat(bytes, input);
        for (const p of fat.list()) fat.readFile(p);
        const cfg = fat.list().find((p) => /grub\.cfg$/i.test(p));
        if (cfg) fat.replaceFile(cfg, Buffer.from('set timeout=1\n'.repeat(50)));
      }),
    ],
  },
  answerfile: {
    file: 'answerfile.xml',
    text: true,
    probes: [
      reader('parseAnswerfile', (input, bytes) => parseAnswerfile(bytes, input)),
      command('rebuild-iso --answerfile', (input, out, c) => ['rebuild-iso', `--output=${join(out, 'installer.iso')}`, `--answerfile=${input}`, c.corpus.installer]),
    ],
  },
  'boot-menu': {
    file: 'grub.cfg',
    text: true,
    probes: [
      reader('parseBootMenu', (input, bytes) => {
        for (const syntax of ['grub', 'isolinux'] as const) {
          const menu = parseBootMenu(bytes.toString('latin1'), syntax, input);
          patchBootMenu(menu, answerfileParams());
        }
      }),
    ],
  },
  openpgp: {
    file: 'key.asc',
    probes: [
      reader('readSigningKey', (input, bytes, c) => readSigningKey(bytes, { source: input, passphrase: c.corpus.passphrase, passphraseSource: 'fuzz passphrase' })),
      reader('readSigningKey (no passphrase)', (input, bytes) => readSigningKey(bytes, { source: input })),
      reader('readPublicKeyFingerprints', (input, bytes) => readPublicKeyFingerprints(bytes, input)),
      reader('decodePackets', (_input, bytes) => decodePackets(bytes)),
      command(
        'build-update --key',
        (input, out, c) => [
          'build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=fuzz', '--version=1.0', '--description=Fuzz',
          `--output=${join(out, 'fuzz.iso')}`, `--keyfile=${c.corpus.publicKey}`, `--key=${input}`, `--passphrase-file=${c.corpus.passphraseFile}`, c.corpus.rpm,
        ],
        { secrets: (_input, bytes, c) => [c.corpus.passphrase, ...secretRuns(bytes)] },
      ),
      command(
        'build-update $SUPPACK_SIGNING_KEY',
        (_input, out, c) => [
          'build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=fuzz', '--version=1.0', '--description=Fuzz',
          `--output=${join(out, 'fuzz.iso')}`, `--keyfile=${c.corpus.publicKey}`, c.corpus.rpm,
        ],
        {
          env: (input, c) => ({ SUPPACK_SIGNING_KEY: readFileSync(input, 'latin1'), SUPPACK_SIGNING_PASSPHRASE: c.corpus.passphrase }),
          secrets: (_input, bytes, c) => [c.corpus.passphrase, ...secretRuns(bytes)],
        },
      ),
    ],
  },
  manifest: {
    file: 'suppack.json',
    text: true,
    json: true,
    // 40% of the cases: a document drawn from the schema itself, so most of them reach the inference
    generate(rand, seeds) {
      const { value, ops } = arbitraryDocument(projectManifestSchema, rand, poolOf(seeds));
      return { bytes: Buffer.from(rand.chance(0.5) ? JSON.stringify(value, null, 2) : JSON.stringify(value), 'utf8'), ops };
    },
    probes: [
      reader('parseProjectManifestText', (input, bytes) => parseProjectManifestText(bytes.toString('utf8'), input), { manyProblems: true }),
      // what the Nx plugin makes of it while Nx computes the graph (pure: no file is read), and what
      // must hold of it (target-invariants.ts): a violation is a failure, not a refusal
      {
        name: 'inferTargets',
        async run(input, bytes, c) {
          let problems: string[];
          try {
            const manifest = parseProjectManifestText(bytes.toString('utf8'), input);
            const before = JSON.stringify(manifest);
            const member = parseProjectManifestText(MEMBER_MANIFEST, 'packs/member/suppack.json');
            const members = (name: string) => (name === 'fuzz' ? undefined : { root: `packs/${name}`, manifest: member });
            const targets = inferTargets('packs/fuzz', manifest, { projectName: 'fuzz', members });
            const metadata = inferProjectMetadata(manifest, targets);
            problems = targetProblems(targets, c.scratch);
            if (JSON.stringify(inferTargets('packs/fuzz', manifest, { projectName: 'fuzz', members })) !== JSON.stringify(targets)) problems.push('a second inference differs');
            if (JSON.stringify(manifest) !== before) problems.push('inference changed the manifest');
            const groups = Object.values((metadata.targetGroups ?? {}) as Record<string, string[]>).flat();
            if (groups.some((g) => !(g in targets))) problems.push(`a target group names a target that is not there: ${groups.join(', ')}`);
          } catch (e) {
            return judgeThrown(e, true);
          }
          return problems.length === 0 ? { ok: true, accepted: true } : { ok: false, problem: problems.slice(0, 3).join('; ') };
        },
      },
      // the metadata written from it reads back, by the host's rules, as meant (metadata-invariants.ts)
      {
        name: 'metadata round trip',
        async run(input, bytes) {
          let problems: string[];
          try {
            problems = metadataProblems(parseProjectManifestText(bytes.toString('utf8'), input));
          } catch (e) {
            return judgeThrown(e, true);
          }
          return problems.length === 0 ? { ok: true, accepted: true } : { ok: false, problem: problems.slice(0, 3).join('; ') };
        },
      },
    ],
  },
  // command lines for the suppack command, each run as a child in a sandbox of its own (argv.ts)
  argv: {
    file: 'argv.json',
    text: true,
    json: true,
    generate(rand, seeds) {
      const lines = seeds.map((b) => JSON.parse(b.toString('utf8')) as string[]);
      const { argv, ops } = drawArgv(rand, commandFlags(), lines);
      return { bytes: Buffer.from(JSON.stringify(argv), 'utf8'), ops };
    },
    probes: [
      {
        name: 'suppack (child, sandboxed)',
        async run(_input, bytes, c) {
          let argv: unknown;
          try {
            argv = JSON.parse(bytes.toString('utf8'));
          } catch {
            return { ok: true, accepted: false, message: 'not JSON' };
          }
          if (!Array.isArray(argv) || argv.length === 0 || !argv.every((w) => typeof w === 'string')) return { ok: true, accepted: false, message: 'not a command line' };
          return runArgv(argv as string[], c.corpus, c.scratch);
        },
      },
    ],
  },
  xml: {
    file: 'metadata.xml',
    text: true,
    probes: [
      reader('XS-REPOSITORY', (input, bytes) => parseXsRepository(decodeXmlBytes(bytes, input).text, input)),
      reader('XS-PACKAGES', (input, bytes) => parseXsPackages(decodeXmlBytes(bytes, input).text, input)),
      reader('XS-REPOSITORY-LIST', (input, bytes) => parseRepositoryList(bytes, input)),
      reader('update.xml', (input, bytes) => parseUpdateXml(decodeXmlBytes(bytes, input).text, input)),
      reader('parseXml', (input, bytes) => parseXml(decodeXmlBytes(bytes, input).text, input)),
    ],
  },
};

const pools = new WeakMap<readonly Buffer[], ValuePool>();
/** The seed documents' values, made once per list of seeds. */
function poolOf(seeds: readonly Buffer[]): ValuePool {
  let pool = pools.get(seeds);
  if (pool === undefined) pools.set(seeds, (pool = valuePool(seeds)));
  return pool;
}

/** A legacy pack, the member every pack a fuzzed bundle or installer names resolves to. */
const MEMBER_MANIFEST = JSON.stringify({
  format: 'legacy',
  pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme', version: '1.0', productVersion: '7.0.0' },
  prebuilt: ['rpms/*.rpm'],
});

/** Kinds that check the harness itself (never part of a normal run): a reader that crashes, one that hangs. */
const SELF_TEST: Record<string, Kind> = {
  'self-test-crash': {
    file: 'input.bin',
    probes: [
      reader('crashes on odd sizes', (_input, bytes) => {
        if (bytes.length % 2 === 1) throw new TypeError('deliberate crash');
      }),
    ],
  },
  'self-test-leak': {
    file: 'input.bin',
    probes: [
      reader('leaves its input open on even sizes', async (input, bytes) => {
        const fh = await fsp.open(input, 'r');
        if (bytes.length % 2 === 1) await fh.close();
      }),
      reader('leaves a descriptor open on odd sizes', (input, bytes) => {
        const fd = openSync(input, 'r');
        if (bytes.length % 2 === 0) closeSync(fd);
      }),
    ],
  },
  'self-test-hang': {
    file: 'input.bin',
    probes: [
      reader('never returns', () => {
        for (;;);
      }),
    ],
  },
};

export const KIND_NAMES = Object.keys(KIND_TABLE);

export function kindOf(name: string): Kind | undefined {
  return KIND_TABLE[name] ?? SELF_TEST[name];
}

/** The seeds of a kind; the self-test kinds take a few bytes. */
/** The seed files of kind `name`; the harness's own kinds share the self-test seeds. A real kind without seeds is an error, never another kind's bytes. */
export function seedsOf(name: string, corpus: Corpus): string[] {
  const seeds = corpus.seeds[name] ?? (name in SELF_TEST ? corpus.seeds['self-test'] : undefined);
  if (seeds === undefined || seeds.length === 0) throw new Error(`fuzz: the corpus has no seeds for ${name}`);
  return seeds;
}

export function writeInput(scratch: string, kind: Kind, bytes: Buffer): string {
  const p = join(scratch, kind.file);
  writeFileSync(p, bytes);
  return p;
}
