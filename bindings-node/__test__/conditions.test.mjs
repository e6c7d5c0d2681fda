// The edge entry must never turn a rejection into a pass (issue 14, item 1). Under every export
// condition a runtime may set (workerd, edge-light, worker, deno, browser, as `node -C` does, and
// Jest with jsdom takes `browser`), the snippet
//     try { verifier.verify(forged, header) } catch { reject() }
// rejects synchronously, through the bare import and through `qonto-webhooks/web` alike; and the
// types each condition resolves describe what it loads (tsc with each `customConditions`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { ONCE } from './engine.mjs'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const CONDITIONS = [undefined, 'workerd', 'edge-light', 'worker', 'deno', 'browser']

// Run from inside the package, so that `qonto-webhooks` resolves through its own exports map.
const SNIPPET = (load) => `
${load}
process.on('unhandledRejection', () => { console.log('unhandled rejection'); process.exit(3) })
const forged = '{"amount":"1000000.00"}'
const header = 't=1735689600,v1=' + '0'.repeat(64)
let outcome = 'processed'
try {
  const r = new m.Verifier('whsec_secret').verify(forged, header, { now: 1735689600 })
  if (r !== null && typeof r === 'object' && typeof r.then === 'function') outcome = 'processed (a Promise)'
} catch (err) {
  outcome = 'rejected'
}
console.log(outcome)
`

function run(condition, args) {
  const flags = condition === undefined ? [] : [`--conditions=${condition}`]
  return spawnSync(process.execPath, [...flags, ...args], { cwd: pkg, encoding: 'utf8' })
}

for (const condition of CONDITIONS) {
  const label = condition ?? 'no condition'
  test(`${label}: the forged webhook is rejected synchronously, whichever entry`, () => {
    const entries = [
      ['import qonto-webhooks', ['--input-type=module', '-e', SNIPPET("import * as m from 'qonto-webhooks'")]],
      ['require qonto-webhooks', ['-e', SNIPPET("const m = require('qonto-webhooks')")]],
      ['import qonto-webhooks/web', ['--input-type=module', '-e', SNIPPET("import * as m from 'qonto-webhooks/web'")]],
    ]
    for (const [what, args] of entries) {
      const r = run(condition, args)
      assert.equal(r.stdout.trim(), 'rejected', `${label}, ${what}: ${r.stdout}${r.stderr}`)
      assert.equal(r.status, 0, `${label}, ${what}: ${r.stderr}`)
    }
  })

  test(`${label}: the bare import is the native entry`, () => {
    const r = run(condition, ['--input-type=module', '-e', "import * as m from 'qonto-webhooks'; console.log(typeof m.qontoWebhook, typeof m.Verifier.prototype.verifyAsync)"])
    assert.equal(r.stdout.trim(), 'function undefined', `${label}: ${r.stderr}`)
  })
}

test('the web entry: every synchronous name of the native entry throws at once', async () => {
  const web = await import('../web.mjs')
  const v = new web.Verifier('s')
  for (const name of ['verify', 'verifyOnboarding', 'verifyRequest', 'constructEvent', 'constructOnboardingEvent', 'constructEventFromRequest']) {
    assert.throws(() => v[name]('{}', 'x'), (err) => err instanceof TypeError && err.code === 'ERR_QONTO_ASYNC_ENTRY' && err.message.includes(`${name}Async`), name)
  }
  assert.throws(() => v.start(`t=1,v1=${'0'.repeat(64)}`, { now: 1 }).update('x').finish(), (err) => err.code === 'ERR_QONTO_ASYNC_ENTRY')
  assert.throws(() => web.sign('s', 'x'), (err) => err.code === 'ERR_QONTO_ASYNC_ENTRY')
  assert.equal(web.default.sign, web.sign)
})

// What `tsc -p <config> [--customConditions <condition>]` reports, in this process: the twelve
// programs of one moduleResolution share the files they parse (the libraries' declarations, as
// tsc's own watch mode shares them), so they take seconds, not the minute twelve tsc runs take.
const ts = createRequire(import.meta.url)('typescript')
const parsed = new Map()
function typeErrors(config, condition) {
  const path = join(pkg, config)
  const { config: json } = ts.readConfigFile(path, ts.sys.readFile)
  const overrides = condition === undefined ? {} : { customConditions: [condition] }
  const { options, fileNames, errors } = ts.parseJsonConfigFileContent(json, ts.sys, dirname(path), overrides, path)
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile
  host.getSourceFile = (fileName, version, ...rest) => {
    const key = `${config}\0${fileName}`
    if (!parsed.has(key)) parsed.set(key, read.call(host, fileName, version, ...rest))
    return parsed.get(key)
  }
  const diagnostics = [...errors, ...ts.getPreEmitDiagnostics(ts.createProgram({ rootNames: fileNames, options, host }))]
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => pkg, getNewLine: () => '\n' })
}

for (const resolution of ['bundler', 'node16']) {
  for (const condition of CONDITIONS) {
    test(`tsc, moduleResolution ${resolution}, customConditions ${condition ?? '(none)'}: the types match what loads`, { skip: ONCE }, () => {
      assert.equal(typeErrors(`__test__/typed/tsconfig.${resolution}.json`, condition), '')
    })
  }
}
