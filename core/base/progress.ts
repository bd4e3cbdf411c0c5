/** Progress on stderr for long writes: a live line on a terminal, a line per 10% otherwise. */
const MIN_BYTES_TO_REPORT = 64 << 20;

export function progressPrinter(
  what: string,
  err: NodeJS.WriteStream = process.stderr,
): (p: { written: number; total: number }) => void {
  let lastDecile = -1;
  return ({ written, total }) => {
    if (total < MIN_BYTES_TO_REPORT || total === 0) return;
    const pct = Math.floor((written / total) * 100);
    const line = `writing ${what}: ${pct}% (${mib(written)} of ${mib(total)} MiB)`;
    if (err.isTTY) {
      err.write(`\r${line}${written >= total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) > lastDecile) {
      lastDecile = Math.floor(pct / 10);
      err.write(`${line}\n`);
    }
  };
}

function mib(n: number): string {
  return (n / (1 << 20)).toFixed(0);
}
