// The two implementations of the main entry (the native addon and the pure-JS fallback) and the
// WebCrypto entry give the same result, the same code, the same scheme and the same message, on
// every shared vector, every request case and a set of odd headers; the fallback is chosen as
// the README says (QONTO_WEBHOOKS_IMPLEMENTATION, or no addon), never with an error that blames npm.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import * as web from '../web.mjs'
import { implementation } from '../index.mjs'
import { loadVectors } from './vectors.mjs'

const require = createRequire(import.meta.url)
const js = require('../fallback.js')
const pkg = fileURLToPath(new URL('..', import.meta.url))
const wanted = process.env.QONTO_WEBHOOKS_IMPLEMENTATION

let native
try {
  native = require('../binding.js')
} catch {
  native = undefined
}

test('the implementation in use is the one asked for', () => {
  assert.equal(implementation, wanted === 'js' ? 'js' : native === undefined ? 'js' : 'native')
})

test('rules.cjs and idempotency.cjs are generated from their .mjs', () => {
  execFileSync(process.execPath, [join(pkg, 'scripts', 'rules-cjs.mjs'), '--check'], { encoding: 'utf8' })
})

/** What a private engine's business or onboarding verification gives: a result or the rejection. */
function engine(e, secrets, tolerance, scheme, body, header, now) {
  let handle
  try {
    handle = e.newVerifier(secrets, tolerance, 'business')
  } catch (err) {
    return { code: err.code, message: err.message }
  }
  try {
    const packed = scheme === 'onboarding' ? e.verifyOnboardingBytes(handle, body, header) : e.verifyBytes(handle, body, header, now)
    if (Number.isNaN(packed)) return { ...e.takeRejection() }
    return { packed }
  } catch (err) {
    return { code: err.code, message: err.message }
  }
}

async function webOutcome(secrets, tolerance, scheme, body, header, now) {
  try {
    const v = new web.Verifier(secrets, { tolerance })
    const r = scheme === 'onboarding' ? await v.verifyOnboardingAsync(body, header) : await v.verifyAsync(body, header, { now })
    return { secretIndex: r.secretIndex }
  } catch (err) {
    return { code: err.code, message: err.message, scheme: err.scheme }
  }
}

const SECRET = 'whsec_public_example_secret_0123456789abcdef'
const NOW = 1735689600
const BODY = Buffer.from('{"id":"e1","type":"v1/transactions"}')
const MAC = js.nativeSign(SECRET, BODY, NOW).split('v1=')[1]

// Headers that reach every branch of the parser, the window and the length limit.
const ODD = [
  '',
  ' \t ',
  ',',
  't=1,',
  `t=${NOW},v1=${MAC}`,
  ` t=${NOW} , v1=${MAC} `,
  `t=${NOW},v1=${MAC.toUpperCase()}`,
  `t=${NOW},v1=${MAC}x`,
  `t=${NOW},v1=${MAC.slice(1)}`,
  `t=${NOW}x,v1=${MAC}`,
  `t=-${NOW},v1=${MAC}`,
  `t=${NOW}.5,v1=${MAC}`,
  `t=,v1=${MAC}`,
  `t=${NOW},t=${NOW},v1=${MAC}`,
  `t=99999999999999999999,v1=${MAC}`,
  `t=99999999999999999999x,v1=${MAC}`,
  `t=18446744073709551615,v1=${MAC}`,
  `t=00000000000000000000000${NOW},v1=${MAC}`,
  `t=${NOW}`,
  `v1=${MAC}`,
  `v0=zz,t=${NOW},v2=,v1=${MAC}`,
  `t =${NOW},v1=${MAC}`,
  `T=${NOW},v1=${MAC}`,
  `t=${NOW},v1=${'0'.repeat(64)},v1=${MAC}`,
  `t=${NOW},v1=${MAC},garbage`,
  `t=${NOW - 301},v1=${MAC}`,
  `t=${NOW + 301},v1=${MAC}`,
  `t=${NOW}é,v1=${MAC}`,
  `t=${NOW},v1=${MAC},x=${'é'.repeat(2100)}`,
  `t=${NOW},v1=${MAC},x=${'a'.repeat(4096)}`,
  MAC,
  `sha256=${MAC}`,
  `  ${MAC}\t`,
  '\u00a0' + MAC,
  `t=${NOW},v1=${MAC}\0`,
]

test('native, fallback and web agree on every vector and odd header, messages included', async (t) => {
  if (native === undefined) {
    t.skip('the native addon does not load here: only the fallback and web are compared (below)')
    return
  }
  const cases = loadVectors().map((v) => [v.name, v.secrets, v.tolerance ?? 'disabled', v.scheme, v.body, v.header, v.now])
  for (const header of ODD) {
    for (const scheme of ['business', 'onboarding']) cases.push([header.slice(0, 40), [SECRET], 300, scheme, BODY, header, NOW])
  }
  cases.push(['no secret', [], 300, 'business', BODY, ODD[4], NOW])
  cases.push(['empty secret', [SECRET, ''], 300, 'business', BODY, ODD[4], NOW])
  cases.push(['nine secrets', Array(9).fill(SECRET), 300, 'business', BODY, ODD[4], NOW])
  for (const [name, secrets, tolerance, scheme, body, header, now] of cases) {
    const n = engine(native, secrets, tolerance, scheme, body, header, now)
    const j = engine(js, secrets, tolerance, scheme, body, header, now)
    assert.deepEqual(j, n, `${scheme} ${name}`)
    const w = await webOutcome(secrets, tolerance, scheme, body, header, now)
    if (n.code === undefined) {
      const index = scheme === 'onboarding' ? n.packed : n.packed >= 0 ? n.packed % 8 : -n.packed - 1
      assert.deepEqual(w, { secretIndex: index }, `web ${scheme} ${name}`)
    } else {
      assert.equal(w.code, n.code, `web ${scheme} ${name}`)
      assert.equal(w.message, n.message, `web ${scheme} ${name}`)
    }
  }
})

