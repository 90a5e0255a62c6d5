// @ts-check
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import { tsImport } from 'tsx/esm/api';
import tseslint from 'typescript-eslint';

/** @type {{ boundaries: import('eslint').ESLint.Plugin }} */
const { boundaries } = await tsImport('./lint/boundaries.ts', import.meta.url);

export default tseslint.config(
  { ignores: ['node_modules', '.stack', 'reports', 'dist', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'simple-import-sort': simpleImportSort, prestacop: boundaries },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Expected failures are tagged values ({ _tag: 'PortFailure', ... }), not Error subclasses (STYLE §5).
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      // Actors never import each other; runtime imports nothing of ours; analysis no actor internals (STYLE §1).
      // Each file's part comes from its path (lint/boundaries.ts), so a new actor needs no line here.
      'prestacop/boundaries': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The console page's script (its own tsconfig, with the DOM): no Node, and only types from the server side.
    files: ['actors/operator-console/browser/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '../**', '!../map.ts'],
              allowTypeImports: true,
              message: 'the page script imports types, the map projection and its own folder',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', 'global', '__dirname'],
    },
  },
);
