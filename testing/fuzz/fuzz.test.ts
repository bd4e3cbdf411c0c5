/**
 * The fuzz suite's bounded CI run (issue 19; docs/security.md "Fuzzing"): a fixed seed and a few
 * hundred mutated cases of every kind of input through every reader and command, none of which
 * may crash, hang or overrun memory. First checks the harness: every probe accepts some valid
 * seed (so a refusal comes from a mutation, not a broken probe), and a crashing or hanging
 * reader is reported as such. SUPPACK_FUZZ_CASES and SUPPACK_FUZZ_SEED change the run;
 * scripts/fuzz.sh runs it long.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_NAMES, kindOf } from './kinds';
import type { FuzzReport } from './run';

const ROOT = join(__dirname, '../..');
const CASES = Number(process.env.SUPPACK_FUZZ_CASES ?? 200);
const SEED = Number(process.env.SUPPACK_FUZZ_SEED ?? 20261203);
const dir = mkdtempSync(join(tmpdir(), 'suppack-fuzz-test-'));
const corpus = join(dir, 'corpus');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the runner as scripts/fuzz.sh does; resolves with its exit code, output and JSON report. */
function fuzz(args: string[]): Promise<{ code: number | null; output: string; report: FuzzReport }> {
  const json = join(dir, `report-${Math.random().toString(16).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'testing/fuzz/run.ts', `--corpus=${corpus}`, `--json=${json}`, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, output, report: JSON.parse(readFileSync(json, 'utf8')) as FuzzReport });
      } catch (e) {
        reject(new Error(`the fuzz runner wrote no report (exit ${code}):\n${output}`, { cause: e }));
      }
    });
  });
}

describe('fuzz harness', () => {
  let pristine: Awaited<ReturnType<typeof fuzz>>;
  beforeAll(async () => {
    // builds the seed corpus once (rpmbuild, gpg, xorriso, mtools, suppack's own commands) and runs every seed as it is
    pristine = await fuzz(['--pristine']);
  }, 600_000);

  it('every probe accepts a valid seed, so its refusals come from the mutations', () => {
    const { code, output, report } = pristine;
    expect(code, output).toBe(0);
    expect(report.kinds.map((k) => k.kind)).toEqual(KIND_NAMES);
    for (const k of report.kinds) {
      const probes = kindOf(k.kind)!.probes.map((p) => p.name);
      expect(Object.keys(k.accepted).sort(), `${k.kind}: probes that accepted no valid seed`).toEqual([...probes].sort());
    }
  }, 300_000);

  it('every input fuzzing has found a failure with (testing/fuzz/reproducers/) passes now', async () => {
    const { code, output, report } = await fuzz(['--inputs=testing/fuzz/reproducers']);
    expect(report.failures, output).toBe(0);
    expect(code, output).toBe(0);
    expect(report.kinds.reduce((n, k) => n + k.cases, 0)).toBe(readdirSync(join(ROOT, 'testing/fuzz/reproducers')).length);
  }, 300_000);

  it('reports a reader that crashes and one that hangs, with the case that reproduces each', async () => {
    const { code, report } = await fuzz(['--kinds=self-test-crash,self-test-hang', '--cases=6', '--timeout=2000', '--seed=5']);
    expect(code).toBe(1);
    const crash = report.kinds.find((k) => k.kind === 'self-test-crash')!;
    const hang = report.kinds.find((k) => k.kind === 'self-test-hang')!;
    expect(crash.failures.length).toBeGreaterThan(0);
    expect(crash.failures.every((f) => /^TypeError: deliberate crash/.test(f.problem))).toBe(true);
    expect(crash.cases).toBe(6);
    // each hang is cut off by the watchdog and the run goes on with the next case
    expect(hang.failures.map((f) => f.case)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(hang.failures.every((f) => f.problem === 'no answer within 2000 ms (hang)' && f.probe === 'never returns')).toBe(true);
    // a case is named by (seed, kind, number): running it alone gives the same mutations
    const first = crash.failures[0]!;
    const again = await fuzz([`--case=self-test-crash:${first.case}`, '--seed=5']);
    expect(again.report.kinds[0]!.failures[0]!.ops).toEqual(first.ops);
  }, 120_000);

  it('makes a kept corpus again when corpus.ts changed or a kind has no seeds there, never fuzzing one kind with another\'s', async () => {
    const file = join(corpus, 'corpus.json');
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { builder: string; seeds: Record<string, string[]> };
    expect(kept.builder).toMatch(/^[0-9a-f]{64}$/);
    // as a corpus kept from before the manifest kind existed
    delete kept.seeds.manifest;
    writeFileSync(file, JSON.stringify(kept));
    const { code, output, report } = await fuzz(['--pristine', '--kinds=manifest']);
    expect(code, output).toBe(0);
    expect(output).toContain('without seeds for every kind, made again');
    const manifest = report.kinds[0]!;
    expect(manifest.kind).toBe('manifest');
    expect(Object.values(manifest.accepted).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as typeof kept).seeds.manifest!.length).toBeGreaterThan(0);
  }, 300_000);

  it('reports a reader that leaves a file handle or descriptor open, naming where it was opened (handles.ts)', async () => {
    const { code, report } = await fuzz(['--kinds=self-test-leak', '--cases=6', '--seed=5']);
    expect(code).toBe(1);
    const leak = report.kinds[0]!;
    expect(leak.cases).toBe(6);
    const by = (probe: string) => leak.failures.filter((f) => f.probe === probe);
    for (const probe of ['leaves its input open on even sizes', 'leaves a descriptor open on odd sizes']) {
      expect(by(probe).length, probe).toBeGreaterThan(0);
    }
    // one of the two in every case: a leak is closed when found, so it does not spill into the next
    expect(leak.failures.map((f) => f.case).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(leak.failures.every((f) => /^left 1 file handle\(s\) open: \S+input\.bin \(opened at .*kinds\.ts/.test(f.problem))).toBe(true);
  }, 120_000);
});

describe(`fuzz: ${CASES} mutated cases of each kind, seed ${SEED}`, () => {
  it('no reader or command crashes, hangs or runs out of memory', async () => {
    const { code, output, report } = await fuzz([`--cases=${CASES}`, `--seed=${SEED}`]);
    // the peak memory of the run, for the log (bounded by the worker's heap limit, not asserted here)
    console.log(output.split('\n').filter((l) => /cases|peak RSS/.test(l)).join('\n'));
    expect(report.failures, output).toBe(0);
    expect(code, output).toBe(0);
    const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
    for (const k of report.kinds) {
      expect(k.cases, k.kind).toBe(CASES);
      // every probe gave a verdict on every case
      expect(sum(k.accepted) + sum(k.refused), k.kind).toBe(CASES * kindOf(k.kind)!.probes.length);
    }
    // the mutations reach past the first checks: binary inputs are both accepted and refused
    for (const kind of ['rpm', 'pack-iso', 'update-iso', 'installer-iso', 'initrd', 'fat', 'openpgp']) {
      const k = report.kinds.find((r) => r.kind === kind)!;
      expect(sum(k.accepted), kind).toBeGreaterThan(0);
      expect(sum(k.refused), kind).toBeGreaterThan(0);
    }
    // and text inputs still parse after some mutations (a manifest: then the Nx plugin's inference runs on it)
    for (const kind of ['answerfile', 'boot-menu', 'manifest', 'xml']) {
      expect(sum(report.kinds.find((r) => r.kind === kind)!.accepted), kind).toBeGreaterThan(0);
    }
    // manifests drawn from the schema (arbitrary.ts, 40% of the cases) are mostly valid: the
    // inference and its invariants (target-invariants.ts) run on a third of the cases or more
    expect(report.kinds.find((r) => r.kind === 'manifest')!.accepted['inferTargets']).toBeGreaterThan(CASES / 3);
  }, 1_200_000);
});
