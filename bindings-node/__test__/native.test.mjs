// The private native module called directly, as index.js never would: every wrong argument must
// come back as a TypeError (code InvalidArg), never a crash, and every odd but valid body must
// verify the same bytes as a plain Buffer. The verify functions read their arguments through raw
// Node-API calls (src/fast.rs), so these are the tests of that code's checks.
//
// Under the pure-JS fallback (QONTO_WEBHOOKS_IMPLEMENTATION=js) these tests are skipped: they test
// the addon's own argument reading and handles, which the fallback does not have.
import { test as nodeTest } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { NATIVE_ONLY } from './engine.mjs'

const require = createRequire(import.meta.url)
const native = NATIVE_ONLY ? undefined : require('../binding.js')
const test = (name, fn) => nodeTest(name, { skip: NATIVE_ONLY }, fn)

const SECRET = 'whsec_public_example_secret_0123456789abcdef'
const NOW = 1735689600
const BODY = Buffer.from('{"id":"0193e5a8","type":"v1/transactions"}')
const HEADER = native?.nativeSign(SECRET, BODY, NOW)
const handle = native?.newVerifier([SECRET], 300, 'business')
const both = native?.newVerifier([SECRET], 300, 'both')

/** The secret index a packed business result carries, or the rejection's code. */
function business(packed) {
  if (Number.isNaN(packed)) return native.takeRejection().code
  assert.equal((packed - (packed % 8)) / 8, NOW)
  return packed % 8
}

// The verify functions throw a TypeError; the napi-rs ones an Error, which index.js converts.
function invalidArg(run, what) {
  assert.throws(run, (err) => err instanceof Error && err.code === 'InvalidArg', what)
}

test('the four verify functions accept what index.js passes', () => {
  assert.equal(business(native.verifyBytes(handle, BODY, HEADER, NOW)), 0)
  assert.equal(business(native.verifyString(handle, BODY.toString(), HEADER, NOW)), 0)
  assert.equal(business(native.verifyBytes(handle, BODY, HEADER, NOW + 301)), 'timestamp_too_old')
  const onboarding = native.nativeSignOnboarding(SECRET, BODY)
  assert.equal(native.verifyOnboardingBytes(handle, BODY, onboarding), 0)
  assert.equal(native.verifyOnboardingString(handle, BODY.toString(), onboarding), 0)
  assert.ok(Number.isNaN(native.verifyOnboardingBytes(handle, BODY.subarray(1), onboarding)))
  assert.equal(native.takeRejection().code, 'signature_mismatch')
})

test('-1 reads the clock', () => {
  const now = Math.floor(Date.now() / 1000)
  const header = native.nativeSign(SECRET, BODY, now)
  const packed = native.verifyBytes(handle, BODY, header, -1)
  assert.equal((packed - (packed % 8)) / 8, now)
  const stale = native.nativeSign(SECRET, BODY, now - 400)
  assert.equal(business(native.verifyBytes(handle, BODY, stale, -1)), 'timestamp_too_old')
})

test('a view verifies exactly its own bytes, wherever they sit', () => {
  // A view into the middle of a larger buffer: the byte offset must be applied.
  const big = Buffer.concat([Buffer.from('garbage-before'), BODY, Buffer.from('garbage-after')])
  const view = big.subarray(14, 14 + BODY.length)
  assert.equal(business(native.verifyBytes(handle, view, HEADER, NOW)), 0)
  const shifted = big.subarray(13, 13 + BODY.length)
  assert.equal(business(native.verifyBytes(handle, shifted, HEADER, NOW)), 'signature_mismatch')
  // A small typed array V8 keeps on its heap, and a plain (non-Buffer) Uint8Array.
  const small = new Uint8Array([0x7b, 0x7d])
  assert.equal(business(native.verifyBytes(handle, small, native.nativeSign(SECRET, '{}', NOW), NOW)), 0)
  assert.equal(business(native.verifyBytes(handle, new Uint8Array(BODY), HEADER, NOW)), 0)
})

test('empty bodies are empty; detached ones are refused, not verified as empty', () => {
  const empty = native.nativeSign(SECRET, '', NOW)
  assert.equal(business(native.verifyBytes(handle, new Uint8Array(0), empty, NOW)), 0)
  assert.equal(business(native.verifyBytes(handle, Buffer.alloc(0), empty, NOW)), 0)
  const detached = new Uint8Array(64)
  structuredClone(detached.buffer, { transfer: [detached.buffer] })
  assert.equal(detached.length, 0)
  invalidArg(() => native.verifyBytes(handle, detached, empty, NOW), 'detached')
  invalidArg(() => native.verifyOnboardingBytes(handle, detached, 'x'), 'detached')
  invalidArg(() => native.verifyRequestBytes(both, detached, empty, undefined, NOW), 'detached')
  invalidArg(() => native.nativeSign(SECRET, detached, NOW), 'detached')
})

