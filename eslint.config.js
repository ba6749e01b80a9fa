// Lint rules for the whole monorepo; the protocol core additionally may not reach for globals.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const coreForbiddenGlobals = [
  { name: 'crypto', message: 'Core is pure: take a CryptoSuite or RandomSource as a parameter.' },
  { name: 'fetch', message: 'Core does no I/O.' },
  { name: 'process', message: 'Core reads no environment.' },
  { name: 'setTimeout', message: 'Core reads no clock; pass time in.' },
  { name: 'setInterval', message: 'Core reads no clock; pass time in.' },
  { name: 'localStorage', message: 'Core does no I/O.' },
  { name: 'indexedDB', message: 'Core does no I/O.' },
];

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'test-results/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // TypeScript (with checkJs) already reports undefined names, with types.
      'no-undef': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'No export * barrels: export names explicitly.',
        },
      ],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...coreForbiddenGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Core reads no clock; pass time in.' },
        { object: 'Math', property: 'random', message: 'Core takes a RandomSource.' },
        { object: 'globalThis', property: 'crypto', message: 'Core takes a CryptoSuite.' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'Core is isomorphic: no Node built-ins.' }] },
      ],
    },
  },
);
