// The public API of both entries: every code, input types, wrong types, headers, events, errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { createHmac } from 'node:crypto'

import * as esm from '../index.mjs'
import esmDefault from '../index.mjs'
import * as web from '../web.mjs'
import { loadVectors } from './vectors.mjs'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')
const { Verifier, WebhookVerificationError, sign } = esm

const official = loadVectors().find((v) => v.name.startsWith('official business'))
const SECRET = 'whsec_public_example_secret_0123456789abcdef'
const NOW = 1735689600
const EVENT = {
  id: '0193e5a8-3a43-7c9b-9b1e-6f3f7a1d2c4e',
  subscription_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  organization_id: 'a1b2c3d4-0000-4000-8000-000000000002',
  membership_id: 'a1b2c3d4-0000-4000-8000-000000000003',
  type: 'v1/transactions',
  created_at: '2025-01-01T00:00:00Z',
  data: { event: 'transactions.created', id: 'tx-1', amount: 12.5 },
}
const BODY = JSON.stringify(EVENT)
const HEADER = sign(SECRET, BODY, { timestamp: NOW })

function code(run) {
  try {
    run()
  } catch (err) {
    assert.ok(err instanceof WebhookVerificationError, `not a WebhookVerificationError: ${err}`)
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'WebhookVerificationError')
    assert.ok(err.message.length > 20)
    assert.ok(!err.message.includes(SECRET), 'the message leaks the secret')
    return err.code
  }
  assert.fail('no error thrown')
}

async function webCode(run) {
  try {
    await run()
  } catch (err) {
    assert.ok(err instanceof web.WebhookVerificationError, `not a WebhookVerificationError: ${err}`)
    assert.ok(!err.message.includes(SECRET))
    return err.code
  }
  assert.fail('no error thrown')
}

test('the official Qonto vector verifies through CJS, ESM and the default export', () => {
  for (const m of [cjs, esm, esmDefault]) {
    const verified = new m.Verifier('test-secret').verify(official.body, official.header, { now: official.now })
    assert.deepEqual(verified, { secretIndex: 0, timestamp: 1704110400 })
  }
})

test('one error class for require and import', () => {
  assert.equal(cjs.WebhookVerificationError, esm.WebhookVerificationError)
  assert.equal(cjs.Verifier, esm.Verifier)
  const err = (() => {
    try {
      new cjs.Verifier('x').verify('{}', 't=1,v1=' + '0'.repeat(64), { now: 1 })
    } catch (e) {
      return e
    }
  })()
  assert.ok(err instanceof esm.WebhookVerificationError)
  assert.equal(err.code, 'signature_mismatch')
  assert.equal(err.scheme, 'business')
})

test('ERROR_CODES are the contract codes, the same in both entries', () => {
  assert.deepEqual(esm.ERROR_CODES, [
    'invalid_secret',
    'missing_header',
    'malformed_header',
    'missing_timestamp',
    'missing_signature',
    'timestamp_too_old',
    'timestamp_in_future',
    'signature_mismatch',
  ])
  assert.deepEqual([...web.ERROR_CODES], [...esm.ERROR_CODES])
  assert.equal(esm.DEFAULT_TOLERANCE, 300)
  assert.equal(esm.MAX_SECRETS, 8)
  assert.equal(esm.MAX_HEADER_LEN, 4096)
})

