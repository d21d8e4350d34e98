// Lint config: typescript-eslint's recommended rules over everything we write.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bin/', 'node_modules/', 'qs-jwt-quickstart/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // src/core is the library: pure, so it runs anywhere and tests need no sockets or files. I/O
    // belongs to the adapters around it (src/cli, src/emulator, src/probe).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'fs/promises',
            'net',
            'http',
            'https',
            'http2',
            'tls',
            'dgram',
            'child_process',
            'worker_threads',
            'process',
          ]
            .flatMap((name) => [name, `node:${name}`])
            .map((name) => ({
              name,
              message:
                'src/core is pure: do I/O in an adapter (src/cli, src/emulator, src/probe) and pass the data in.',
            })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core is pure: take what you need from process as a parameter.' },
      ],
    },
  },
  {
    // The workbench's front end runs in the browser (bundled by build-cli.mjs).
    files: ['src/workbench/web/**/*.ts'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'navigator',
          'fetch',
          'HTMLElement',
          'Node',
          'Element',
          'Event',
          'EventListener',
          'HTMLInputElement',
          'HTMLTextAreaElement',
          'HTMLSelectElement',
          'HTMLButtonElement',
          'HTMLAnchorElement',
          'HTMLUListElement',
          'HTMLElementTagNameMap',
          'HTMLElementEventMap',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The CLI entry is CommonJS (bin/package.json): start-up skips the ESM loader.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
