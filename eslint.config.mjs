import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.fabric/**',
      'crypto-config/**',
      'coverage/**',
      'network/builders/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The regulator's dashboard runs in the browser as a classic script.
    files: ['gateway-api/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    // Chaincode must be deterministic: every peer has to compute the same result from the same input.
    files: ['chaincode/src/**/*.ts'],
    ignores: ['chaincode/src/**/*.test.ts', 'chaincode/src/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Use the transaction timestamp (ctx.stub.getTxTimestamp()).' },
        { name: 'setTimeout', message: 'No timers in chaincode.' },
        { name: 'setInterval', message: 'No timers in chaincode.' },
        { name: 'setImmediate', message: 'No timers in chaincode.' },
        { name: 'fetch', message: 'No network calls in chaincode.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'No randomness in chaincode.' },
        { object: 'process', property: 'env', message: 'No environment reads in chaincode.' },
        { object: 'Date', property: 'now', message: 'Use the transaction timestamp.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'http', 'node:http', 'https', 'node:https'].map(
              (name) => ({ name, message: 'No I/O in chaincode.' }),
            ),
            ...['net', 'node:net', 'child_process', 'node:child_process'].map((name) => ({
              name,
              message: 'No I/O in chaincode.',
            })),
            ...['crypto', 'node:crypto'].map((name) => ({
              name,
              importNames: ['randomBytes', 'randomUUID', 'randomInt', 'getRandomValues', 'generateKeyPair'],
              message: 'No randomness in chaincode (hashing is fine).',
            })),
          ],
        },
      ],
    },
  },
);
