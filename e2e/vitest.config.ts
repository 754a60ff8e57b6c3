import { defineConfig } from 'vitest/config';

// e2e runs what users run: the built packages (dist/) and the built rr binary, never src/.
export default defineConfig({
  test: {
    include: ['tests/**/*.e2e.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
