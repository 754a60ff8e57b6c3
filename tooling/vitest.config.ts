import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
const conditions = ['@rr/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // These tests import every package's source cold; under a loaded CI machine that can take seconds.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
