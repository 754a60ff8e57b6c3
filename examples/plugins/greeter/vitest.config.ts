import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
const conditions = ['@rr/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ['test/**/*.test.ts'] },
});
