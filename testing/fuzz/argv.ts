/**
 * Test-only: the fuzz kind `argv` (docs/security.md "Fuzzing"): command lines for the `suppack`
 * command, drawn from the flags its own `--help` lists and mutated as JSON, run as a child process.
 *
 * A command line can name any file to write, so each case runs in a sandbox of its own:
 * - the child's working directory is the case's directory, holding copies of valid inputs
 *   (a.rpm, b.rpm, pack.iso, other.iso, installer.iso, answers.xml, pub.asc, key.asc, pass.txt);
 * - every word is made relative before it runs (`sandboxed`): a leading "/" is dropped and a ".."
 *   component becomes "_", in a word and after a long flag's "="; a short flag's word (where any
 *   suffix may be a value: -xo../y is -x -o ../y) keeps no "/" and no "..";
 * - HOME, TMPDIR and GNUPGHOME point into the case's directory, and no SUPPACK_* variable is set.
 * What is judged is the command's own contract (cli/main.ts): exit 0, 1 or 2; a refusal is a
 * "suppack: error:" line per problem or a usage message; no internal error, stack trace or passphrase; no
 * temporary file left; and nothing written by a refused command.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Random } from '../random';
import { HOSTILE_STRINGS } from './arbitrary';
import { commandContractProblem } from './command-contract';
import type { Corpus } from './corpus';

/** The compiled command: the fuzz suite runs after `npm run build` (npm test, scripts/fuzz.sh). */
const CLI = join(__dirname, '../../dist/cli/main.js');
const TIMEOUT_MS = 120_000;
const MAX_WORDS = 64;
const MAX_WORD = 4096;

/** The valid inputs a command line may name, by the name it uses in the case's directory. */
export function sandboxInputs(corpus: Corpus): Record<string, string> {
  const rpms = corpus.seeds['rpm'] ?? [];
  return {
    'a.rpm': corpus.rpm,
    'b.rpm': rpms[1] ?? corpus.rpm,
    'pack.iso': corpus.pack,
    'other.iso': corpus.otherPack,
    'installer.iso': corpus.installer,
    'answers.xml': corpus.answerfile,
    'pub.asc': corpus.publicKey,
    'key.asc': (corpus.seeds['openpgp'] ?? []).find((p) => p.endsWith('rsa-protected.asc')) ?? corpus.publicKey,
    'pass.txt': corpus.passphraseFile,
  };
}

/** One path word made relative: no leading "/", no ".." component, no NUL. */
function relativePath(s: string): string {
  const parts = s.replace(/\0/g, '').replace(/^\/+/, '').split('/');
  return parts.map((p) => (p === '..' ? '_' : p)).join('/');
}

/** A command line made safe to run in the case's directory (see the module comment). */
export function sandboxed(argv: readonly string[]): string[] {
  return argv.slice(0, MAX_WORDS).map((raw, i) => {
    const w = raw.replace(/\0/g, '').slice(0, MAX_WORD);
    if (i === 0) return w; // the command's name: never a path
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      return eq < 0 ? w : `${w.slice(0, eq + 1)}${relativePath(w.slice(eq + 1))}`;
    }
    // a short group such as -xo../y reads as -x -o ../y: any suffix may be a value, so none may
    // hold a "/" or a ".."
    if (w.startsWith('-') && w.length > 2) return `-${w.slice(1).replace(/\//g, '_').replace(/\.\./g, '_')}`;
    return relativePath(w);
  });
}

/** The flags `suppack <command> --help` lists: `--name` or `--name=ARG`, with a short form if any. */
export function flagsOfUsage(usage: string): Array<{ long: string; short?: string; arg?: string }> {
  const flags: Array<{ long: string; short?: string; arg?: string }> = [];
  for (const line of usage.split('\n')) {
    const m = /^\s+(?:-([A-Za-z]), )?--([a-z0-9-]+)(?:=(\S+))?/.exec(line);
    if (m) flags.push({ long: m[2]!, ...(m[1] ? { short: m[1] } : {}), ...(m[3] ? { arg: m[3] } : {}) });
  }
  return flags;
}

