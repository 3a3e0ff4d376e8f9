import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The browser tests (pnpm test:e2e): a real collector in-process and Debian's chromium, one file
// at a time (each drives a browser and a collector; two cores).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/e2e/browser/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    reporters: ['default'],
  },
})
