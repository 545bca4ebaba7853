// Lint fails on warnings (npm run lint uses --max-warnings 0). The layering rules keep core/ a plain
// Node library: it never imports Electron or the renderer, and the renderer reaches core only through
// the typed API contract in core/api/.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', '.ci/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'core/ must not import Electron.' },
            { group: ['**/renderer/**', '**/electron/**'], message: 'core/ must not import the UI layers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/*', '!**/core/api', '!**/core/api/**'],
              message: 'The renderer reaches core only through core/api.',
            },
            {
              group: ['node:*', 'fs', 'child_process', 'electron'],
              message: 'The renderer has no Node access.',
            },
          ],
        },
      ],
    },
  },
);
