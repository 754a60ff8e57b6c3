// Lint is deliberately small: typescript-eslint's recommended rules plus the layering rules of docs/architecture.md
// (enforced separately by scripts/check-deps.mjs, which can see package.json files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'php-sdk/**', '**/*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/../../packages/**', '**/../../plugins/**', '**/../../apps/**'], message: 'import other packages by name (@rr/...), never by relative path into their src' },
          ],
        },
      ],
    },
  },
  {
    // Only distributions (apps/) compose plugins; a plugin never imports another plugin.
    files: ['plugins/**', 'packages/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/../../packages/**', '**/../../plugins/**', '**/../../apps/**'], message: 'import other packages by name (@rr/...), never by relative path into their src' },
            { group: ['@rr/plugin-*'], message: 'plugins never import plugins; share through @rr/contracts' },
          ],
        },
      ],
    },
  },
);
