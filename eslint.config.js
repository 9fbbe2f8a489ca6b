import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'libs/*/dist/**', 'examples/*/dist/**', 'examples/*/node_modules/**', 'tools/elasticsearch/target/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Election code gets time only from the injected Clock (docs/architecture.md, rule 12): no wall clock,
    // no timers of its own, so every deadline is monotonic and every test runs on a fake clock.
    files: ['libs/ha/src/election/**/*.ts'],
    ignores: ['libs/ha/src/election/**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'use the injected Clock (monotonic now(), wallNow() for display)' },
        { object: 'performance', property: 'now', message: 'use the injected Clock' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use Clock.sleep' },
        { name: 'setInterval', message: 'use Clock.sleep in a loop' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use the injected Clock' }],
    },
  },
);