test('the request functions: the configured schemes pick the header, the result says which', () => {
  const onboarding = native.nativeSignOnboarding(SECRET, BODY)
  // Business: packed as verifyBytes packs it.
  assert.equal(business(native.verifyRequestBytes(handle, BODY, HEADER, undefined, NOW)), 0)
  assert.equal(business(native.verifyRequestString(handle, BODY.toString(), HEADER, null, NOW)), 0)
  // Onboarding: -(9 + secret index).
  assert.equal(native.verifyRequestBytes(both, BODY, undefined, onboarding, NOW), -9)
  assert.equal(native.verifyRequestBytes(both, BODY, ' \t', onboarding, NOW), -9)
  // The default endpoint never reads the onboarding header.
  assert.ok(Number.isNaN(native.verifyRequestBytes(handle, BODY, undefined, onboarding, NOW)))
  const r = native.takeRejection()
  assert.equal(r.code, 'missing_header')
  assert.equal(r.scheme, 'business')
  assert.match(r.message, /accepts business webhooks only/)
  for (const header of [1, {}, ['a'], BODY]) {
    invalidArg(() => native.verifyRequestBytes(both, BODY, header, undefined, NOW), `business header ${String(header)}`)
    invalidArg(() => native.verifyRequestBytes(both, BODY, undefined, header, NOW), `onboarding header ${String(header)}`)
  }
  for (const bad of [undefined, null, {}, BODY]) {
    invalidArg(() => native.verifyRequestBytes(bad, BODY, HEADER, undefined, NOW), `handle ${String(bad)}`)
  }
  invalidArg(() => native.verifyRequestBytes(both, 'x', HEADER, undefined, NOW), 'string body to the bytes function')
  invalidArg(() => native.verifyRequestString(both, BODY, HEADER, undefined, NOW), 'bytes body to the string function')
  invalidArg(() => native.verifyRequestBytes(both, BODY, HEADER, undefined, -2), 'now')
  invalidArg(() => native.newVerifier([SECRET], 300, 'all'), 'schemes')
  assert.throws(() => native.newVerifier([SECRET], 300), 'schemes absent')
  assert.equal(native.verifierSchemes(both), 'both')
})

test('headers: the limit, non-ASCII and NULs go to the core, which rejects them', () => {
  assert.equal(business(native.verifyBytes(handle, BODY, '', NOW)), 'missing_header')
  assert.equal(business(native.verifyBytes(handle, BODY, 'x'.repeat(100_000), NOW)), 'malformed_header')
  // A NUL does not end the string: the signature after it has 65 characters.
  assert.equal(business(native.verifyBytes(handle, BODY, `${HEADER}\u0000`, NOW)), 'malformed_header')
  // An Arabic-Indic digit one is not a hex digit, though its low byte (0x61) is 'a'.
  assert.equal(business(native.verifyBytes(handle, BODY, HEADER.slice(0, -1) + '\u0661', NOW)), 'malformed_header')
  assert.equal(business(native.verifyBytes(handle, BODY, `${HEADER} `.padEnd(4096, ' '), NOW)), 0)
})

test('a wrong verifier handle is refused', () => {
  for (const bad of [undefined, null, 0, 'handle', {}, [], BODY, () => {}, Symbol('x')]) {
    invalidArg(() => native.verifyBytes(bad, BODY, HEADER, NOW), `verifyBytes(${String(bad)})`)
    invalidArg(() => native.verifyString(bad, 'x', HEADER, NOW), `verifyString(${String(bad)})`)
    invalidArg(() => native.verifyOnboardingBytes(bad, BODY, 'x'), `verifyOnboardingBytes(${String(bad)})`)
    invalidArg(() => native.verifyOnboardingString(bad, 'x', 'x'), `verifyOnboardingString(${String(bad)})`)
    invalidArg(() => native.verifierTolerance(bad))
    invalidArg(() => native.verifierSecretCount(bad))
    invalidArg(() => native.start(bad, HEADER, NOW))
    invalidArg(() => native.startOnboarding(bad, 'x'))
  }
})

test('a wrong body, header or now is a TypeError', () => {
  for (const body of [undefined, null, 1, {}, [1, 2], new Uint16Array(4), new DataView(new ArrayBuffer(4)), new ArrayBuffer(4), 'string']) {
    invalidArg(() => native.verifyBytes(handle, body, HEADER, NOW), `verifyBytes body ${String(body)}`)
    invalidArg(() => native.verifyOnboardingBytes(handle, body, 'x'), `verifyOnboardingBytes body ${String(body)}`)
  }
  for (const body of [undefined, null, 1, {}, BODY]) {
    invalidArg(() => native.verifyString(handle, body, HEADER, NOW), `verifyString body ${String(body)}`)
    invalidArg(() => native.verifyOnboardingString(handle, body, 'x'), `verifyOnboardingString body ${String(body)}`)
  }
  for (const header of [undefined, null, 1, {}, ['a'], BODY]) {
    invalidArg(() => native.verifyBytes(handle, BODY, header, NOW), `header ${String(header)}`)
    invalidArg(() => native.verifyString(handle, 'x', header, NOW), `header ${String(header)}`)
    invalidArg(() => native.verifyOnboardingBytes(handle, BODY, header), `header ${String(header)}`)
  }
  for (const now of [undefined, null, '1', -2, 1.5, Number.NaN, Infinity, 2 ** 64, 2 ** 70]) {
    invalidArg(() => native.verifyBytes(handle, BODY, HEADER, now), `now ${String(now)}`)
    invalidArg(() => native.verifyString(handle, 'x', HEADER, now), `now ${String(now)}`)
  }
  invalidArg(() => native.verifyBytes(), 'no arguments')
  invalidArg(() => native.verifyBytes(handle, BODY), 'two arguments')
})

test('handles stay valid while used and are freed when collected', async () => {
  // Many short-lived verifiers, each used once: the registry must not confuse or lose them.
  for (let i = 0; i < 2000; i++) {
    const h = native.newVerifier([`${SECRET}-${i}`], 'disabled', 'business')
    const header = native.nativeSign(`${SECRET}-${i}`, BODY, NOW)
    assert.equal(business(native.verifyBytes(h, BODY, header, NOW)), 0)
    assert.equal(native.verifierTolerance(h), 'disabled')
  }
  if (typeof globalThis.gc === 'function') globalThis.gc()
  assert.equal(business(native.verifyBytes(handle, BODY, HEADER, NOW)), 0)
})
