// Benchmark: MD5 of 1 to 12 streams at once in core/base/md5-lanes.ts (WebAssembly SIMD, one
// thread: up to three groups of four lanes) against node:crypto (OpenSSL) hashing one stream,
// over the same bytes in memory. Prints each way's MB/s per stream and in all
// (docs/formats/containers.md §3, "Lanes across files").
// Usage: npm run bench:md5 [-- --mib=16 --runs=5] (MiB per stream)
import { createHash, randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

const require = createRequire(import.meta.url);
const { MAX_GROUPS, Md5LanePlanner, Md5LanesRunner, md5LanesMemory } = require('../dist/core/base/md5-lanes.js');
const arg = (name, dflt) => Number((process.argv.find((a) => a.startsWith(`--${name}=`)) ?? `=${dflt}`).split('=')[1]);
const SIZE = arg('mib', 16) << 20;
const RUNS = arg('runs', 5);

const STREAMS = 4 * MAX_GROUPS;
const mem = md5LanesMemory(STREAMS * SIZE + 4096);
const data = new Uint8Array(mem.memory.buffer, 0, STREAMS * SIZE + 4096);
randomFillSync(data);
const planner = new Md5LanePlanner(mem, MAX_GROUPS);
const runner = new Md5LanesRunner(mem.memory, mem.programAt);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function seconds(fn) {
  fn(); // warm-up: the module's optimised tier, the page faults
  return median(
    Array.from({ length: RUNS }, () => {
      const t = process.hrtime.bigint();
      fn();
      return Number(process.hrtime.bigint() - t) / 1e9;
    }),
  );
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.versions.node}; ${SIZE >> 20} MiB per stream, median of ${RUNS}`);
const openssl = seconds(() => createHash('md5').update(data.subarray(0, SIZE)).digest());
const mbs = (s) => (SIZE / s / 1e6).toFixed(0);
console.log(`  node:crypto, 1 stream      ${mbs(openssl)} MB/s`);
for (let streams = 1; streams <= STREAMS; streams++) {
  const s = seconds(() => {
    // each stream its own bytes, from an unaligned offset, as an RPM's MD5 has
    for (let id = 0; id < streams; id++) {
      planner.open(id);
      planner.update(id, id * SIZE + id, SIZE);
      planner.end(id);
    }
    runner.execute(planner.take());
  });
  console.log(`  md5 lanes, ${String(streams).padStart(2)} stream${streams > 1 ? 's' : ' '}     ${mbs(s)} MB/s each, ${((SIZE * streams) / s / 1e6).toFixed(0)} MB/s in all (${((openssl * streams) / s).toFixed(2)}x node:crypto's throughput)`);
}