/** Words a value may be: the inputs, output names, versions, hostile strings. */
const VALUES = [
  'a.rpm', 'b.rpm', 'pack.iso', 'other.iso', 'installer.iso', 'answers.xml', 'pub.asc', 'key.asc', 'pass.txt',
  'out', 'out/x.iso', 'out/dir', 'x.iso', 'a.rpm:dest', 'pack.iso:', '1.0', '0', '-1', '8.2.0', '7.0.0', 'acme', 'Acme',
  '6854ab19-f807-4444-b94f-3ce7d64efe50', 'xenserver-release >= 8.2.0', 'install', 'json', 'text', '', ' ', '=', '-', '--',
  ...HOSTILE_STRINGS,
];

/** Draws a command line: a command, then flags (known, misspelt, repeated), values and operands. */
export function drawArgv(
  rand: Random,
  commands: Record<string, ReturnType<typeof flagsOfUsage>>,
  seeds: ReadonlyArray<readonly string[]> = [],
): { argv: string[]; ops: string[] } {
  // Half the time a seed's whole command line (its required flags there) with a few more words,
  // so that the builds run with flags in combinations no test wrote
  const base = seeds.length > 0 && rand.chance(0.5) ? rand.pick(seeds) : undefined;
  const names = Object.keys(commands);
  const command = base?.[0] ?? (rand.chance(0.95) ? rand.pick(names) : rand.pick(['', 'help', '--version', 'build', 'BUILD-UPDATE', ...HOSTILE_STRINGS]));
  const flags = commands[command] ?? [];
  const argv = base ? [...base] : [command];
  const value = () => rand.pick(VALUES);
  const n = base ? 1 + rand.int(3) : rand.int(12);
  for (let i = 0; i < n; i++) {
    const r = rand.next();
    const f = flags.length > 0 ? rand.pick(flags) : undefined;
    if (f !== undefined && r < 0.55) {
      if (f.arg === undefined) argv.push(rand.chance(0.9) ? `--${f.long}` : `--${f.long}=${value()}`);
      else if (rand.chance(0.6)) argv.push(`--${f.long}=${value()}`);
      else if (f.short !== undefined && rand.chance(0.5)) argv.push(`-${f.short}`, value());
      else argv.push(`--${f.long}`, ...(rand.chance(0.9) ? [value()] : []));
    } else if (r < 0.65) argv.push(`--${rand.pick(['nope', 'outpt', 'OUTPUT', 'help', 'version', 'no-such-flag', ''])}`);
    else if (r < 0.7) argv.push(`-${rand.pick(['h', 'o', 'x', 'V', 'ho', 'oh'])}`);
    else if (r < 0.72) argv.push('--');
    else argv.push(value());
  }
  if (base) {
    // the added words go among the seed's, not only after its operands
    const added = argv.splice(base.length);
    argv.splice(1 + rand.int(base.length), 0, ...added);
  }
  return { argv, ops: [base ? `seed ${base[0]} and ${n} more` : `draw ${argv.length} words`] };
}

