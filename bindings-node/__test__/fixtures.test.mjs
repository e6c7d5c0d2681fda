// The documentation's example payloads (core/tests/data/events): each one, signed, constructs an
// event through the public API of the main entry (native or js, by QONTO_WEBHOOKS_IMPLEMENTATION)
// and of the web entry, reads as sent, and keeps every field (compared as JSON values: numbers
// stay numbers, decimal strings stay strings).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { Verifier, sign, implementation } from '../index.mjs'
import * as web from '../web.mjs'
import { TOPICS } from '../contract.mjs'

const DIR = fileURLToPath(new URL('../../core/tests/data/events/', import.meta.url))
const SECRET = 'whsec_fixture_secret_0123456789abcdef'
const NOW = 1772442000
const MANIFEST = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8'))
const BUSINESS = MANIFEST.filter((e) => e.scheme === 'business')
const ONBOARDING = MANIFEST.filter((e) => e.scheme === 'onboarding')

const verifier = new Verifier(SECRET)
const webVerifier = new web.Verifier(SECRET)

const read = (name) => readFileSync(DIR + name)

test(`the manifest lists every fixture (${implementation})`, () => {
  const onDisk = readdirSync(DIR).filter((n) => n.endsWith('.json') && n !== 'manifest.json')
  assert.deepEqual(onDisk.sort(), MANIFEST.map((e) => e.file).sort())
  assert.equal(BUSINESS.length, 22)
  assert.equal(ONBOARDING.length, 1)
  for (const e of MANIFEST) assert.equal(e.scheme === 'onboarding', e.file.startsWith('onboarding-'), e.file)
})

/** What every entry must give for a business fixture. */
function checkBusiness(entry, event, original) {
  const name = entry.file
  assert.equal(event.id, original.id, name)
  assert.equal(event.type, original.type, name)
  assert.equal(TOPICS.includes(event.type), entry.documented_topic, name)
  // created_at is the string as sent, whatever its precision or offset.
  assert.equal(event.created_at, original.created_at, name)
  // data.event as sent (prefixed or not); absent where the payload has none.
  assert.equal(event.data.event, original.data.event, name)
  assert.equal('event' in event.data, entry.action !== null, name)
  if (entry.action !== null) assert.equal(event.data.event.split('.').pop(), entry.action, name)
  // Serialised back, the event is the original, as JSON values.
  assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), original, name)
  assert.deepStrictEqual(JSON.parse(JSON.stringify(event.data)), original.data, name)
}

for (const entry of BUSINESS) {
  test(`${entry.file}: constructEvent (${implementation})`, () => {
    const body = read(entry.file)
    const original = JSON.parse(body.toString('utf8'))
    const header = sign(SECRET, body, { timestamp: NOW })
    checkBusiness(entry, verifier.constructEvent(body, header, { now: NOW }), original)
    // The same body as a string.
    checkBusiness(entry, verifier.constructEvent(body.toString('utf8'), header, { now: NOW }), original)
    const viaRequest = verifier.constructEventFromRequest({ 'x-qonto-signature': header }, body, { now: NOW })
    assert.equal(viaRequest.scheme, 'business')
    checkBusiness(entry, viaRequest.event, original)
  })

  test(`${entry.file}: web constructEventAsync`, async () => {
    const body = new Uint8Array(read(entry.file))
    const original = JSON.parse(new TextDecoder().decode(body))
    const header = await web.signAsync(SECRET, body, { timestamp: NOW })
    assert.equal(header, sign(SECRET, body, { timestamp: NOW }))
    checkBusiness(entry, await webVerifier.constructEventAsync(body, header, { now: NOW }), original)
  })
}

for (const entry of ONBOARDING) {
  test(`${entry.file}: constructOnboardingEvent (${implementation}) and web`, async () => {
    const body = read(entry.file)
    const original = JSON.parse(body.toString('utf8'))
    const header = sign(SECRET, body, { scheme: 'onboarding' })
    assert.equal(header, await web.signAsync(SECRET, body, { scheme: 'onboarding' }))
    for (const event of [
      verifier.constructOnboardingEvent(body, header),
      await webVerifier.constructOnboardingEventAsync(new Uint8Array(body), header),
    ]) {
      assert.equal(event.id, original.id)
      assert.equal(event.event_type, original.event_type)
      assert.equal(event.resource_type, original.resource_type)
      assert.equal(event.resource_id, original.resource_id)
      assert.equal(event.created_at, original.created_at)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), original)
    }
  })
}

test(`amounts keep their JSON type (${implementation})`, () => {
  const construct = (name) => {
    const body = read(name)
    return verifier.constructEvent(body, sign(SECRET, body, { timestamp: NOW }), { now: NOW }).data
  }
  const numbers = construct('transactions-created.json')
  assert.equal(typeof numbers.amount, 'number')
  assert.equal(JSON.stringify(numbers.amount), '50.01')
  assert.equal(construct('transactions-created-string-amounts.json').amount, '50.00')
  assert.equal(JSON.stringify(construct('transactions-updated-card.json').amount), '50')
  const cards = construct('cards-created.json')
  assert.equal(cards.discarded_at, '2022-11-31')
  assert.equal(cards.nickname, '💳 for 🍗')
  assert.equal(construct('terminal-payments-authorized.json').metadata, '{"order_id": "zelty-order-456"}')
  assert.equal(construct('clients-created.json').type, 'company')
})

test('the comparison sees a change', () => {
  assert.throws(() => assert.deepStrictEqual({ amount: '50.00' }, { amount: 50 }))
  assert.throws(() => assert.deepStrictEqual({ a: 1 }, { a: 1, b: null }))
})
