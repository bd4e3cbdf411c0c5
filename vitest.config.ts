import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./testing/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Most of the suite waits on child processes (rpmbuild, xorriso, qemu, npm, nx). Vitest's
    // default of one file per core but one leaves a 2-core machine running one file at a time:
    // two at a time took the suite from 1,497 s to 880 s there, every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
