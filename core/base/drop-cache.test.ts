// dropCachedPages, seen with fincore (util-linux): the page cache of a large old output is given
// back, its bytes stay, and small files, directories and missing paths are left alone.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DROP_FROM_BYTES, dropCachedPages } from './drop-cache';

// Under the repository, not the temp directory: a tmpfs /tmp cannot drop its pages.
const dir = mkdtempSync(join(__dirname, '..', '..', '.drop-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** Bytes of `path` in the page cache (fincore --bytes --noheadings --output RES). */
function cached(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}

/** A file of `size` bytes written to disk (so its pages are clean), then read into the cache. */
function cachedFile(name: string, size: number): { path: string; sha: string } {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(1 << 20, name.length);
  for (let at = 0; at < size; at += block.length) writeSync(fd, block, 0, Math.min(block.length, size - at));
  fsyncSync(fd);
  closeSync(fd);
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { path, sha };
}

describe('dropCachedPages', () => {
  it('gives back the cached pages of a large file and leaves its bytes', async () => {
    const { path, sha } = cachedFile('old.iso', DROP_FROM_BYTES);
    expect(cached(path)).toBeGreaterThan(DROP_FROM_BYTES / 2);
    await dropCachedPages(path);
    expect(cached(path)).toBeLessThan(1 << 20);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(sha);
  });

  it('leaves a smaller file cached, and takes directories and missing paths quietly', async () => {
    const { path } = cachedFile('small.md5', 1 << 20);
    await dropCachedPages(path);
    expect(cached(path)).toBe(1 << 20);
    mkdirSync(join(dir, 'stage'));
    await expect(dropCachedPages(join(dir, 'stage'))).resolves.toBeUndefined();
    await expect(dropCachedPages(join(dir, 'missing.iso'))).resolves.toBeUndefined();
  });

  it('without dd (no PATH) nothing happens, and nothing fails', async () => {
    const { path } = cachedFile('no-dd.iso', DROP_FROM_BYTES);
    vi.stubEnv('PATH', '');
    await dropCachedPages(path);
    vi.unstubAllEnvs();
    expect(cached(path)).toBeGreaterThan(DROP_FROM_BYTES / 2);
  });
});
