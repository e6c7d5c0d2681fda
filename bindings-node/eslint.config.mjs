// ESLint (flat config) over the package's own JavaScript: the entries, lib/, the fallback, the
// shared ES modules, the tests, scripts, examples and the benchmark. Not linted: what is generated
// (binding.js by napi, contract.* by .ci/contract.py, rules.cjs / idempotency.cjs / http.cjs by
// scripts/rules-cjs.mjs; their sources are linted) and node_modules. The TypeScript declarations
// and the typed tests are checked by `tsc --noEmit` (npm run lint runs both).
import js from '@eslint/js'
import globals from 'globals'

export default [
  {
    ignores: ['node_modules/', 'binding.js', 'contract.cjs', 'contract.mjs', 'rules.cjs', 'idempotency.cjs', 'http.cjs', '**/*.ts', '**/*.mts'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `try { ... } catch {}` is how this code says "a failure here means: not that case" (a body
      // that is not JSON, a file not there yet); the recommended rule allows no empty catch.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The CommonJS files: index.js, lib/, the fallback, diagnose.js, the consumer check script.
    files: ['*.js', 'lib/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
]
