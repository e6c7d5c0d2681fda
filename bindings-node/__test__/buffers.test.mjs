// Buffers that change after the call (issue 14, item 6) and the replay window switched off only by
// name (item 11): every case here let a body through that was not the one signed, or turned the
// window off by accident, before the fix.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Verifier, WebhookVerificationError, sign } from '../index.mjs'
import * as web from '../web.mjs'

import { engine as native } from './engine.mjs'

const SECRET = 'whsec_buffers_test_secret'
const NOW = 1735689600
const SIGNED = '{"id":"e1","type":"v1/transactions","data":{"amount":"10.00"}}'
const FAKE = '{"id":"e1","type":"v1/transactions","data":{"amount":"99.99"}}'
assert.equal(SIGNED.length, FAKE.length)
const HEADER = sign(SECRET, SIGNED, { timestamp: NOW })
const ONBOARDING = sign(SECRET, SIGNED, { scheme: 'onboarding' })

async function webCode(promise) {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof web.WebhookVerificationError, `not a WebhookVerificationError: ${err}`)
    return err.code
  }
  return 'ok'
}

function detached(length) {
  const bytes = new Uint8Array(length)
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] })
  return bytes
}

test('web: a chunk overwritten after update() is checked as it was fed', async () => {
  const w = new web.Verifier(SECRET)
  const fed = Buffer.from(FAKE)
  const state = w.start(HEADER, { now: NOW }).update(fed)
  fed.write(SIGNED) // the caller reuses its buffer before finishing
  assert.equal(await webCode(state.finishAsync()), 'signature_mismatch')
  const onboardingFed = Buffer.from(FAKE)
  const o = w.startOnboarding(ONBOARDING).update(onboardingFed)
  onboardingFed.write(SIGNED)
  assert.equal(await webCode(o.finishAsync()), 'signature_mismatch')
})

test('web: a body overwritten before the await resolves is checked as it was given', async () => {
  const w = new web.Verifier(SECRET)
  for (const run of [
    (b) => w.verifyOnboardingAsync(b, ONBOARDING),
    (b) => w.verifyAsync(b, HEADER, { now: NOW }),
    (b) => w.verifyRequestAsync({ 'x-qonto-signature': HEADER }, b, { now: NOW }),
  ]) {
    const body = Buffer.from(FAKE)
    const pending = run(body)
    body.write(SIGNED)
    assert.equal(await webCode(pending), 'signature_mismatch', run.toString())
  }
})

test('web: constructEventAsync parses the bytes it verified, not what the buffer holds later', async () => {
  const w = new web.Verifier(SECRET)
  for (const run of [
    (b) => w.constructEventAsync(b, HEADER, { now: NOW }),
    (b) => w.constructOnboardingEventAsync(b, ONBOARDING),
    (b) => w.constructEventFromRequestAsync({ 'x-qonto-signature': HEADER }, b, { now: NOW }),
  ]) {
    const body = Buffer.from(SIGNED)
    const pending = run(body)
    body.write(FAKE) // after the call: the event must still be the signed one
    const got = await pending
    const event = got.event ?? got
    assert.equal(event.data.amount, '10.00', run.toString())
  }
})

test('web: a secret overwritten after the constructor is the secret given', async () => {
  const secret = Buffer.from(SECRET)
  const w = new web.Verifier(secret)
  secret.fill(0x41)
  assert.equal((await w.verifyAsync(SIGNED, HEADER, { now: NOW })).secretIndex, 0)
})

test('native: a detached body is a TypeError, not the empty body', () => {
  const v = new Verifier(SECRET)
  const empty = sign(SECRET, '', { timestamp: NOW })
  assert.throws(() => v.verify(detached(64), empty, { now: NOW }), TypeError)
  assert.throws(() => v.verify(detached(0), empty, { now: NOW }), TypeError)
  assert.throws(() => v.verifyOnboarding(detached(8), sign(SECRET, '', { scheme: 'onboarding' })), TypeError)
  assert.throws(() => v.start(empty, { now: NOW }).update(detached(8)), TypeError)
  assert.throws(() => v.verify(detached(8).buffer, empty, { now: NOW }), TypeError)
  assert.throws(() => new Verifier(detached(8)), TypeError)
  assert.throws(() => sign(detached(8), SIGNED), TypeError)
  // The private native functions refuse it too.
  const handle = native.newVerifier([SECRET], 300, 'business')
  assert.throws(() => native.verifyBytes(handle, detached(8), empty, NOW), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.verifyOnboardingBytes(handle, detached(8), 'x'), (e) => e.code === 'InvalidArg')
  // A genuinely empty body still verifies.
  assert.equal(v.verify(new Uint8Array(0), empty, { now: NOW }).secretIndex, 0)
  assert.equal(v.verify(Buffer.alloc(0), empty, { now: NOW }).secretIndex, 0)
})

