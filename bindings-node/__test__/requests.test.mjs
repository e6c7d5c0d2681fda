// Every request-level case of the core (testkit/vectors/requests.json) through verifyRequest, the
// WebCrypto entry's verifyRequestAsync and the Express middleware: the endpoint's configured
// schemes pick the header, never the request (issue 14, item 2). The reframed replay (a business
// webhook's v1 sent as Qonto-SHA256-Signature over the body `t.body`) is refused by default.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import express from 'express'

import { Verifier, WebhookVerificationError, qontoWebhook } from '../index.mjs'
import * as web from '../web.mjs'

const CASES = JSON.parse(readFileSync(new URL('../../testkit/vectors/requests.json', import.meta.url), 'utf8'))

const tolerance = (c) => (c.tolerance === null ? 'disabled' : c.tolerance)
const body = (c) => Buffer.from(c.body_b64, 'base64')

function headers(c) {
  const h = { 'content-type': 'application/json' }
  if (c.business !== null) h['x-qonto-signature'] = c.business
  if (c.onboarding !== null) h['qonto-sha256-signature'] = c.onboarding
  return h
}

// A plain object, and a Fetch Headers, except where a value is only blanks: Headers strips the
// spaces around a value (as an HTTP server does), so the over-long blank headers would arrive empty.
function headerForms(c) {
  const forms = [['object', headers(c)]]
  const blank = (v) => v !== null && v.trim() !== v
  if (!blank(c.business) && !blank(c.onboarding)) forms.push(['Headers', new Headers(headers(c))])
  return forms
}

function check(c, got, where) {
  if (c.expect === 'ok') {
    assert.equal(got.code, undefined, `${where} ${c.name}: ${got.message}`)
    assert.equal(got.scheme, c.scheme, `${where} ${c.name}`)
    assert.equal(got.secretIndex, c.secret_index, `${where} ${c.name}`)
    return
  }
  assert.equal(got.code, c.expect, `${where} ${c.name}: ${got.message}`)
  if (c.message_contains !== undefined) assert.ok(got.message.includes(c.message_contains), `${where} ${c.name}: ${got.message}`)
}

function caught(run) {
  try {
    return run()
  } catch (err) {
    if (!(err instanceof WebhookVerificationError) && !(err instanceof web.WebhookVerificationError)) throw err
    return { code: err.code, message: err.message, scheme: err.scheme }
  }
}

async function caughtAsync(run) {
  try {
    return await run()
  } catch (err) {
    if (!(err instanceof web.WebhookVerificationError)) throw err
    return { code: err.code, message: err.message, scheme: err.scheme }
  }
}

test('the request cases are there, the reframed replay among them', () => {
  assert.ok(CASES.length >= 20)
  assert.ok(CASES.some((c) => c.name === 'reframed_business_replay_refused_by_default'))
})

for (const c of CASES) {
  test(`native verifyRequest: ${c.name}`, () => {
    const v = new Verifier(c.secrets, { tolerance: tolerance(c), schemes: c.schemes })
    assert.equal(v.schemes, c.schemes)
    for (const [kind, h] of headerForms(c)) {
      check(c, caught(() => v.verifyRequest(h, body(c), { now: c.now })), `native (${kind})`)
      const text = body(c).toString('utf8')
      check(c, caught(() => v.verifyRequest(h, text, { now: c.now })), `native string body (${kind})`)
    }
  })

  test(`web verifyRequestAsync: ${c.name}`, async () => {
    const w = new web.Verifier(c.secrets, { tolerance: tolerance(c), schemes: c.schemes })
    assert.equal(w.schemes, c.schemes)
    for (const [, h] of headerForms(c)) {
      check(c, await caughtAsync(() => w.verifyRequestAsync(h, new Uint8Array(body(c)), { now: c.now })), 'web')
    }
  })
}

test('the default accepts business webhooks only, in both entries', async () => {
  const reframed = CASES.find((c) => c.name === 'reframed_business_replay_refused_by_default')
  const v = new Verifier(reframed.secrets)
  assert.equal(v.schemes, 'business')
  const got = caught(() => v.verifyRequest(headers(reframed), body(reframed)))
  assert.equal(got.code, 'missing_header')
  assert.equal(got.scheme, 'business')
  const w = new web.Verifier(reframed.secrets)
  assert.equal(w.schemes, 'business')
  assert.equal((await caughtAsync(() => w.verifyRequestAsync(headers(reframed), body(reframed)))).code, 'missing_header')
  // constructEventFromRequest applies the same rule.
  assert.equal(caught(() => v.constructEventFromRequest(headers(reframed), body(reframed))).code, 'missing_header')
})

test('schemes must be one of the three names', () => {
  for (const bad of ['Business', 'all', '', 1, true, {}]) {
    assert.throws(() => new Verifier('s', { schemes: bad }), TypeError, String(bad))
    assert.throws(() => new web.Verifier('s', { schemes: bad }), TypeError, String(bad))
    assert.throws(() => qontoWebhook({ secret: 's', schemes: bad }), TypeError, String(bad))
  }
  for (const absent of [undefined, null]) {
    assert.equal(new Verifier('s', { schemes: absent }).schemes, 'business')
    assert.equal(new web.Verifier('s', { schemes: absent }).schemes, 'business')
  }
})

// The middleware reads the clock: a case whose outcome is not about the window runs with the window
// off (it would be stale otherwise), and a timestamp_too_old case stays too old by the real clock.
let server
let base
const routes = []

before(async () => {
  const app = express()
  app.post('/case/:i', express.raw({ type: 'application/json' }), (req, res, next) => routes[Number(req.params.i)](req, res, next), (req, res) => {
    res.json({ scheme: req.qontoWebhook.scheme, secretIndex: req.qontoWebhook.secretIndex })
  })
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

test('Express middleware: every request case over loopback', async () => {
  // HTTP strips the blanks around a header value, so a case whose header is only blanks cannot
  // cross the wire as written: it is covered by the in-process tests above.
  for (const c of CASES.filter((c) => headerForms(c).length === 2)) {
    const windowed = c.expect === 'timestamp_too_old' && c.tolerance !== null
    routes.push(qontoWebhook({ secret: c.secrets, schemes: c.schemes, tolerance: windowed ? c.tolerance : 'disabled' }))
    const res = await fetch(`${base}/case/${routes.length - 1}`, { method: 'POST', body: body(c), headers: headers(c) })
    const json = await res.json()
    if (c.expect === 'ok') {
      assert.equal(res.status, 200, `${c.name}: ${JSON.stringify(json)}`)
      assert.deepEqual(json, { scheme: c.scheme, secretIndex: c.secret_index }, c.name)
    } else {
      assert.equal(res.status, 400, c.name)
      check(c, { code: json.error, message: json.message }, 'express')
    }
  }
})
