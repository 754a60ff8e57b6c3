import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
const conditions = ['@rr/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    // types.test-d.ts pins the inference of the plugin contract; it runs with every `vitest run`.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    coverage: {
      provider: 'v8',
      include: ['src/**'],
      // DESIGN §2.11: the kernel is held to 100 % of lines.
      thresholds: { lines: 100 },
    },
  },
});
