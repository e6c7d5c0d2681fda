// A real Express 5 server on 127.0.0.1, fed signed webhooks with fetch.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'

import { qontoWebhook, sign, WebhookVerificationError } from '../index.mjs'

const SECRET = 'whsec_express_test_secret'
const EVENT = {
  id: '0193e5a8-3a43-7c9b-9b1e-6f3f7a1d2c4e',
  subscription_id: 's',
  organization_id: 'o',
  membership_id: 'm',
  type: 'v1/beneficiaries',
  created_at: '2025-03-02T09:00:00Z',
  data: { event: 'deleted', id: 'b-1' },
}
const BODY = JSON.stringify(EVENT)
const now = () => Math.floor(Date.now() / 1000)

let server
let base
const received = []

before(async () => {
  const app = express()
  const handler = (req, res) => {
    received.push(req.qontoEvent)
    res.json({ ok: true, id: req.qontoEvent.id, scheme: req.qontoWebhook.scheme })
  }
  app.post('/raw', express.raw({ type: 'application/json' }), qontoWebhook({ secret: SECRET }), handler)
  // Onboarding webhooks: an endpoint of their own, which says so.
  app.post('/onboarding', express.raw({ type: 'application/json' }), qontoWebhook({ secret: SECRET, schemes: 'onboarding' }), handler)
  // No body parser at all: the middleware reads the stream itself.
  app.post('/bare', qontoWebhook({ secret: [SECRET] }), handler)
  // A body limit (1 MiB by default): over it, 413 body_too_large and no handler call.
  app.post('/small', qontoWebhook({ secret: SECRET, limit: 64 }), handler)
  // The mistake: express.json() before the middleware.
  app.post('/parsed', express.json(), qontoWebhook({ secret: SECRET }), handler)
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

async function post(path, body, headers) {
  const res = await fetch(base + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  return { status: res.status, json: await res.json() }
}

test('accepts a signed webhook and puts the event on the request', async () => {
  const before = received.length
  const res = await post('/raw', BODY, { 'X-Qonto-Signature': sign(SECRET, BODY) })
  assert.equal(res.status, 200)
  assert.deepEqual(res.json, { ok: true, id: EVENT.id, scheme: 'business' })
  assert.deepEqual(received.at(-1), EVENT)
  assert.equal(received.length, before + 1)
})

test('accepts without a body parser (reads the raw stream), and onboarding webhooks where configured', async () => {
  assert.equal((await post('/bare', BODY, { 'x-qonto-signature': sign(SECRET, BODY) })).status, 200)
  const onboarding = { 'Qonto-SHA256-Signature': sign(SECRET, BODY, { scheme: 'onboarding' }) }
  const res = await post('/onboarding', BODY, onboarding)
  assert.equal(res.status, 200)
  assert.equal(res.json.scheme, 'onboarding')
  // The default endpoint accepts business webhooks only.
  const refused = await post('/raw', BODY, onboarding)
  assert.equal(refused.status, 400)
  assert.equal(refused.json.error, 'missing_header')
  assert.match(refused.json.message, /accepts business webhooks only/)
  // And the onboarding endpoint does not take a business webhook.
  assert.equal((await post('/onboarding', BODY, { 'x-qonto-signature': sign(SECRET, BODY) })).json.error, 'missing_header')
})

test('rejects tampered, stale, wrong-secret, malformed and unsigned requests with 400 and the code', async () => {
  const cases = [
    ['signature_mismatch', BODY.replace('deleted', 'created'), sign(SECRET, BODY)],
    ['timestamp_too_old', BODY, sign(SECRET, BODY, { timestamp: now() - 600 })],
    ['timestamp_in_future', BODY, sign(SECRET, BODY, { timestamp: now() + 600 })],
    ['signature_mismatch', BODY, sign('another-secret', BODY)],
    ['malformed_header', BODY, 't=abc,v1=00'],
    ['missing_header', BODY, undefined],
  ]
  const before = received.length
  for (const [code, body, header] of cases) {
    const res = await post('/raw', body, header === undefined ? {} : { 'x-qonto-signature': header })
    assert.equal(res.status, 400, code)
    assert.equal(res.json.error, code)
    assert.ok(res.json.message.length > 20)
    assert.ok(!res.json.message.includes(SECRET))
  }
  assert.equal(received.length, before, 'a rejected request reached the handler')
})

test('a body already parsed by express.json() gets a 400 that names express.raw', async () => {
  const res = await post('/parsed', BODY, { 'x-qonto-signature': sign(SECRET, BODY) })
  assert.equal(res.status, 400)
  assert.equal(res.json.error, 'body_already_parsed')
  assert.match(res.json.message, /express\.raw\(\{ type: 'application\/json' \}\)/)
})

test('a missing secret fails when the middleware is created, never as a pass-through', () => {
  assert.throws(() => qontoWebhook({ secret: undefined }), (err) => err instanceof WebhookVerificationError && err.code === 'invalid_secret')
  assert.throws(() => qontoWebhook({ secret: '' }), WebhookVerificationError)
  assert.throws(() => qontoWebhook({}), WebhookVerificationError)
  assert.throws(() => qontoWebhook(), TypeError)
})

test('a body over the limit is 413 body_too_large, and the handler is not called', async () => {
  const before = received.length
  const res = await post('/small', BODY, { 'x-qonto-signature': sign(SECRET, BODY) })
  assert.equal(res.status, 413)
  assert.equal(res.json.error, 'body_too_large')
  assert.match(res.json.message, /larger than the 64 bytes allowed/)
  assert.equal(received.length, before)
})

test('a signed body that is not JSON is 400 invalid_payload (the contract code), and the handler is not called', async () => {
  const before = received.length
  const body = 'not json'
  const res = await post('/raw', body, { 'x-qonto-signature': sign(SECRET, body) })
  assert.equal(res.status, 400)
  assert.equal(res.json.error, 'invalid_payload')
  assert.match(res.json.message, /^the signature is valid but the body is not JSON: /)
  assert.equal(received.length, before)
})
