import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./testing/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
  },
});
