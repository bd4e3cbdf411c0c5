// Benchmark: MD5 of 1 to 4 streams at once in core/base/md5-lanes.ts (WebAssembly SIMD, one
// thread) against node:crypto (OpenSSL) hashing one stream, over the same 64 MiB in memory.
// Prints each way's MB/s per stream and in all (docs/formats/containers.md §3, "MD5 four at a time").
// Usage: npm run bench:md5 [-- --mib=64 --runs=5]
import { createHash, randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

const require = createRequire(import.meta.url);
const { Md5LanePlanner, Md5LanesRunner, md5LanesMemory } = require('../dist/core/base/md5-lanes.js');
const arg = (name, dflt) => Number((process.argv.find((a) => a.startsWith(`--${name}=`)) ?? `=${dflt}`).split('=')[1]);
const SIZE = arg('mib', 64) << 20;
const RUNS = arg('runs', 5);

const mem = md5LanesMemory(SIZE + 4096);
const data = new Uint8Array(mem.memory.buffer, 0, SIZE + 4096);
randomFillSync(data);
const planner = new Md5LanePlanner(mem);
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
for (let streams = 1; streams <= 4; streams++) {
  const s = seconds(() => {
    // each stream starts at another, unaligned offset, as an RPM's MD5 does
    for (let id = 0; id < streams; id++) {
      planner.open(id);
      planner.update(id, id * 1000 + id, SIZE);
      planner.end(id);
    }
    runner.execute(planner.take());
  });
  console.log(`  md5 lanes, ${streams} stream${streams > 1 ? 's' : ' '}      ${mbs(s)} MB/s each, ${((SIZE * streams) / s / 1e6).toFixed(0)} MB/s in all (${((openssl * streams) / s).toFixed(2)}x node:crypto's throughput)`);
}