/** Every file and directory (with a final "/") under `dir`, dot files included; not the sandbox's gpg home. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (d === dir && e.name === 'gnupg') continue; // gpg's own files, made by any run that asks gpg
      if (e.isDirectory()) {
        out.push(`${relative(dir, p)}/`);
        walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export type ArgvVerdict = { ok: true; accepted: boolean; message?: string } | { ok: false; problem: string };

/** Run one command line in a fresh sandbox under `caseDir` and judge it. */
export function runArgv(argv: readonly string[], corpus: Corpus, caseDir: string): ArgvVerdict {
  const box = join(caseDir, 'argv');
  mkdirSync(join(box, 'tmp'), { recursive: true });
  mkdirSync(join(box, 'gnupg'), { recursive: true, mode: 0o700 });
  for (const [name, from] of Object.entries(sandboxInputs(corpus))) copyFileSync(from, join(box, name));
  if (!existsSync(CLI)) return { ok: false, problem: `${CLI} is missing: run npm run build first` };
  const before = new Set(listFiles(box));
  const words = sandboxed(argv);
  const r = spawnSync(process.execPath, [CLI, ...words], {
    cwd: box,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: box, TMPDIR: join(box, 'tmp'), GNUPGHOME: join(box, 'gnupg'), LC_ALL: 'C.UTF-8', SOURCE_DATE_EPOCH: '946684800' },
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  // gpg may have started an agent for the sandbox's keyring: it must not outlive the case
  if (existsSync(join(box, 'gnupg', 'S.gpg-agent'))) spawnSync('gpgconf', ['--kill', 'all'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GNUPGHOME: join(box, 'gnupg') } });
  const line = (s: string) => s.split('\n')[0]!.slice(0, 300);
  if (r.error !== undefined) return { ok: false, problem: `did not end: ${r.error.message} (${JSON.stringify(words).slice(0, 300)})` };
  if (r.status === null) return { ok: false, problem: `killed by ${r.signal}` };
  const out = r.stdout;
  // progress, warnings and removals are lines of their own on stderr besides the verdict
  const errLines = r.stderr.split('\n').filter((l) => l !== '' && !/^writing .*: \d+% \(/.test(l) && !/^suppack: (warning|removed) /.test(l));
  const broken = commandContractProblem(r.status, out, r.stderr, errLines);
  if (broken !== undefined) return { ok: false, problem: broken };
  if ((out + r.stderr).includes(corpus.passphrase)) return { ok: false, problem: 'output contains the passphrase' };
  const after = listFiles(box);
  const temps = after.filter((p) => p.split('/').some((c) => c.startsWith('.suppack') || /^\..*\.(tmp|set|old)$/.test(c)) || (p.startsWith('tmp/') && p !== 'tmp/'));
  if (temps.length > 0) return { ok: false, problem: `temporary files left: ${temps.slice(0, 5).join(', ')}` };
  const added = after.filter((p) => !before.has(p));
  // a refusal (a message on stderr) writes nothing, not even a directory; lint and verify answer 1
  // with a report instead
  if (r.status !== 0 && errLines.length > 0 && added.length > 0) return { ok: false, problem: `refused (exit ${r.status}) but wrote ${added.slice(0, 5).join(', ')}` };
  return { ok: true, accepted: r.status === 0, ...(r.status === 0 ? {} : { message: line(errLines.join('\n')) }) };
}

let usages: Record<string, ReturnType<typeof flagsOfUsage>> | undefined;

/** Each command's flags, from its `--help` (asked once per thread). */
export function commandFlags(): Record<string, ReturnType<typeof flagsOfUsage>> {
  if (usages !== undefined) return usages;
  usages = {};
  for (const command of ['build-supplemental-pack', 'build-update', 'combine-packs', 'rebuild-iso', 'lint', 'inspect', 'verify']) {
    const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    usages[command] = flagsOfUsage(r.stdout ?? '');
  }
  return usages;
}

/** The command lines the kind starts from: one or more for every command, each accepted as it is. */
export const ARGV_SEEDS: Record<string, string[]> = {
  'legacy-pack': ['build-supplemental-pack', '--output=out', '--vendor-code=acme', '--vendor-name=Acme', '--label=acme-pack', '--text=Acme pack', '--version=1.0', '--product-version=8.2.0', 'a.rpm', 'b.rpm'],
  'update-pack': ['build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=acme-upd', '--version=1.0', '--description=Acme update', '--base-requires=xenserver-release >= 8.2.0', '--output=out/u.iso', 'a.rpm'],
  'signed-update': ['build-update', '--uuid=0a6f7c43-18b8-4c55-9f0a-3c1e0f5a2b11', '--label=acme-upd', '--version=1.0', '--description=Acme update', '--output=u.iso', '--keyfile=pub.asc', '--key=key.asc', '--passphrase-file=pass.txt', 'a.rpm', 'b.rpm'],
  combine: ['combine-packs', '--output=out/c.iso', 'pack.iso', 'other.iso'],
  rebuild: ['rebuild-iso', '--output=out/i.iso', '--pack=pack.iso', '--answerfile=answers.xml', '--include=answers.xml:extra/answers.xml', 'installer.iso'],
  'lint-pack': ['lint', 'pack.iso'],
  'lint-rpms': ['lint', '--product-version=8.2.0', '--json', 'a.rpm', 'b.rpm'],
  inspect: ['inspect', '--json', 'installer.iso'],
  verify: ['verify', 'pack.iso'],
};
