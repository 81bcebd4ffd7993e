import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/** The page's globals, which nothing below the UI may use (it must run in Node as well). */
const DOM_GLOBALS = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'location',
  'history',
  'requestAnimationFrame',
].map((name) => ({ name, message: `${name} is the page's: below the UI, have it injected.` }));

/** What no code below the UI imports. */
const BELOW_THE_UI = [
  { group: ['**/app/*', '**/app'], message: 'Only the UI imports src/app.' },
  { group: ['**/testing/*'], message: 'Only the test build imports src/testing.' },
  { group: ['svelte', 'svelte/*'], message: 'Below the UI, no Svelte.' },
];

/** Node-only code (worker threads, onnxruntime-node, sharp): the app's bundle never imports it. */
const NODE_ONLY = [
  {
    group: ['**/headless/*', '**/cli/*'],
    message:
      'src/headless and src/cli are Node only: only the triad command and tests import them.',
  },
];

export default ts.config(
  {
    ignores: [
      'dist/',
      'dist-test/',
      'node_modules/',
      'bench-results/',
      'test-results/',
      'playwright-report/',
      '.cache/',
      'public/models/',
      'device-pack/',
      '.gl/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Export names explicitly, not `export *`.' },
        {
          selector: "CallExpression[callee.object.name='test'][callee.property.name='only']",
          message: 'Do not commit test.only.',
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  // Folder boundaries (docs/ARCHITECTURE.md, "Who may import whom"). `npm run lint` also fails
  // on any import cycle (scripts/check-cycles.mjs).
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    ignores: ['src/app/**', 'src/testing/**', 'src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...BELOW_THE_UI, ...NODE_ONLY],
        },
      ],
    },
  },
  {
    // The Node-only folders, and the tests, may import them.
    files: ['src/cli/**/*.ts', 'src/headless/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...BELOW_THE_UI],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts', 'src/app/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/testing/*'], message: 'Only the test build imports src/testing.' },
            ...NODE_ONLY,
          ],
        },
      ],
    },
  },
  {
    // The shared vocabulary imports nothing of the app's; the scheduler only that vocabulary.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'src/core imports nothing outside itself.' }] },
      ],
    },
  },
  ...[
    ['src/scheduler/*.ts', '../'],
    ['src/scheduler/sim/*.ts', '../../'],
  ].map(([files, up]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [`${up}*`, `!${up}core`, `!${up}core/*`],
              message: 'The scheduler is pure TypeScript: it imports only src/core.',
            },
          ],
        },
      ],
    },
  })),
  {
    // Below the UI nothing touches the page: the session and the engine run in Node on Dawn
    // (src/session/session.test.ts), their clock and display-frame callback injected.
    files: ['src/session/**/*.ts', 'src/engine/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', ...DOM_GLOBALS] },
  },
  {
    // The scheduler and effect math must stay pure: no timers or clocks inside, and no page.
    files: ['src/effects/**/*.ts', 'src/scheduler/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        'setTimeout',
        'setInterval',
        'requestAnimationFrame',
        'performance',
        ...DOM_GLOBALS,
      ],
    },
  },
);
