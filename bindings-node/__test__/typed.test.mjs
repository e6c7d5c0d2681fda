// `tsc --noEmit --strict` over a typed usage file that imports the package by name (through its
// own `exports` map), including @ts-expect-error lines that fail if the types are too loose.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { ONCE } from './engine.mjs'

const pkg = fileURLToPath(new URL('..', import.meta.url))

test('tsc --noEmit --strict over the typed usage files (CommonJS and ESM)', { skip: ONCE }, () => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
  const run = spawnSync(process.execPath, [tsc, '-p', '__test__/typed/tsconfig.json', '--noEmit', '--strict'], {
    cwd: pkg,
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
})
