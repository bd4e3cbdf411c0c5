// The calling process's own peak RSS in KiB: VmHWM of its memory map (Linux). ru_maxrss
// (process.resourceUsage().maxRSS) would also count the memory of the process that spawned it,
// which Linux carries over through fork and exec, so a bench's own buffers would show up there.
const { readFileSync } = require('node:fs');

exports.peakRssKiB = function peakRssKiB() {
  try {
    return Number(/VmHWM:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
};
