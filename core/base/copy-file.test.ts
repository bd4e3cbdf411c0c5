import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { copyLargeFile } from './copy-file';

const dir = mkdtempSync(join(tmpdir(), 'suppack-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe('copyLargeFile', () => {
  const src = join(dir, 'src.bin');
  writeFileSync(src, Buffer.alloc(3 << 20, 7), { mode: 0o444 });

  it('copies with cp when there is one: same bytes, mode 0644 even from a read-only input', async () => {
    await copyLargeFile(src, join(dir, 'a.bin'));
    expect(readFileSync(join(dir, 'a.bin')).equals(readFileSync(src))).toBe(true);
    expect(statSync(join(dir, 'a.bin')).mode & 0o777).toBe(0o644);
  });

  it('falls back to fs.copyFile when cp cannot be run (no PATH)', async () => {
    vi.stubEnv('PATH', '');
    await copyLargeFile(src, join(dir, 'b.bin'));
    expect(readFileSync(join(dir, 'b.bin')).equals(readFileSync(src))).toBe(true);
    expect(statSync(join(dir, 'b.bin')).mode & 0o777).toBe(0o644);
  });
});

// Issue 19 item 6: kill -9 of rebuild-iso during the copy left its cp running. The copy's cp now
// gets a parent-death signal. The copy reads from a FIFO nobody writes, so cp is still running
// (blocked) when the caller is killed; the waits below are bounded polls, not timings.
describe('a killed caller', () => {
  const cpsOf = (needle: string): string[] =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return argv[0] === 'cp' && argv.includes(needle);
        } catch {
          return false;
        }
      });
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('leaves no cp child running after SIGKILL', async () => {
    const fifo = join(dir, 'never-written.fifo');
    execFileSync('mkfifo', [fifo]);
    const js = join(dir, 'copy-file.js');
    execFileSync(join(__dirname, '../../node_modules/.bin/esbuild'), [join(__dirname, 'copy-file.ts'), '--bundle', '--platform=node', `--outfile=${js}`, '--log-level=error']);
    const script = `require(${JSON.stringify(js)}).startCopy(${JSON.stringify(fifo)}, ${JSON.stringify(join(dir, 'out.bin'))}); setInterval(() => {}, 1000);`;
    const caller = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    await until(() => cpsOf(fifo).length > 0);
    expect(cpsOf(fifo)).toHaveLength(1);
    caller.kill('SIGKILL');
    await until(() => cpsOf(fifo).length === 0);
    expect(cpsOf(fifo)).toEqual([]);
  });
});