test('every code, native and web', async () => {
  const v = new Verifier(SECRET)
  const w = new web.Verifier(SECRET)
  const sig = HEADER.split(',v1=')[1]
  const cases = [
    ['missing_header', BODY, undefined],
    ['missing_header', BODY, ' \t'],
    ['malformed_header', BODY, 'garbage'],
    ['malformed_header', BODY, `t=${NOW},v1=${'0'.repeat(63)}`],
    ['malformed_header', BODY, 'x'.repeat(4097)],
    ['missing_timestamp', BODY, `v1=${sig}`],
    ['missing_signature', BODY, `t=${NOW}`],
    ['timestamp_too_old', BODY, sign(SECRET, BODY, { timestamp: NOW - 301 })],
    ['timestamp_in_future', BODY, sign(SECRET, BODY, { timestamp: NOW + 301 })],
    ['signature_mismatch', BODY + ' ', HEADER],
  ]
  for (const [want, body, header] of cases) {
    assert.equal(code(() => v.verify(body, header, { now: NOW })), want, `${want}: ${String(header).slice(0, 40)}`)
    assert.equal(await webCode(() => w.verifyAsync(body, header, { now: NOW })), want, `web ${want}`)
  }
  for (const bad of ['', [], [SECRET, ''], Array(9).fill(SECRET), undefined, null]) {
    assert.equal(code(() => new Verifier(bad)), 'invalid_secret')
    assert.equal(await webCode(() => new web.Verifier(bad)), 'invalid_secret')
  }
  assert.equal(code(() => sign('', BODY)), 'invalid_secret')
  assert.equal(await webCode(() => web.signAsync('', BODY)), 'invalid_secret')
  assert.equal(code(() => v.verifyOnboarding(BODY, 'sha256=' + sig)), 'malformed_header')
  assert.equal(code(() => v.verifyOnboarding(BODY, sig)), 'signature_mismatch')
  assert.equal(code(() => v.verifyOnboarding(BODY, '')), 'missing_header')
})

test("exactly the tolerance is accepted, one more second is not; 'disabled' disables the window", () => {
  const header = sign(SECRET, BODY, { timestamp: NOW })
  const v = new Verifier(SECRET, { tolerance: 10 })
  assert.equal(v.tolerance, 10)
  assert.equal(v.verify(BODY, header, { now: NOW + 10 }).timestamp, NOW)
  assert.equal(v.verify(BODY, header, { now: NOW - 10 }).timestamp, NOW)
  assert.equal(code(() => v.verify(BODY, header, { now: NOW + 11 })), 'timestamp_too_old')
  assert.equal(code(() => v.verify(BODY, header, { now: NOW - 11 })), 'timestamp_in_future')
  const off = new Verifier(SECRET, { tolerance: 'disabled' })
  assert.equal(off.tolerance, 'disabled')
  assert.equal(off.verify(BODY, header, { now: 0 }).secretIndex, 0)
  assert.equal(new Verifier(SECRET).tolerance, 300)
  assert.equal(new Verifier(SECRET, {}).tolerance, 300)
})

test('the clock is the default now', async () => {
  const fresh = sign(SECRET, BODY)
  const t = Number(fresh.slice(2, fresh.indexOf(',')))
  assert.ok(Math.abs(t - Date.now() / 1000) < 60)
  assert.equal(new Verifier(SECRET).verify(BODY, fresh).timestamp, t)
  assert.equal((await new web.Verifier(SECRET).verifyAsync(BODY, fresh)).timestamp, t)
  assert.equal(code(() => new Verifier(SECRET).verify(BODY, HEADER)), 'timestamp_too_old')
})

test('bodies: Buffer, Uint8Array, ArrayBuffer, DataView, string; secrets: string, Buffer, Uint8Array', async () => {
  const bytes = Buffer.from(BODY)
  const bodies = [BODY, bytes, new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), new DataView(new Uint8Array(bytes).buffer)]
  const secrets = [SECRET, Buffer.from(SECRET), new Uint8Array(Buffer.from(SECRET))]
  for (const secret of secrets) {
    const v = new Verifier(secret)
    const w = new web.Verifier(secret)
    for (const body of bodies) {
      assert.equal(v.verify(body, HEADER, { now: NOW }).secretIndex, 0)
      assert.equal((await w.verifyAsync(body, HEADER, { now: NOW })).secretIndex, 0)
    }
  }
  // A view on part of a larger buffer reads exactly its own bytes.
  const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')])
  assert.equal(new Verifier(SECRET).verify(padded.subarray(2, 2 + bytes.length), HEADER, { now: NOW }).secretIndex, 0)
})

test('rotation: the index of the first matching secret', async () => {
  const v = new Verifier(['new-secret', Buffer.from(SECRET), 'other'])
  assert.equal(v.secretCount, 3)
  assert.equal(v.verify(BODY, HEADER, { now: NOW }).secretIndex, 1)
  assert.equal((await new web.Verifier(['new-secret', SECRET]).verifyAsync(BODY, HEADER, { now: NOW })).secretIndex, 1)
  assert.equal(new Verifier(Array(8).fill(SECRET)).verify(BODY, HEADER, { now: NOW }).secretIndex, 0)
})

