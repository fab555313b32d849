import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    // Hooks start whole local stacks (DynamoDB Local is given up to 90 s on a busy machine).
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
