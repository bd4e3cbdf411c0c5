// Benchmark: a pack ISO from ~1 GiB of generated RPM-sized files, suppack's native writer vs
// `xorriso -as mkisofs -r -J -joliet-long` on the same tree, in the same run.
// Prints the median wall time of each, the ratio, and suppack's peak RSS.
// Targets (issue 2): ratio <= 1.2, peak RSS < 200 MB.  Usage: npm run bench [-- --gib=1 --runs=3]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => Number((process.argv.find((a) => a.startsWith(`--${name}=`)) ?? `=${dflt}`).split('=')[1]);
const GIB = arg('gib', 1);
const RUNS = arg('runs', 3);

const root = join(tmpdir(), `suppack-bench-${GIB}g`);
const tree = join(root, 'tree');
const out = join(root, 'out');
mkdirSync(out, { recursive: true });

/** RPM-like sizes: many small packages, some medium, a few large, ~GIB GiB in total. Deterministic. */
function generateTree() {
  if (existsSync(join(tree, '.done'))) return;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const target = Math.round(GIB * 2 ** 30);
  const sizes = [];
  let total = 0;
  for (let i = 0; total < target; i++) {
    const size = i % 10 === 0 ? 64 << 20 : i % 3 === 0 ? 8 << 20 : (300 << 10) + (i % 7) * 4096;
    sizes.push(Math.min(size, target - total));
    total += sizes.at(-1);
  }
  let block = createHash('sha512').update('seed').digest();
  const chunk = Buffer.alloc(1 << 20);
  sizes.forEach((size, i) => {
    const fd = openSync(join(tree, `pkg-${String(i).padStart(4, '0')}-1.0-1.x86_64.rpm`), 'w');
    for (let left = size; left > 0; ) {
      for (let o = 0; o < chunk.length; o += 64) {
        block = createHash('sha512').update(block).digest(); // incompressible, cheap enough
        block.copy(chunk, o);
      }
      const n = Math.min(left, chunk.length);
      writeSync(fd, chunk, 0, n);
      left -= n;
    }
    closeSync(fd);
  });
  for (const f of ['XS-REPOSITORY', 'XS-PACKAGES']) execFileSync('sh', ['-c', `echo '<x/>' > "${join(tree, f)}"`]);
  execFileSync('touch', [join(tree, '.done')]);
  console.log(`generated ${sizes.length} files, ${(total / 2 ** 30).toFixed(2)} GiB in ${tree}`);
}

function timeRun(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

generateTree();
execFileSync('rm', ['-f', join(tree, '.done')]);
// Two comparisons of the same work:
//  iso:      the ISO alone           — suppack writeIso            vs xorriso -as mkisofs
//  iso+md5:  what a pack build does  — writeIso hashing on the fly vs xorriso then md5sum (the DDK's way)
const iso = join(out, 'bench.iso');
const variants = {
  'suppack iso': () => timeRun(process.execPath, [join(here, 'write-iso-worker.cjs'), tree, iso]),
  'xorriso iso': () => timeRun('xorriso', ['-as', 'mkisofs', '-r', '-J', '-joliet-long', '-quiet', '-V', 'BENCH', '-o', iso, tree]),
  'suppack iso+md5': () => timeRun(process.execPath, [join(here, 'write-iso-worker.cjs'), tree, iso, 'md5']),
  'xorriso iso+md5': () => {
    const a = timeRun('xorriso', ['-as', 'mkisofs', '-r', '-J', '-joliet-long', '-quiet', '-V', 'BENCH', '-o', iso, tree]);
    const b = timeRun('md5sum', [iso]);
    return { ms: a.ms + b.ms, stdout: '' };
  },
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const rss = [];
try {
  for (let i = 0; i <= RUNS; i++) {
    for (const [name, fn] of Object.entries(variants)) {
      const r = fn();
      rmSync(iso, { force: true });
      if (i === 0) continue; // warm-up round: the tree is read into the page cache
      times[name].push(r.ms);
      if (name.startsWith('suppack')) rss.push(JSON.parse(r.stdout).maxRssMb);
    }
  }
} finally {
  execFileSync('touch', [join(tree, '.done')]);
}
const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
console.log(`tree: ${(Number(execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0]) / 2 ** 30).toFixed(2)} GiB, ${RUNS} runs each after a warm-up`);
for (const [name, v] of Object.entries(times)) {
  console.log(`${name.padEnd(17)} median ${(med[name] / 1000).toFixed(2)} s   runs ${v.map((m) => (m / 1000).toFixed(2)).join(' ')}`);
}
console.log(`ratio iso      suppack/xorriso: ${(med['suppack iso'] / med['xorriso iso']).toFixed(2)} (target <= 1.2)`);
console.log(`ratio iso+md5  suppack/xorriso+md5sum: ${(med['suppack iso+md5'] / med['xorriso iso+md5']).toFixed(2)}`);
console.log(`suppack peak RSS: ${Math.max(...rss).toFixed(0)} MB (target < 200 MB)`);
