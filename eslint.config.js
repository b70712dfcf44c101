import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.serverless', '.esbuild', '.local', 'coverage', 'bench/results', 'cli/dist'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The domain core stays pure: no AWS SDK, no middy, no environment.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '@middy/*',
            '../adapters/*',
            '../../adapters/*',
            '../functions/*',
            '../../functions/*',
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    // Configuration is parsed once, in adapters/config.ts.
    files: ['core/**/*.ts', 'functions/**/*.ts', 'templates/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration through adapters/config.ts' },
      ],
    },
  },
);
