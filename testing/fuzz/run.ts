/**
 * The fuzz suite's runner (docs/security.md "Fuzzing"): seeded mutations of every kind of input
 * through every reader and command that takes it (kinds.ts), each kind in a worker thread under a
 * watchdog. Reports, per kind, the cases run, what was accepted and refused, every crash, hang,
 * memory overrun and file handle left open (handles.ts) with the case that reproduces it, and
 * the peak memory.
 *
 *   node -r @swc-node/register testing/fuzz/run.ts [--kinds=rpm,fat] [--cases=300] [--seed=1]
 *        [--timeout=30000] [--jobs=2] [--json=report.json] [--save=DIR] [--corpus=DIR] [--case=KIND:N]
 *        [--pristine] [--inputs=DIR]
 *
 * A case is named by (seed, kind, number): `--case=rpm:1234 --seed=S` runs it alone, prints its
 * mutations and each probe's verdict, and with --save writes its input. Exit 0 when no case
 * failed, 1 otherwise, 2 on a usage error. --pristine runs every seed unmutated instead (each
 * probe must accept some seed, or the probe tests nothing). --inputs=DIR runs the files of DIR
 * as they are, `<kind>--<name>` each through its kind's probes (testing/fuzz/reproducers/: what
 * fuzzing found, kept as tests). --corpus keeps the seeds between runs.
 * scripts/fuzz.sh runs it long.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { random, seedOf } from '../random';
import { buildCorpus, type Corpus } from './corpus';
import { type CaseContext, KIND_NAMES, kindOf, seedsOf, type Verdict, writeInput } from './kinds';
import { mutateBytes, mutateJson, mutateText, type Range } from './mutate';
import { trackFileHandles } from './handles';

interface Options {
  kinds: string[];
  cases: number;
  seed: number;
  timeoutMs: number;
  jobs: number;
  json?: string;
  save?: string;
  corpus?: string;
  only?: { kind: string; case: number };
  /** Run each seed as it is, unmutated (checks that every probe accepts a valid input). */
  pristine?: boolean;
  /** Run the files of this directory as they are, each `<kind>--<name>` through its kind's probes (found failures, kept as tests). */
  inputs?: string;
}

/** A case that failed a probe, hung or ran out of memory. */
export interface Failure {
  kind: string;
  case: number;
  seedFile: string;
  ops: string[];
  probe: string;
  problem: string;
  saved?: string;
}

export interface KindReport {
  kind: string;
  cases: number;
  accepted: Record<string, number>;
  refused: Record<string, number>;
  failures: Failure[];
  seconds: number;
  /** Time spent in each probe, ms (where a long run goes; not a bound). */
  probeMs: Record<string, number>;
  /** The worker's largest JS heap + external memory after a case, MiB. */
  peakHeapMiB: number;
}

export interface FuzzReport {
  seed: number;
  casesPerKind: number;
  kinds: KindReport[];
  /** The whole run's peak resident set (every worker), MiB. */
  peakRssMiB: number;
  failures: number;
}

type FromWorker =
  | { t: 'case'; i: number; seedFile: string; ops: string[] }
  | { t: 'probe'; name: string }
  | { t: 'verdicts'; i: number; results: Array<{ probe: string; verdict: Verdict; ms: number }>; heap: number; input?: Uint8Array }
  | { t: 'done' };

interface WorkerInput {
  kind: string;
  from: number;
  to: number;
  seed: number;
  corpus: Corpus;
  scratch: string;
  pristine?: boolean;
  /** Files to run unmutated instead of the kind's seeds. */
  inputs?: string[];
}

const HEAP_LIMIT_MB = 768;

