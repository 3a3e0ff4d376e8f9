import { defineConfig } from 'vitest/config'

// One runner for the whole workspace. Tests that need a real peer (PostgreSQL, Mosquitto, snmpd,
// snmpsim, smartctl) find it through test/support/peers.ts, which fails under CI=true instead of
// skipping.
export default defineConfig({
  test: {
    include: ['{shared,agent,collector,dashboards,test}/**/*.test.ts', 'console/src/**/*.test.ts'],
    // The browser tests have their own config (pnpm test:e2e): one at a time, after the console build.
    exclude: ['**/node_modules/**', 'test/e2e/browser/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only fight over the CPU and the embedded database's memory.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
})
