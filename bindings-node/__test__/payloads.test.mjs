// The typed payloads (payloads.d.ts, from core/payloads.json) against every documented example
// payload (core/tests/data/events): each one, constructed through the main entry (native or js,
// by QONTO_WEBHOOKS_IMPLEMENTATION) and the web entry, has only fields its topic's type declares,
// each of a JSON kind that type allows; its action is one the type names (but for the synthetic
// unknown event, kept as sent); an unknown topic is left whole; parse -> serialise gives the
// fixture back. Also: decimalString and eventAction, and the README's example (describe-event.ts,
// transpiled) over every fixture.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { Verifier, sign, implementation, decimalString, eventAction } from '../index.mjs'
import * as web from '../web.mjs'
import { PAYLOADS } from '../payloads.mjs'

const require = createRequire(import.meta.url)
const DIR = fileURLToPath(new URL('../../core/tests/data/events/', import.meta.url))
const SOURCE = JSON.parse(readFileSync(fileURLToPath(new URL('../../core/payloads.json', import.meta.url)), 'utf8'))
const SECRET = 'whsec_fixture_secret_0123456789abcdef'
const NOW = 1772442000
const MANIFEST = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8'))
const BUSINESS = MANIFEST.filter((e) => e.scheme === 'business')
const DECIMAL = new RegExp(SOURCE.decimal_pattern)

const verifier = new Verifier(SECRET)
const webVerifier = new web.Verifier(SECRET)

/** Where `value` does not fit the described type `type` (a list of "path: why"; empty when it fits). */
function mismatches(value, type, path) {
  if (value === null) return [] // every field may be null
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not a list (${type})`]
    return value.flatMap((v, i) => mismatches(v, type.slice(0, -2), `${path}[${i}]`))
  }
  const ok = {
    string: () => typeof value === 'string',
    timestamp: () => typeof value === 'string',
    date: () => typeof value === 'string',
    boolean: () => typeof value === 'boolean',
    integer: () => Number.isInteger(value),
    decimal: () => typeof value === 'number' || (typeof value === 'string' && DECIMAL.test(value)),
    json: () => true,
  }[type]
  if (ok !== undefined) return ok() ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type}`]
  const object = PAYLOADS.objects[type]
  assert.ok(object, `${path}: the description names an unknown type ${type}`)
  return fieldsMismatches(value, object.fields, path, false)
}

function fieldsMismatches(value, fields, path, isData) {
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not an object`]
  const out = []
  for (const [name, v] of Object.entries(value)) {
    if (isData && name === 'event') {
      if (typeof v !== 'string') out.push(`${path}.event: not a string`)
    } else if (!Object.hasOwn(fields, name)) {
      out.push(`${path}.${name}: not declared`)
    } else {
      out.push(...mismatches(v, fields[name], `${path}.${name}`))
    }
  }
  return out
}

const dataMismatches = (type, data) => fieldsMismatches(data, PAYLOADS.topics[type].fields, 'data', true)

/** A decimal's text without a sign's plus, leading zeros or trailing fractional zeros ('77052.50' -> '77052.5'). */
function normalDecimal(text) {
  assert.match(text, /^-?\d+(\.\d+)?$/)
  let [int, frac = ''] = text.replace(/^-/, '').split('.')
  int = int.replace(/^0+(?=\d)/, '')
  frac = frac.replace(/0+$/, '')
  const body = frac ? `${int}.${frac}` : int
  return text.startsWith('-') && /[1-9]/.test(body) ? `-${body}` : body
}

function construct(entry) {
  const body = readFileSync(DIR + entry.file)
  const header = sign(SECRET, body, { timestamp: NOW })
  return { body, header, original: JSON.parse(body.toString('utf8')), event: verifier.constructEvent(body, header, { now: NOW }) }
}

test('the shipped description is core/payloads.json (field types, events, objects)', () => {
  assert.equal(PAYLOADS.version, SOURCE.version)
  assert.deepEqual(Object.keys(PAYLOADS.topics), SOURCE.topics.map((t) => t.type))
  for (const t of SOURCE.topics) {
    const shipped = PAYLOADS.topics[t.type]
    assert.equal(shipped.name, t.name)
    assert.deepEqual(shipped.events, t.events)
    assert.deepEqual(shipped.fields, Object.fromEntries(t.fields.map((f) => [f.name, f.type])))
  }
  for (const [name, o] of Object.entries(SOURCE.objects)) {
    assert.deepEqual(PAYLOADS.objects[name].fields, Object.fromEntries(o.fields.map((f) => [f.name, f.type])))
  }
  assert.ok(Object.isFrozen(PAYLOADS.topics['v1/transactions'].fields))
})

test('every documented topic has a fixture', () => {
  const seen = new Set(BUSINESS.map((e) => JSON.parse(readFileSync(DIR + e.file, 'utf8')).type))
  // consent revocations and payment-link connections included; only the 15 of the description
  for (const type of Object.keys(PAYLOADS.topics)) assert.ok(seen.has(type), `no fixture for ${type}`)
})

for (const entry of BUSINESS) {
  test(`${entry.file}: fits its topic's type (${implementation} and web)`, async () => {
    const { body, header, original, event } = construct(entry)
    const fromWeb = await webVerifier.constructEventAsync(new Uint8Array(body), header, { now: NOW })
    for (const e of [event, fromWeb]) {
      const topic = PAYLOADS.topics[e.type]
      if (entry.file === 'synthetic-unknown-topic.json') {
        assert.equal(topic, undefined, 'an unknown topic is not described')
      } else {
        assert.ok(topic, `${e.type} is described`)
        assert.deepEqual(dataMismatches(e.type, e.data), [], entry.file)
        const action = eventAction(e)
        assert.equal(action ?? null, entry.action)
        if (entry.file === 'synthetic-unknown-event.json') assert.ok(!topic.events.includes(action), 'an unknown event is kept as sent')
        else if (action !== undefined) assert.ok(topic.events.includes(action), `${action} is a documented ${e.type} action`)
      }
      assert.equal(e.data.event, original.data.event, 'data.event as sent')
      // parse -> serialise: the fixture, every field, each of its JSON type.
      assert.deepStrictEqual(JSON.parse(JSON.stringify(e)), original)
    }
  })
}

