/**
 * The layering of docs/ARCHITECTURE.md, checked on the sources: the core's layers import only
 * downwards (base ← formats ← xenserver ← products), the core imports neither Nx nor gulp, the
 * adapters reach the core only through its entry points (core/index.ts; the Nx plugin through
 * core/graph.ts), no module imports itself through a loop, and directories are made with
 * core/base/make-dir.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, posix } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(__dirname, '..');
const sources = execFileSync('git', ['ls-files', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));
/** Production code: no tests, no test helpers. */
const isProduction = (f: string) => !/\.test\.ts$|(^|\/)testing(\.ts$|\/)|(^|[/-])testing\.ts$|^(e2e|bench|testing|scripts)\//.test(f);
const production = sources.filter(isProduction);

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/g;

/** The specifiers `file` imports, and each relative one resolved to a repository path. */
function importsOf(file: string): Array<{ spec: string; target?: string; typeOnly: boolean }> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Array<{ spec: string; target?: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const typeOnly = /^\s*(import|export)\s+type\s/.test(m[0].trimStart());
    if (!spec.startsWith('.')) {
      out.push({ spec, typeOnly });
      continue;
    }
    const base = normalize(join(dirname(file), spec)).split('\\').join('/');
    const target = [`${base}.ts`, `${base}/index.ts`, base].find((c) => sources.includes(c) || existsSync(join(ROOT, c)));
    out.push({ spec, target, typeOnly });
  }
  return out;
}

const LAYERS = ['core/base/', 'core/formats/', 'core/xenserver/', 'core/products/'] as const;
/** The core's entry points: all of it, the Nx graph's part (core/graph.ts), and rebuild-iso's (core/installer.ts). */
const ENTRY_POINTS = ['core/index.ts', 'core/graph.ts', 'core/installer.ts', 'core/legacy-pack.ts'];
const layerOf = (f: string) => LAYERS.findIndex((l) => f.startsWith(l));

test('the core layers import only downwards: base ← formats ← xenserver ← products', () => {
  const upward: string[] = [];
  for (const f of production.filter((x) => layerOf(x) >= 0)) {
    for (const i of importsOf(f)) {
      if (i.target === undefined || !i.target.startsWith('core/')) continue;
      const to = layerOf(i.target);
      if (to === -1 ? !ENTRY_POINTS.includes(i.target) : to > layerOf(f)) upward.push(`${f} imports ${i.target}`);
      if (ENTRY_POINTS.includes(i.target)) upward.push(`${f} imports the entry point ${i.target}`);
    }
  }
  expect(upward).toEqual([]);
});

test('the core imports neither Nx nor gulp, and every core file is in a layer', () => {
  const core = production.filter((f) => f.startsWith('core/'));
  expect(core.filter((f) => layerOf(f) === -1 && !ENTRY_POINTS.includes(f))).toEqual([]);
  const bad = core.flatMap((f) => importsOf(f).filter((i) => /^(@nx\/|nx$|nx\/|gulp|vinyl|through2|plugin-error)/.test(i.spec)).map((i) => `${f}: ${i.spec}`));
  expect(bad).toEqual([]);
});

test('adapters reach the core only through core/index.ts, the Nx plugin only through core/graph.ts, rebuild-iso\'s and build-supplemental-pack\'s commands also through their own entry points', () => {
  const adapters = production.filter((f) => /^(cli|executors|gulp|generators|plugin)\//.test(f));
  const bad: string[] = [];
  for (const f of adapters) {
    const own: Record<string, string> = { 'cli/rebuild-iso.ts': 'core/installer.ts', 'cli/build-supplemental-pack.ts': 'core/legacy-pack.ts' };
    const allowed = f.startsWith('plugin/') ? ['core/graph.ts'] : ['core/index.ts', ...(own[f] ? [own[f]] : [])];
    for (const i of importsOf(f)) {
      if (i.target?.startsWith('core/') && !allowed.includes(i.target)) bad.push(`${f} imports ${i.target}`);
    }
  }
  expect(bad).toEqual([]);
  expect(adapters.length).toBeGreaterThan(30);
});

test('no import loop among the modules (type-only imports aside)', () => {
  const graph = new Map<string, string[]>();
  for (const f of production) {
    graph.set(
      f,
      importsOf(f)
        .filter((i) => !i.typeOnly && i.target?.endsWith('.ts'))
        .map((i) => i.target!),
    );
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => posix.basename(x)).join(' → '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test("production code makes directories with core/base/make-dir.ts, never Node's recursive mkdir (which spins forever under /proc)", () => {
  const bad = production.filter((f) => f !== 'core/base/make-dir.ts' && /mkdir(Sync)?\([^;]*recursive:\s*true/.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(bad).toEqual([]);
});