function parseArgs(argv: string[]): Options {
  const o: Options = { kinds: KIND_NAMES, cases: 300, seed: 20261203, timeoutMs: 30_000, jobs: 2 };
  for (const a of argv) {
    const [k, v = ''] = a.split(/=(.*)/s, 2) as [string, string?];
    const num = () => {
      if (!/^\d+$/.test(v)) throw new Error(`${k}: expected a whole number, got "${v}"`);
      return Number(v);
    };
    if (k === '--kinds') o.kinds = v.split(',').filter(Boolean);
    else if (k === '--cases') o.cases = num();
    else if (k === '--seed') o.seed = num();
    else if (k === '--timeout') o.timeoutMs = num();
    else if (k === '--jobs') o.jobs = Math.max(1, num());
    else if (k === '--json') o.json = v;
    else if (k === '--save') o.save = v;
    else if (k === '--corpus') o.corpus = v;
    else if (k === '--pristine') o.pristine = true;
    else if (k === '--inputs') {
      o.inputs = v;
      o.kinds = [...new Set(readdirSync(v).map((f) => f.split('--')[0]!))].sort();
    }
    else if (k === '--case') {
      const m = /^([\w-]+):(\d+)$/.exec(v);
      if (!m) throw new Error(`--case: expected KIND:NUMBER, got "${v}"`);
      o.only = { kind: m[1]!, case: Number(m[2]) };
      o.kinds = [m[1]!];
    } else throw new Error(`unknown option ${a}`);
  }
  for (const k of o.kinds) if (!kindOf(k)) throw new Error(`unknown kind "${k}" (kinds: ${KIND_NAMES.join(', ')})`);
  return o;
}