test('a repeated header given as an array is joined with a comma', async () => {
  const [t, v1] = HEADER.split(',')
  const v = new Verifier(SECRET)
  assert.equal(v.verify(BODY, [t, v1], { now: NOW }).secretIndex, 0)
  assert.equal((await new web.Verifier(SECRET).verifyAsync(BODY, [t, v1], { now: NOW })).secretIndex, 0)
  assert.equal(code(() => v.verify(BODY, [t, t, v1], { now: NOW })), 'malformed_header')
  assert.equal(code(() => v.verify(BODY, [], { now: NOW })), 'missing_header')
})

test('wrong types throw TypeError (or RangeError for numbers out of range), in both entries', async () => {
  const v = new Verifier(SECRET)
  const w = new web.Verifier(SECRET)
  const typeErrors = [
    () => new Verifier(42),
    () => new Verifier([SECRET, 42]),
    () => new Verifier({ secret: SECRET }),
    () => new Verifier(SECRET, 'fast'),
    () => new Verifier(SECRET, { tolerance: '300' }),
    () => v.verify(undefined, HEADER),
    () => v.verify(42, HEADER),
    () => v.verify(BODY, 42),
    () => v.verify(BODY, [HEADER, 1]),
    () => v.verify(BODY, HEADER, { now: '1735689600' }),
    () => v.verify(BODY, HEADER, 5),
    () => v.verifyOnboarding(null, 'ab'),
    () => v.verifyRequest('x-qonto-signature', BODY),
    () => sign(SECRET, BODY, { scheme: 'v2' }),
    () => sign(42, BODY),
    () => esm.qontoWebhook(),
    () => esm.qontoWebhook('secret'),
  ]
  for (const run of typeErrors) assert.throws(run, TypeError, run.toString())
  for (const run of [() => new Verifier(SECRET, { tolerance: -1 }), () => new Verifier(SECRET, { tolerance: 1.5 }), () => v.verify(BODY, HEADER, { now: -5 }), () => v.verify(BODY, HEADER, { now: Infinity })]) {
    assert.throws(run, RangeError, run.toString())
  }
  for (const run of [() => new web.Verifier(42), () => w.verifyAsync(42, HEADER), () => w.verifyAsync(BODY, 42), () => w.verifyAsync(BODY, HEADER, { now: 'x' })]) {
    await assert.rejects(async () => run(), TypeError, run.toString())
  }
})

test('a parsed JSON body is refused with a message naming express.raw', () => {
  const v = new Verifier(SECRET)
  assert.throws(() => v.verify(EVENT, HEADER, { now: NOW }), (err) => err instanceof TypeError && /express\.raw/.test(err.message))
})

test('constructEvent and constructOnboardingEvent return the parsed body after verifying', () => {
  const v = new Verifier(SECRET)
  assert.deepEqual(v.constructEvent(Buffer.from(BODY), HEADER, { now: NOW }), EVENT)
  assert.equal(code(() => v.constructEvent(BODY.replace('12.5', '125'), HEADER, { now: NOW })), 'signature_mismatch')
  const onboarding = loadVectors().find((x) => x.name.startsWith('official onboarding'))
  const event = new Verifier('secret_key').constructOnboardingEvent(onboarding.body, onboarding.header)
  assert.equal(event.event_type, 'registrations.pending')
  // Signed but not JSON: the JSON error, not a verification error.
  const text = 'not json'
  assert.throws(() => v.constructEvent(text, sign(SECRET, text, { timestamp: NOW }), { now: NOW }), SyntaxError)
})

