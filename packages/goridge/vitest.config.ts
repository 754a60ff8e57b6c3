import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
const conditions = ['@rr/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    // DESIGN §2.11: goridge is core; every line of src/ is exercised.
    coverage: {
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 100 },
    },
  },
});
