import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real HTTP servers on loopback; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
