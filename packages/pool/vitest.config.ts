import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
const conditions = ['@rr/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    // Real PHP processes: generous per-test time, and files run in parallel forks.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text', 'json-summary'],
      // DESIGN §2.11: 90 % lines for the pool.
      thresholds: { lines: 90 },
    },
  },
});
