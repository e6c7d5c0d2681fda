// diagnose(): each known mistake, committed on purpose, is named; a wrong secret is not a known
// mistake; the secret never appears in what it returns.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { diagnose, sign } from '../index.mjs'

const SECRET = 'whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA='
const NOW = 1735689600
const BODY = '{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Société ☕"}}'

function mistakes(d) {
  return d.findings.map((f) => f.mistake)
}

function clean(d) {
  for (const f of d.findings) assert.ok(!f.message.includes(SECRET), f.message)
}

test('a good webhook has no findings', () => {
  const d = diagnose(SECRET, BODY, sign(SECRET, BODY, { timestamp: NOW }), { now: NOW })
  assert.equal(d.ok, true)
  assert.equal(d.secretIndex, 0)
  assert.deepEqual(d.findings, [])
})

test('a body re-serialised by JSON.stringify(JSON.parse(...), null, 2)', () => {
  const header = sign(SECRET, BODY, { timestamp: NOW })
  const d = diagnose(SECRET, JSON.stringify(JSON.parse(BODY), null, 2), header, { now: NOW })
  assert.equal(d.ok, false)
  assert.equal(d.code, 'signature_mismatch')
  assert.deepEqual(mistakes(d), ['body_reserialized'])
  assert.equal(d.explained, true)
  clean(d)
})

test('a secret base64-decoded before use', () => {
  const header = sign(SECRET, BODY, { timestamp: NOW })
  const decoded = Buffer.from(SECRET.slice('whsec_'.length), 'base64')
  const d = diagnose(decoded, BODY, header, { now: NOW })
  assert.deepEqual(mistakes(d), ['secret_base64'])
  clean(d)
})

test('the onboarding header given to the business scheme', () => {
  const header = sign(SECRET, BODY, { scheme: 'onboarding' })
  const d = diagnose(SECRET, BODY, header, { now: NOW })
  assert.equal(d.code, 'malformed_header')
  assert.deepEqual(mistakes(d), ['wrong_scheme'])
})

test('a timestamp in milliseconds and a skewed clock', () => {
  const ms = diagnose(SECRET, BODY, sign(SECRET, BODY, { timestamp: NOW * 1000 }), { now: NOW })
  assert.deepEqual(mistakes(ms), ['timestamp_milliseconds'])
  const skew = diagnose(SECRET, BODY, sign(SECRET, BODY, { timestamp: NOW - 900 }), { now: NOW })
  assert.deepEqual(mistakes(skew), ['clock_skew'])
  assert.match(skew.findings[0].message, /900 s behind/)
})

test('a wrong secret is no known mistake', () => {
  const header = sign('whsec_another_subscription_000000000000', BODY, { timestamp: NOW })
  const d = diagnose(SECRET, BODY, header, { now: NOW })
  assert.deepEqual(mistakes(d), ['wrong_secret'])
  assert.equal(d.explained, false)
})

test('wrong argument types throw TypeError', () => {
  assert.throws(() => diagnose(SECRET, { parsed: true }, 'x'), TypeError)
  assert.throws(() => diagnose(SECRET, BODY, 42), TypeError)
  assert.throws(() => diagnose(SECRET, BODY, 'x', { scheme: 'v2' }), TypeError)
})
