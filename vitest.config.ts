import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real processes; two cores do not like many at once.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