test('native: bodies and secrets in a SharedArrayBuffer are copied before the core reads them', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(SIGNED.length))
  shared.set(Buffer.from(SIGNED))
  const v = new Verifier(SECRET)
  assert.equal(v.verify(shared, HEADER, { now: NOW }).secretIndex, 0)
  assert.equal(v.verify(shared.buffer, HEADER, { now: NOW }).secretIndex, 0)
  assert.equal(v.verifyOnboarding(new DataView(shared.buffer), ONBOARDING).secretIndex, 0)
  assert.equal(v.start(HEADER, { now: NOW }).update(shared).finish().secretIndex, 0)
  assert.equal(v.constructEvent(shared, HEADER, { now: NOW }).data.amount, '10.00')
  const sharedSecret = new Uint8Array(new SharedArrayBuffer(SECRET.length))
  sharedSecret.set(Buffer.from(SECRET))
  assert.equal(new Verifier(sharedSecret).verify(SIGNED, HEADER, { now: NOW }).secretIndex, 0)
  assert.equal(sign(sharedSecret, shared, { timestamp: NOW }), HEADER)
  // The private native functions never read shared memory in place: they refuse it.
  const handle = native.newVerifier([SECRET], 300, 'business')
  assert.throws(() => native.verifyBytes(handle, shared, HEADER, NOW), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.verifyOnboardingBytes(handle, shared, ONBOARDING), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.newVerifier([sharedSecret], 300, 'business'), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.nativeSign(sharedSecret, 'x', NOW), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.start(handle, HEADER, NOW).updateBytes(shared), (e) => e.code === 'InvalidArg')
})

test('native: constructEvent parses the very bytes it verified', () => {
  const v = new Verifier(SECRET)
  // A DataView whose `buffer` answers the signed bytes once, then other bytes.
  const signed = Buffer.from(SIGNED)
  const fake = Buffer.from(FAKE)
  for (const run of [
    (b) => v.constructEvent(b, HEADER, { now: NOW }),
    (b) => v.constructOnboardingEvent(b, ONBOARDING),
    (b) => v.constructEventFromRequest({ 'x-qonto-signature': HEADER }, b, { now: NOW }).event,
  ]) {
    const view = new DataView(new ArrayBuffer(SIGNED.length))
    let reads = 0
    Object.defineProperty(view, 'buffer', { get: () => (reads++ === 0 ? signed.buffer : fake.buffer) })
    Object.defineProperty(view, 'byteOffset', { get: () => (reads <= 1 ? signed.byteOffset : fake.byteOffset) })
    let event
    try {
      event = run(view)
    } catch (err) {
      assert.ok(err instanceof WebhookVerificationError, String(err))
      continue
    }
    assert.equal(event.data.amount, '10.00', run.toString())
  }
})

test("tolerance: only 'disabled' switches the window off; null and undefined mean the default", async () => {
  const stale = sign(SECRET, SIGNED, { timestamp: NOW - 10_000 })
  for (const tolerance of [undefined, null]) {
    const v = new Verifier(SECRET, { tolerance })
    assert.equal(v.tolerance, 300, String(tolerance))
    assert.throws(() => v.verify(SIGNED, stale, { now: NOW }), (e) => e.code === 'timestamp_too_old', String(tolerance))
    const w = new web.Verifier(SECRET, { tolerance })
    assert.equal(w.tolerance, 300)
    assert.equal(await webCode(w.verifyAsync(SIGNED, stale, { now: NOW })), 'timestamp_too_old')
  }
  const off = new Verifier(SECRET, { tolerance: 'disabled' })
  assert.equal(off.tolerance, 'disabled')
  assert.equal(off.verify(SIGNED, stale, { now: NOW }).secretIndex, 0)
  const webOff = new web.Verifier(SECRET, { tolerance: 'disabled' })
  assert.equal(webOff.tolerance, 'disabled')
  assert.equal((await webOff.verifyAsync(SIGNED, stale, { now: NOW })).secretIndex, 0)
  for (const bad of [-1, -300, Number.NaN, Infinity, 1.5, 2 ** 64]) {
    assert.throws(() => new Verifier(SECRET, { tolerance: bad }), RangeError, String(bad))
    assert.throws(() => new web.Verifier(SECRET, { tolerance: bad }), RangeError, String(bad))
  }
  for (const bad of ['off', 'Disabled', '300', false, 0n, {}]) {
    assert.throws(() => new Verifier(SECRET, { tolerance: bad }), TypeError, String(bad))
    assert.throws(() => new web.Verifier(SECRET, { tolerance: bad }), TypeError, String(bad))
  }
  // The private native function: null is not a way to say disabled either.
  assert.throws(() => native.newVerifier([SECRET], null, 'business'), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.newVerifier([SECRET], -1, 'business'), (e) => e.code === 'InvalidArg')
  assert.equal(native.verifierTolerance(native.newVerifier([SECRET], 'disabled', 'business')), 'disabled')
})

test('native seconds: 2^64 is out of range (the largest u64 is 2^64 - 1)', () => {
  assert.throws(() => native.newVerifier([SECRET], 2 ** 64, 'business'), (e) => e.code === 'InvalidArg')
  const handle = native.newVerifier([SECRET], 300, 'business')
  assert.throws(() => native.verifyBytes(handle, Buffer.from(SIGNED), HEADER, 2 ** 64), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.start(handle, HEADER, 2 ** 64), (e) => e.code === 'InvalidArg')
  assert.throws(() => native.nativeSign(SECRET, 'x', 2 ** 64), (e) => e.code === 'InvalidArg')
  // The largest double below 2^64 is still accepted.
  const below = 2 ** 64 - 2 ** 11
  assert.ok(Number.isFinite(native.verifierTolerance(native.newVerifier([SECRET], below, 'business'))))
})
