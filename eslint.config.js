// One linter config for the whole repo: typescript-eslint's recommended rules plus a
// ban on focused tests, so a stray `.only` fails CI instead of silently skipping the suite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript entry points (bin/, scripts/) run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'Focused tests skip the rest of the suite.' },
        { object: 'test', property: 'only', message: 'Focused tests skip the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'Focused tests skip the rest of the suite.' },
      ],
    },
  },
);
