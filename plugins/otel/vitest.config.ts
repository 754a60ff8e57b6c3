import { defineConfig } from 'vitest/config';

// Tests run against src/ through the "@rr/source" export condition, never against a stale dist/.
// No "module" condition here (unlike other packages): OpenTelemetry's packages map it to ESM builds with
// extensionless imports that only bundlers can load, while Node itself takes their CommonJS "default".
const conditions = ['@rr/source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ['test/**/*.test.ts'] },
});
