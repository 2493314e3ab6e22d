// ESLint (flat config): type-checked typescript-eslint rules, no import cycles, and the workflow
// sandbox guard — workflow code (and the modules it loads) imports only sandbox-safe code.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** What deterministic workflow code may import as values; types may come from anywhere. */
const sandboxImports = {
  patterns: [
    {
      regex: '^(node:.*|fs|path|os|crypto|child_process|http|https|net|stream|url|util|worker_threads|timers)$',
      message: 'workflow code runs in a deterministic sandbox: no Node built-ins',
    },
    {
      regex: '^(?!@temporalio/(workflow|common)$|\\.{1,2}/).*',
      message: 'workflow code imports only @temporalio/workflow, @temporalio/common and sandbox-safe modules',
    },
    {
      regex: '^\\.\\./(?!src/contract/|src/events/fields\\.ts$|src/temporal/search-attributes\\.ts$).*',
      allowTypeImports: true,
      message: 'workflow code imports values only from src/contract, src/events/fields.ts and src/temporal/search-attributes.ts',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', sandboxImports] },
  },
  {
    // Modules the workflow bundle loads: no Node built-ins, no packages but Temporal's (types aside).
    files: ['src/contract/**/*.ts', 'src/events/fields.ts', 'src/temporal/search-attributes.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [sandboxImports.patterns[0], { ...sandboxImports.patterns[1], allowTypeImports: true }] },
      ],
    },
  },
  {
    // Tests read JSON answers (`await response.json()` is `any`) and assert on them: the assertion is
    // the check, so the no-unsafe-* family would only add casts.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Fakes implement async interfaces without awaiting, and Node servers take async handlers.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