test('native and fallback agree on every request case, messages included', (t) => {
  if (native === undefined) {
    t.skip('the native addon does not load here')
    return
  }
  const cases = JSON.parse(readFileSync(new URL('../../testkit/vectors/requests.json', import.meta.url), 'utf8'))
  for (const c of cases) {
    const run = (e) => {
      const handle = e.newVerifier(c.secrets, c.tolerance ?? 'disabled', c.schemes)
      const packed = e.verifyRequestBytes(handle, Buffer.from(c.body_b64, 'base64'), c.business ?? undefined, c.onboarding ?? undefined, c.now)
      return Number.isNaN(packed) ? { ...e.takeRejection() } : { packed }
    }
    assert.deepEqual(run(js), run(native), c.name)
  }
})

test('native and fallback diagnose a failure alike', (t) => {
  if (native === undefined) {
    t.skip('the native addon does not load here')
    return
  }
  const body = '{"id":"e1","data":{"name":"Société ☕","n":[1,2]}}'
  const header = js.nativeSign(SECRET, body, NOW)
  const pretty = JSON.stringify(JSON.parse(body), null, 2)
  const cases = [
    [[SECRET], false, header, body, NOW],
    [[SECRET], false, header, pretty, NOW],
    [[SECRET], false, header, body + '\n', NOW],
    [[SECRET.slice(6)], false, header, body, NOW],
    [[SECRET + '\n'], false, header, body, NOW],
    [['other', SECRET], false, header, body.replace('e1', 'e2'), NOW],
    [[SECRET], false, header, body, NOW + 900],
    [[SECRET], false, js.nativeSign(SECRET, body, NOW * 1000), body, NOW],
    [[SECRET], false, js.nativeSignOnboarding(SECRET, body), body, NOW],
    [[SECRET], true, header, body, NOW],
    [[SECRET], true, js.nativeSignOnboarding(SECRET, JSON.stringify(JSON.parse(body))), body, NOW],
    [[SECRET], false, `t=${NOW},v1=${js.nativeSignOnboarding(SECRET, body)}`, body, NOW],
    [[SECRET], false, 'garbage', body, NOW],
    [[], false, header, body, NOW],
  ]
  for (const args of cases) {
    assert.deepEqual(js.nativeDiagnose(...args, 300), { ...native.nativeDiagnose(...args, 300) }, JSON.stringify(args).slice(0, 80))
  }
})

test('QONTO_WEBHOOKS_IMPLEMENTATION chooses; a package without its addon falls back to js, never blaming npm', (t) => {
  const run = (dir, value) => {
    const env = { ...process.env }
    delete env.QONTO_WEBHOOKS_IMPLEMENTATION
    if (value !== undefined) env.QONTO_WEBHOOKS_IMPLEMENTATION = value
    return spawnSync(process.execPath, ['-e', "console.log(require('./index.js').implementation)"], { cwd: dir, env, encoding: 'utf8' })
  }
  const forced = run(pkg, 'js')
  assert.equal(forced.stdout.trim(), 'js', forced.stderr)
  const bogus = run(pkg, 'rust')
  assert.notEqual(bogus.status, 0)
  assert.match(bogus.stderr, /QONTO_WEBHOOKS_IMPLEMENTATION must be 'native' or 'js'/)
  if (native !== undefined) assert.equal(run(pkg, 'native').stdout.trim(), 'native')

  // The package's JavaScript without any .node file and without a platform package, as npm
  // installs it on a platform that has none.
  const bare = mkdtempSync(join(tmpdir(), 'qonto-webhooks-bare-'))
  t.after(() => rmSync(bare, { recursive: true, force: true }))
  mkdirSync(join(bare, 'lib'))
  const files = ['index.js', 'lib/native.js', 'lib/errors.js', 'lib/args.js', 'lib/verifier.js', 'lib/express.js', 'lib/receive.js', 'lib/fetch.js', 'binding.js', 'fallback.js', 'diagnose.js']
  for (const f of [...files, 'rules.cjs', 'contract.cjs', 'idempotency.cjs', 'payloads.cjs', 'http.cjs', 'package.json']) copyFileSync(join(pkg, f), join(bare, f))
  const fallback = run(bare, undefined)
  assert.equal(fallback.status, 0, fallback.stderr)
  assert.equal(fallback.stdout.trim(), 'js')
  assert.equal(fallback.stderr, '')
  const required = run(bare, 'native')
  assert.notEqual(required.status, 0)
  assert.match(required.stderr, /ERR_QONTO_IMPLEMENTATION/)
  assert.match(required.stderr, /no native addon of qonto-webhooks loads/)
  assert.doesNotMatch(required.stderr, /npm has a bug/)
})