test(`every decimal field of every fixture reads as a decimal (${implementation})`, () => {
  let count = 0
  const walk = (value, type) => {
    if (value === null || value === undefined) return
    if (type.endsWith('[]')) return value.forEach((v) => walk(v, type.slice(0, -2)))
    if (type === 'decimal') {
      const text = decimalString(value)
      assert.equal(normalDecimal(text), normalDecimal(typeof value === 'string' ? value : String(value)))
      if (typeof value === 'string') assert.equal(text, value, 'a decimal string is kept as sent')
      count++
      return
    }
    const object = PAYLOADS.objects[type]
    if (object) for (const [name, t] of Object.entries(object.fields)) walk(value[name], t)
  }
  for (const entry of BUSINESS) {
    const { event } = construct(entry)
    const topic = PAYLOADS.topics[event.type]
    if (topic) for (const [name, t] of Object.entries(topic.fields)) walk(event.data[name], t)
  }
  assert.ok(count >= 30, `only ${count} decimals`)
})

test('the validation finds what does not fit', () => {
  const { event } = construct({ file: 'transactions-created.json' })
  assert.deepEqual(dataMismatches('v1/transactions', event.data), [])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, amount: true }), ['data.amount: true is not a decimal'])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, amount: '12,5' }), ['data.amount: "12,5" is not a decimal'])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, surprise: 1 }), ['data.surprise: not declared'])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, attachment_ids: 'a' }), ['data.attachment_ids: "a" is not a list (string[])'])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, bank_account: { iban: 5 } }), ['data.bank_account.iban: 5 is not a string'])
  assert.deepEqual(dataMismatches('v1/transactions', { ...event.data, amount: null, note: null }), [])
  assert.deepEqual(dataMismatches('v1/cards', { active_days: [1, 2.5] }), ['data.active_days[1]: 2.5 is not a integer'])
})

test('an unknown topic and an unknown event are kept as sent', () => {
  const unknown = construct({ file: 'synthetic-unknown-topic.json' })
  assert.equal(unknown.event.type, 'v2/unknown-future-topic')
  assert.equal(eventAction(unknown.event), 'created')
  assert.deepStrictEqual(unknown.event.data, unknown.original.data)
  const frozen = construct({ file: 'synthetic-unknown-event.json' })
  assert.equal(frozen.event.data.event, 'frozen_for_review')
  assert.equal(eventAction(frozen.event), 'frozen_for_review')
  const prefixed = construct({ file: 'synthetic-prefixed-event.json' })
  assert.equal(prefixed.event.data.event, 'payment_links.updated')
  assert.equal(eventAction(prefixed.event), 'updated')
  const revoked = construct({ file: 'consent-revocations.json' })
  assert.equal(eventAction(revoked.event), undefined)
})