/** Kills what a terminated worker left running: every process whose parent is this one. */
function killChildren(): void {
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/**
 * The seeds: those a --corpus directory keeps, when corpus.ts (and argv.ts) has not changed since they were made
 * and every kind has its seeds there; otherwise made afresh. (A corpus kept from before a kind
 * existed once gave that kind no seeds of its own, and its campaign fuzzed other bytes.)
 */
async function loadCorpus(o: Options): Promise<{ corpus: Corpus; temporary?: string }> {
  // argv.ts holds the command-line seeds the corpus writes
  const builder = createHash('sha256').update(readFileSync(join(__dirname, 'corpus.ts'))).update(readFileSync(join(__dirname, 'argv.ts'))).digest('hex');
  if (o.corpus && existsSync(join(o.corpus, 'corpus.json'))) {
    const kept = JSON.parse(readFileSync(join(o.corpus, 'corpus.json'), 'utf8')) as Corpus & { builder?: string };
    if (kept.builder === builder && KIND_NAMES.every((k) => (kept.seeds[k]?.length ?? 0) > 0)) return { corpus: kept };
    process.stderr.write(`fuzz: ${o.corpus}: kept from another corpus.ts or without seeds for every kind, made again\n`);
    rmSync(o.corpus, { recursive: true, force: true });
  }
  const dir = o.corpus ?? mkdtempSync(join(tmpdir(), 'suppack-fuzz-corpus-'));
  mkdirSync(dir, { recursive: true });
  const corpus = await buildCorpus(dir);
  writeFileSync(join(dir, 'corpus.json'), JSON.stringify({ ...corpus, builder }, null, 2));
  return { corpus, temporary: o.corpus ? undefined : dir };
}

/** Runs cases [from, to) of one kind in a worker; resolves when the worker is done or has died. */
function runWorker(o: Options, input: WorkerInput, report: KindReport, onCaseEnd: () => void): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(__filename, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
    let current: { i: number; seedFile: string; ops: string[]; probe: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    /** A failure of the current case; `bytes`: its input, as the worker sent it (it may have cleared its scratch since). */
    const fail = (problem: string, bytes?: Uint8Array) => {
      if (!current) return;
      const f: Failure = { kind: input.kind, case: current.i, seedFile: current.seedFile, ops: current.ops, probe: current.probe, problem };
      // a hung or dead worker left its input in its scratch
      const file = join(input.scratch, kindOf(input.kind)!.file);
      if (o.save && (bytes !== undefined || existsSync(file))) {
        mkdirSync(o.save, { recursive: true });
        f.saved = join(o.save, `${input.kind}-${o.seed}-${current.i}-${kindOf(input.kind)!.file}`);
        if (bytes !== undefined) writeFileSync(f.saved, bytes);
        else copyFileSync(file, f.saved);
      }
      report.failures.push(f);
    };
    const finish = (next: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(next);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'case') {
        current = { i: m.i, seedFile: m.seedFile, ops: m.ops, probe: '(mutation)' };
        clearTimeout(timer);
        timer = setTimeout(() => {
          fail(`no answer within ${o.timeoutMs} ms (hang)`);
          void worker.terminate().then(() => {
            killChildren();
            finish(current!.i + 1);
          });
        }, o.timeoutMs);
      } else if (m.t === 'probe') {
        if (current) current.probe = m.name;
      } else if (m.t === 'verdicts') {
        report.cases++;
        if (o.only && current) {
          process.stdout.write(`${input.kind}:${m.i} from ${current.seedFile}: ${current.ops.join('; ')}\n`);
          for (const { probe, verdict } of m.results) process.stdout.write(`  ${probe}: ${verdict.ok ? (verdict.accepted ? 'accepted' : `refused: ${verdict.message ?? ''}`) : `FAIL ${verdict.problem}`}\n`);
        }
        report.peakHeapMiB = Math.max(report.peakHeapMiB, Math.round(m.heap / 2 ** 20));
        for (const { probe, verdict, ms } of m.results) {
          report.probeMs[probe] = Math.round((report.probeMs[probe] ?? 0) + ms);
          if (verdict.ok) {
            const into = verdict.accepted ? report.accepted : report.refused;
            into[probe] = (into[probe] ?? 0) + 1;
          } else if (current) {
            current.probe = probe;
            fail(verdict.problem, m.input);
          }
        }
        onCaseEnd();
      } else if (m.t === 'done') {
        finish(input.to);
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (JS heap limit ${HEAP_LIMIT_MB} MB)` : `uncaught in the worker: ${e.name}: ${e.message.split('\n')[0]}`);
      killChildren();
      finish((current?.i ?? input.from) + 1);
    });
    worker.on('exit', () => finish((current?.i ?? input.from) + 1));
  });
}

async function fuzzKind(o: Options, kind: string, corpus: Corpus, scratchRoot: string): Promise<KindReport> {
  const report: KindReport = { kind, cases: 0, accepted: {}, refused: {}, failures: [], seconds: 0, peakHeapMiB: 0, probeMs: {} };
  const started = Date.now();
  const from = o.only?.case ?? 0;
  const inputs = o.inputs ? readdirSync(o.inputs).filter((f) => f.startsWith(`${kind}--`)).sort().map((f) => join(o.inputs!, f)) : undefined;
  const to = o.only ? o.only.case + 1 : inputs ? inputs.length : o.pristine ? seedsOf(kind, corpus).length : o.cases;
  const scratch = join(scratchRoot, kind);
  let done = 0;
  for (let next = from; next < to; ) {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const was = report.failures.length;
    next = await runWorker(o, { kind, from: next, to, seed: o.seed, corpus, scratch, pristine: o.pristine || inputs !== undefined, inputs }, report, () => {
      done++;
      if (!o.only && done % 100 === 0) process.stderr.write(`fuzz: ${kind}: ${done}/${to - from}\n`);
    });
    if (report.failures.length === was && next < to) report.failures.push({ kind, case: next - 1, seedFile: '', ops: [], probe: '(worker)', problem: 'the worker stopped without a reason' });
  }
  rmSync(scratch, { recursive: true, force: true });
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}

async function mainThread(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    return 2;
  }
  const { corpus, temporary } = await loadCorpus(o);
  const scratchRoot = mkdtempSync(join(tmpdir(), 'suppack-fuzz-'));
  const reports: KindReport[] = [];
  try {
    const queue = [...o.kinds];
    await Promise.all(
      Array.from({ length: Math.min(o.jobs, queue.length) }, async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) reports.push(await fuzzKind(o, k, corpus, scratchRoot));
      }),
    );
  } finally {
    rmSync(scratchRoot, { recursive: true, force: true });
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
  reports.sort((a, b) => o.kinds.indexOf(a.kind) - o.kinds.indexOf(b.kind));
  const report: FuzzReport = {
    seed: o.seed,
    casesPerKind: o.only ? 1 : o.pristine || o.inputs ? 0 : o.cases,
    kinds: reports,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    failures: reports.reduce((n, r) => n + r.failures.length, 0),
  };
  if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  for (const r of reports) {
    const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
    process.stdout.write(`${r.kind}: ${r.cases} cases, ${sum(r.accepted)} probes accepted, ${sum(r.refused)} refused, ${r.failures.length} failed, ${r.seconds} s, peak heap ${r.peakHeapMiB} MiB\n`);
    for (const f of r.failures) {
      process.stdout.write(`  FAIL ${f.kind}:${f.case} (seed ${o.seed}) ${f.probe}: ${f.problem}\n    from ${f.seedFile}: ${f.ops.join('; ').slice(0, 400)}${f.saved ? `\n    input: ${f.saved}` : ''}\n`);
    }
  }
  process.stdout.write(`peak RSS ${report.peakRssMiB} MiB; ${report.failures} failure(s)\n`);
  return report.failures === 0 ? 0 : 1;
}

/** The worker: runs cases [from, to) of one kind, telling the main thread where it is. */
async function workerThread(input: WorkerInput): Promise<void> {
  const post = (m: FromWorker) => parentPort!.postMessage(m);
  const kind = kindOf(input.kind)!;
  const seeds: Array<{ path: string; bytes: Buffer; hot: Range[] }> = [];
  for (const path of input.inputs ?? seedsOf(input.kind, input.corpus)) {
    const bytes = readFileSync(path);
    // A reproducer (--inputs) need not parse: then it has no hot ranges (it is run as it is).
    seeds.push({ path, bytes, hot: kind.hot ? await kind.hot(path, bytes).catch(() => []) : [] });
  }
  const seedBytes = seeds.map((s) => s.bytes);
  const c: CaseContext = { corpus: input.corpus, scratch: input.scratch };
  const handles = trackFileHandles();
  for (let i = input.from; i < input.to; i++) {
    const rand = random(seedOf(input.seed, input.kind, i));
    const seed = input.pristine ? seeds[i]! : rand.pick(seeds);
    // Named before the mutation runs, so a failure of the mutation itself is this case's.
    post({ t: 'case', i, seedFile: seed.path, ops: ['(mutating)'] });
    const m = input.pristine
      ? { bytes: seed.bytes, ops: [] }
      : kind.generate && rand.chance(0.4)
        ? kind.generate(rand, seedBytes)
        : kind.json && rand.chance(0.5)
          ? mutateJson(seed.bytes, rand)
          : kind.text && rand.chance(0.6)
            ? mutateText(seed.bytes, rand)
            : mutateBytes(seed.bytes, rand, seed.hot);
    for (const name of readdirSync(input.scratch)) rmSync(join(input.scratch, name), { recursive: true, force: true });
    const file = writeInput(input.scratch, kind, m.bytes);
    post({ t: 'case', i, seedFile: seed.path, ops: m.ops });
    const results: Array<{ probe: string; verdict: Verdict; ms: number }> = [];
    for (const probe of kind.probes) {
      post({ t: 'probe', name: probe.name });
      const t0 = performance.now();
      const verdict = await probe.run(file, m.bytes, c);
      results.push({ probe: probe.name, verdict, ms: performance.now() - t0 });
      const leaks = await handles.leaks();
      if (leaks.length > 0) results.push({ probe: probe.name, verdict: { ok: false, problem: `left ${leaks.length} file handle(s) open: ${leaks.join('; ')}` }, ms: 0 });
    }
    const mem = process.memoryUsage();
    // a failing case's input goes with its verdicts: the scratch is cleared for the next case
    post({ t: 'verdicts', i, results, heap: mem.heapUsed + mem.external, ...(results.some((r) => !r.verdict.ok) ? { input: m.bytes } : {}) });
  }
  post({ t: 'done' });
}

if (isMainThread) {
  if (require.main === module) {
    mainThread(process.argv.slice(2)).then(
      (code) => (process.exitCode = code),
      (e: unknown) => {
        process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 1;
      },
    );
  }
} else {
  void workerThread(workerData as WorkerInput);
}