test('verifyRequest reads IncomingHttpHeaders and Fetch Headers, under the configured schemes', async () => {
  const v = new Verifier(SECRET, { schemes: 'both' })
  const w = new web.Verifier(SECRET, { schemes: 'both' })
  const node = { 'content-type': 'application/json', 'x-qonto-signature': HEADER }
  const fetchHeaders = new Headers({ 'X-Qonto-Signature': HEADER })
  const mixedCase = { 'X-Qonto-Signature': HEADER }
  for (const h of [node, fetchHeaders, mixedCase]) {
    assert.deepEqual(v.verifyRequest(h, BODY, { now: NOW }), { scheme: 'business', secretIndex: 0, timestamp: NOW })
    assert.deepEqual(await w.verifyRequestAsync(h, BODY, { now: NOW }), { scheme: 'business', secretIndex: 0, timestamp: NOW })
  }
  const onboardingHeader = sign(SECRET, BODY, { scheme: 'onboarding' })
  assert.equal(onboardingHeader.length, 64)
  for (const h of [{ 'qonto-sha256-signature': onboardingHeader }, new Headers({ 'Qonto-SHA256-Signature': onboardingHeader })]) {
    assert.deepEqual(v.verifyRequest(h, BODY), { scheme: 'onboarding', secretIndex: 0, timestamp: null })
    assert.deepEqual(await w.verifyRequestAsync(h, BODY), { scheme: 'onboarding', secretIndex: 0, timestamp: null })
  }
  assert.equal(code(() => v.verifyRequest({ 'content-type': 'application/json' }, BODY)), 'missing_header')
  assert.equal(await webCode(() => w.verifyRequestAsync(new Headers(), BODY)), 'missing_header')
  const { event, ...rest } = v.constructEventFromRequest(node, BODY, { now: NOW })
  assert.deepEqual(event, EVENT)
  assert.equal(rest.scheme, 'business')
})

test('messages say what to do and never carry the secret or the expected signature', () => {
  const v = new Verifier(SECRET)
  const expected = HEADER.split('v1=')[1]
  const err = (() => {
    try {
      v.verify(BODY + 'x', HEADER, { now: NOW })
    } catch (e) {
      return e
    }
  })()
  assert.match(err.message, /raw request body/)
  assert.ok(!err.message.includes(SECRET))
  // The header itself holds the candidate, but the computed MAC for the tampered body is not shown.
  const computed = sign(SECRET, BODY + 'x', { timestamp: NOW }).split('v1=')[1]
  assert.ok(!err.message.includes(computed))
  assert.ok(!err.message.includes(expected))
})

test('incremental verification: chunks give the one-shot result; errors come early or at finish', () => {
  const v = new Verifier(['other', SECRET])
  const bytes = Buffer.from(BODY)
  for (const size of [1, 7, 64, bytes.length]) {
    const check = v.start(HEADER, { now: NOW })
    for (let i = 0; i < bytes.length; i += size) check.update(i % 2 ? bytes.subarray(i, i + size) : bytes.subarray(i, i + size).toString('latin1'))
    assert.deepEqual(check.finish(), { secretIndex: 1, timestamp: NOW })
  }
  // Header and window errors before any body is read.
  assert.equal(code(() => v.start(HEADER, { now: NOW + 301 })), 'timestamp_too_old')
  assert.equal(code(() => v.start('t=1', { now: NOW })), 'missing_signature')
  // A tampered body is found at finish.
  const tampered = v.start(HEADER, { now: NOW }).update(BODY).update(' ')
  assert.equal(code(() => tampered.finish()), 'signature_mismatch')
  // Finished means finished.
  const done = v.start(HEADER, { now: NOW }).update(BODY)
  done.finish()
  assert.throws(() => done.finish(), (err) => err.code === 'ERR_INVALID_STATE')
  assert.throws(() => done.update('x'), (err) => err.code === 'ERR_INVALID_STATE')
  assert.throws(() => v.start(HEADER, { now: NOW }).update({}), TypeError)
  const onboarding = loadVectors().find((x) => x.name.startsWith('official onboarding'))
  const o = new Verifier('secret_key').startOnboarding(onboarding.header)
  o.update(onboarding.body.subarray(0, 10)).update(onboarding.body.subarray(10))
  assert.deepEqual(o.finish(), { secretIndex: 0, timestamp: null })
})

test('Incremental: the class start and startOnboarding return, in every entry; IncrementalVerification is its deprecated alias', () => {
  const v = new Verifier(SECRET)
  for (const m of [cjs, esm, esmDefault]) {
    assert.equal(typeof m.Incremental, 'function')
    assert.equal(m.IncrementalVerification, m.Incremental)
    assert.ok(v.start(HEADER, { now: NOW }) instanceof m.Incremental)
    assert.ok(v.startOnboarding('0'.repeat(64)) instanceof m.Incremental)
  }
  assert.equal(esm.Incremental, cjs.Incremental)
  const w = new web.Verifier(SECRET)
  for (const m of [web, web.default]) {
    assert.equal(typeof m.Incremental, 'function')
    assert.equal(m.IncrementalVerification, m.Incremental)
    assert.ok(w.start(HEADER, { now: NOW }) instanceof m.Incremental)
    assert.ok(w.startOnboarding('0'.repeat(64)) instanceof m.Incremental)
  }
  assert.notEqual(web.Incremental, cjs.Incremental)
})

