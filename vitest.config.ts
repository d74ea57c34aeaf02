import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The NocoBase plugin's own tests live beside it, as in NocoBase's plugins.
    include: ['test/**/*.test.ts', 'nocobase-plugin/src/**/__tests__/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real HTTP servers on loopback; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