test('decimalString: the exact decimal of a number or a decimal string', () => {
  const cases = [
    ['50.01', '50.01'],
    ['"50.00"', '50.00'],
    ['0.1', '0.1'],
    ['77052.50', '77052.5'], // a JSON number: JSON.parse keeps its value, not its trailing zero
    ['"77052.50"', '77052.50'],
    ['12345678901234.56', '12345678901234.56'],
    ['100000', '100000'],
    ['1e2', '100'],
    ['"1e2"', '100'],
    ['-0.5', '-0.5'],
    ['1e21', '1000000000000000000000'],
    ['1e-7', '0.0000001'],
    ['"-1.5E-3"', '-0.0015'],
  ]
  for (const [json, text] of cases) {
    for (const f of [decimalString, web.decimalString, require('../index.js').decimalString]) {
      assert.equal(f(JSON.parse(json)), text, json)
    }
  }
  assert.equal(decimalString(12n), '12')
  assert.equal(decimalString('1e100000').length, 100001)
  assert.equal(decimalString('-5e-100000'), '-0.' + '0'.repeat(99999) + '5')
  for (const huge of ['1e100001', '1e-100001', '1e999999999', '1e99999999999999999999999']) {
    assert.throws(() => decimalString(huge), RangeError, huge)
  }
  for (const bad of ['abc', '', '1,5', '.5', '+1', ' 1', 'NaN', NaN, Infinity, -Infinity, null, undefined, true, {}, []]) {
    assert.throws(() => decimalString(bad), TypeError, String(bad))
  }
})

test('eventAction: the part after the last dot of data.event', () => {
  for (const f of [eventAction, web.eventAction, require('../index.js').eventAction]) {
    assert.equal(f({ data: { event: 'transactions.created' } }), 'created')
    assert.equal(f({ data: { event: 'created' } }), 'created')
    assert.equal(f({ data: { event: 'payment_links.updated' } }), 'updated')
    assert.equal(f({ data: {} }), undefined)
    assert.equal(f({ data: { event: 5 } }), undefined)
    assert.equal(f({ event: 'cards.locked' }), 'locked') // a data object
    assert.equal(f('cards.locked'), 'locked')
    assert.equal(f(''), '')
    assert.equal(f(undefined), undefined)
    assert.equal(f(null), undefined)
  }
})

test("the README's typed example (describe-event.ts, transpiled) over every fixture", async (t) => {
  const ts = require('typescript')
  const source = readFileSync(fileURLToPath(new URL('./typed/describe-event.ts', import.meta.url)), 'utf8')
  let js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
  js = js.replace("from 'qonto-webhooks'", `from ${JSON.stringify(pathToFileURL(fileURLToPath(new URL('../index.mjs', import.meta.url))).href)}`)
  assert.ok(!js.includes("'qonto-webhooks"), js)
  const dir = mkdtempSync(join(tmpdir(), 'qonto-payloads-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'describe-event.mjs'), js)
  const { describe } = await import(pathToFileURL(join(dir, 'describe-event.mjs')).href)
  const expected = {
    'transactions-created.json': 'transaction created: 50.01 EUR',
    'transactions-created-string-amounts.json': 'transaction created: 50.00 EUR',
    'transactions-updated-card.json': 'transaction updated: 50 EUR',
    'cards-created.json': 'card',
    'payment-links-created.json': 'payment link 77052.50',
    'synthetic-prefixed-event.json': 'payment link ?',
    'consent-revocations.json': 'v1/consent-revocations: no event',
    'client-invoices-created.json': 'v1/client-invoices: no event',
    'synthetic-unknown-topic.json': 'v2/unknown-future-topic: created',
    'synthetic-unknown-event.json': 'card',
  }
  for (const entry of BUSINESS) {
    const { event, original } = construct(entry)
    const text = describe(event)
    if (entry.file in expected) assert.equal(text, expected[entry.file], entry.file)
    else assert.equal(text, `${original.type}: ${entry.action ?? 'no event'}`, entry.file)
  }
  const locked = { ...construct({ file: 'cards-created.json' }).event }
  locked.data = { ...locked.data, event: 'cards.locked' }
  assert.equal(describe(locked), 'card 511768******7662 locked')
})