test('results keep the secret index and the timestamp exact on both sides of 2^50 s', () => {
  const other = 'whsec_other_secret_for_rotation_tests'
  const rotated = new Verifier([other, SECRET], { tolerance: 'disabled' })
  for (const t of [0, 7, 8, 2 ** 50 - 1, 2 ** 50, 2 ** 50 + 1, 2 ** 53 - 1]) {
    const header = sign(SECRET, BODY, { timestamp: t })
    assert.deepEqual(rotated.verify(BODY, header), { secretIndex: 1, timestamp: t }, `t=${t}`)
    assert.deepEqual(rotated.start(header).update(BODY).finish(), { secretIndex: 1, timestamp: t }, `t=${t}`)
  }
  // Above 2^53 (signed here by hand: sign() takes JavaScript numbers) the timestamp is reported as
  // the nearest double, as the README says.
  const huge = '18446744073709551615'
  const mac = createHmac('sha256', SECRET).update(`${huge}.${BODY}`).digest('hex')
  for (const header of [`t=${huge},v1=${mac}`, `t=${huge}, v1=${'0'.repeat(64)}, v1=${mac.toUpperCase()}`]) {
    assert.deepEqual(rotated.verify(BODY, header), { secretIndex: 1, timestamp: Number(huge) })
    assert.deepEqual(rotated.start(header).update(BODY).finish(), { secretIndex: 1, timestamp: Number(huge) })
  }
  const eight = new Verifier(Array.from({ length: 8 }, (_, i) => `${SECRET}-${i}`))
  const last = sign(`${SECRET}-7`, BODY, { timestamp: NOW })
  assert.deepEqual(eight.verify(BODY, last, { now: NOW }), { secretIndex: 7, timestamp: NOW })
  assert.deepEqual(eight.verifyOnboarding(BODY, sign(`${SECRET}-7`, BODY, { scheme: 'onboarding' })), {
    secretIndex: 7,
    timestamp: null,
  })
})

test('headers at the 4096-byte limit: multi-byte characters cannot hide the excess', () => {
  const v = new Verifier(SECRET)
  const pad = (header, length, tail = '') => `${header},x=${'a'.repeat(length - header.length - 3 - Buffer.byteLength(tail))}${tail}`
  const exact = pad(HEADER, 4096)
  assert.equal(Buffer.byteLength(exact), 4096)
  assert.equal(v.verify(BODY, exact, { now: NOW }).secretIndex, 0)
  for (const tail of ['a', 'é', '€', '😀']) {
    // One character over the limit, whatever its UTF-8 length: 4097 to 4100 bytes.
    const over = pad(HEADER, 4096, '') + tail
    assert.equal(Buffer.byteLength(over), 4096 + Buffer.byteLength(tail))
    assert.equal(code(() => v.verify(BODY, over, { now: NOW })), 'malformed_header', `tail ${tail}`)
    assert.match(
      (() => {
        try {
          v.verify(BODY, over, { now: NOW })
        } catch (err) {
          return err.message
        }
      })(),
      new RegExp(String(4096 + Buffer.byteLength(tail))),
    )
    // Ending exactly at the limit with a multi-byte character is still accepted.
    const fits = pad(HEADER, 4096, tail)
    assert.equal(Buffer.byteLength(fits), 4096)
    assert.equal(v.verify(BODY, fits, { now: NOW }).secretIndex, 0, `tail ${tail}`)
  }
  // A NUL does not end the header, on either side of the limit.
  assert.equal(code(() => v.verify(BODY, `${HEADER}\0`, { now: NOW })), 'malformed_header')
  assert.equal(v.verify(BODY, `${HEADER},x=\0`, { now: NOW }).secretIndex, 0)
  assert.equal(code(() => v.verify(BODY, `${HEADER},x=\0${'a'.repeat(5000)}`, { now: NOW })), 'malformed_header')
  assert.equal(code(() => v.verify(BODY, 'x'.repeat(1 << 20), { now: NOW })), 'malformed_header')
  assert.equal(code(() => v.verifyOnboarding(BODY, ' '.repeat(5000))), 'malformed_header')
})
