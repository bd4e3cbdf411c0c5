import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
