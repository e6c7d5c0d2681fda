// The idempotency behaviours of the Express middleware, run against a store given by the caller
// (idempotency-express.test.mjs: MemoryStore; idempotency-redis.test.mjs: RedisStore on a real
// redis-server). Each scenario starts a real Express 5 app on 127.0.0.1 and posts signed
// webhooks with fetch; every event id is new, so scenarios do not see each other's entries.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import express from 'express'

import { qontoWebhook, sign, IdempotencyGuard } from '../index.mjs'

export const SECRET = 'whsec_idempotency_test_secret'
export const ONBOARDING_SECRET = 'idempotency_onboarding_secret'

export function businessEvent(id = randomUUID()) {
  return JSON.stringify({
    id,
    subscription_id: 's',
    organization_id: 'o',
    membership_id: 'm',
    type: 'v1/transactions',
    created_at: '2026-11-28T09:00:00Z',
    data: { event: 'transactions.created', id: 'tx-1' },
  })
}

export function onboardingEvent(id = randomUUID()) {
  return JSON.stringify({ id, event_type: 'registrations.pending', resource_type: 'registration', resource_id: 'r-1', created_at: '2026-11-28T09:00:00Z' })
}

/**
 * An Express app with a business route (/webhooks) and an onboarding route (/onboarding), both
 * guarded by `guard`, and a handler given per test. Resolves to { post, calls, close }.
 */
export async function startApp(guard, handler) {
  const calls = []
  const app = express()
  const route = (req, res, next) => {
    calls.push(req.qontoEvent.id)
    return handler(req, res, next)
  }
  app.post('/webhooks', express.raw({ type: 'application/json' }), qontoWebhook({ secret: SECRET, idempotency: guard }), route)
  app.post('/onboarding', express.raw({ type: 'application/json' }), qontoWebhook({ secret: ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }), route)
  // Express's own error handler answers 500; keep its stack traces out of the test output.
  // eslint-disable-next-line no-unused-vars -- Express knows an error handler by its four parameters
  app.use((err, req, res, next) => {
    res.status(500).json({ error: 'handler_failed', message: err.message })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${server.address().port}`
  async function post(body, scheme = 'business', signature) {
    const headers =
      scheme === 'onboarding'
        ? { 'content-type': 'application/json', 'qonto-sha256-signature': signature ?? sign(ONBOARDING_SECRET, body, { scheme: 'onboarding' }) }
        : { 'content-type': 'application/json', 'x-qonto-signature': signature ?? sign(SECRET, body) }
    const res = await fetch(base + (scheme === 'onboarding' ? '/onboarding' : '/webhooks'), { method: 'POST', body, headers })
    return { status: res.status, json: await res.json(), retryAfter: res.headers.get('retry-after') }
  }
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(resolve)
    })
  return { post, calls, close, base, server, port: server.address().port }
}

const ok = (req, res) => res.json({ received: true, id: req.qontoEvent.id })

/** A promise and its resolve function. */
function deferred() {
  let resolve
  const promise = new Promise((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * Registers the scenarios. `makeGuard()` returns a fresh IdempotencyGuard over the store under test
 * (its options: { lease, ttl } may be passed).
 */
export function guardScenarios(label, makeGuard) {
  test(`${label}: a redelivery of a handled event gets 200 { duplicate: true, id }, the handler ran once`, async (t) => {
    const app = await startApp(makeGuard(), ok)
    t.after(app.close)
    const body = businessEvent()
    const id = JSON.parse(body).id
    const first = await app.post(body)
    assert.equal(first.status, 200)
    assert.deepEqual(first.json, { received: true, id })
    // Qonto's retry is signed again (a new t): the same event.
    for (let i = 0; i < 3; i++) {
      const again = await app.post(body)
      assert.equal(again.status, 200)
      assert.deepEqual(again.json, { duplicate: true, id })
    }
    assert.deepEqual(app.calls, [id])
  })

  test(`${label}: 16 concurrent deliveries of one event: the handler runs once, the others get 200 duplicate or 409`, async (t) => {
    // The handler holds its response until every delivery has either been answered or reached a
    // handler (one, with a working guard), so the deliveries overlap.
    const N = 16
    const released = deferred()
    let answered = 0
    const check = () => {
      if (app.calls.length + answered >= N) released.resolve()
    }
    const app = await startApp(makeGuard(), async (req, res) => {
      check()
      await released.promise
      res.json({ received: true })
    })
    t.after(app.close)
    const body = businessEvent()
    const id = JSON.parse(body).id
    const signature = sign(SECRET, body)
    const results = await Promise.all(
      Array.from({ length: N }, () =>
        app.post(body, 'business', signature).then((r) => {
          answered++
          check()
          return r
        }),
      ),
    )
    assert.equal(app.calls.length, 1, `the handler ran ${app.calls.length} times`)
    const handled = results.filter((r) => r.status === 200 && r.json.received === true)
    assert.equal(handled.length, 1)
    for (const r of results) {
      if (r === handled[0]) continue
      if (r.status === 200) {
        assert.deepEqual(r.json, { duplicate: true, id })
      } else {
        assert.equal(r.status, 409, JSON.stringify(r))
        assert.deepEqual(r.json, { error: 'duplicate_in_progress', message: `event ${id} is being processed by another delivery; Qonto will retry it` })
        assert.equal(r.retryAfter, '60')
      }
    }
    // Held until the others were answered: all of them saw the claim in progress.
    assert.equal(results.filter((r) => r.status === 409).length, N - 1)
    assert.deepEqual((await app.post(body)).json, { duplicate: true, id })
  })

  test(`${label}: 409 carries Retry-After = the guard's lease`, async (t) => {
    const released = deferred()
    const entered = deferred()
    const app = await startApp(makeGuard({ lease: 7.2 }), async (req, res) => {
      if (app.calls.length === 1) {
        entered.resolve()
        await released.promise
      }
      res.json({ received: true })
    })
    t.after(app.close)
    const body = businessEvent()
    const first = app.post(body)
    await entered.promise
    const second = await app.post(body)
    assert.equal(second.status, 409)
    assert.equal(second.retryAfter, '8')
    released.resolve()
    assert.equal((await first).status, 200)
  })

  test(`${label}: a handler answering 500 releases the claim: the retry is handled`, async (t) => {
    let fail = true
    const app = await startApp(makeGuard(), (req, res) => {
      if (fail) res.status(500).json({ error: 'database_down' })
      else ok(req, res)
    })
    t.after(app.close)
    const body = businessEvent()
    const id = JSON.parse(body).id
    assert.equal((await app.post(body)).status, 500)
    fail = false
    const retry = await app.post(body)
    assert.equal(retry.status, 200)
    assert.deepEqual(retry.json, { received: true, id })
    assert.deepEqual((await app.post(body)).json, { duplicate: true, id })
    assert.deepEqual(app.calls, [id, id])
  })

  test(`${label}: a handler calling next(err) (or throwing) releases the claim: the retry is handled`, async (t) => {
    let failures = 2
    const app = await startApp(makeGuard(), async (req, res, next) => {
      if (failures === 2) {
        failures--
        next(new Error('queue unavailable'))
        return
      }
      if (failures === 1) {
        failures--
        throw new Error('bug') // Express 5 passes a rejected promise to the error handler
      }
      ok(req, res)
    })
    t.after(app.close)
    const body = businessEvent()
    const id = JSON.parse(body).id
    const first = await app.post(body)
    assert.equal(first.status, 500)
    assert.equal(first.json.message, 'queue unavailable')
    assert.equal((await app.post(body)).status, 500)
    assert.equal((await app.post(body)).status, 200)
    assert.equal((await app.post(body)).json.duplicate, true)
    assert.deepEqual(app.calls, [id, id, id])
  })

  test(`${label}: a 4xx from the handler is a failure too (released); a 2xx other than 200 completes`, async (t) => {
    let status = 422
    const app = await startApp(makeGuard(), (req, res) => res.status(status).json({ status }))
    t.after(app.close)
    const body = businessEvent()
    assert.equal((await app.post(body)).status, 422)
    status = 202
    assert.equal((await app.post(body)).status, 202)
    assert.equal((await app.post(body)).json.duplicate, true)
    assert.equal(app.calls.length, 2)
  })

  test(`${label}: a connection closed before the response finished releases the claim`, async (t) => {
    const entered = deferred()
    const released = deferred()
    const app = await startApp(makeGuard(), async (req, res) => {
      if (app.calls.length === 1) {
        entered.resolve()
        await released.promise
        if (!res.writableEnded) res.json({ late: true })
        return
      }
      ok(req, res)
    })
    t.after(app.close)
    const body = businessEvent()
    const id = JSON.parse(body).id
    // A raw request whose socket is destroyed while the handler works.
    const req = http.request(`${app.base}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qonto-signature': sign(SECRET, body), 'content-length': Buffer.byteLength(body) },
    })
    req.on('error', () => {})
    req.end(body)
    await entered.promise
    const closed = deferred()
    req.on('close', closed.resolve)
    req.destroy()
    await closed.promise
    // The server sees the close, releases the claim; then the retry is handled (a claim still
    // held would answer 409 until the lease ends: poll until the release is seen).
    let retry
    for (let polls = 0; ; polls++) {
      retry = await app.post(body)
      if (retry.status !== 409 || polls === 5000) break
      await new Promise((r) => setImmediate(r))
    }
    released.resolve()
    assert.equal(retry.status, 200)
    assert.deepEqual(retry.json, { received: true, id })
    assert.deepEqual(app.calls, [id, id])
  })

  test(`${label}: a replayed onboarding webhook (same body, same signature) is refused; the handler ran once`, async (t) => {
    const app = await startApp(makeGuard(), ok)
    t.after(app.close)
    const body = onboardingEvent()
    const id = JSON.parse(body).id
    const signature = sign(ONBOARDING_SECRET, body, { scheme: 'onboarding' })
    assert.deepEqual((await app.post(body, 'onboarding', signature)).json, { received: true, id })
    for (let i = 0; i < 3; i++) {
      const replay = await app.post(body, 'onboarding', signature)
      assert.equal(replay.status, 200)
      assert.deepEqual(replay.json, { duplicate: true, id })
    }
    assert.deepEqual(app.calls, [id])
  })

  test(`${label}: business and onboarding ids live in different key spaces`, async (t) => {
    const app = await startApp(makeGuard(), ok)
    t.after(app.close)
    const id = randomUUID()
    assert.deepEqual((await app.post(businessEvent(id))).json, { received: true, id })
    assert.deepEqual((await app.post(onboardingEvent(id), 'onboarding')).json, { received: true, id })
    assert.equal((await app.post(businessEvent(id))).json.duplicate, true)
    assert.equal((await app.post(onboardingEvent(id), 'onboarding')).json.duplicate, true)
    assert.deepEqual(app.calls, [id, id])
  })

  test(`${label}: a verified body without a string id: 400 invalid_payload, handler not called`, async (t) => {
    const app = await startApp(makeGuard(), ok)
    t.after(app.close)
    for (const body of ['{"type":"v1/transactions"}', '{"id":12}', '{"id":""}', '[]', '"x"', '{"data":{"id":"nested"}}']) {
      const res = await app.post(body)
      assert.equal(res.status, 400, body)
      assert.deepEqual(res.json, { error: 'invalid_payload', message: 'the event has no string `id` to deduplicate on' })
    }
    assert.deepEqual(app.calls, [])
  })

  test(`${label}: an unverified request never reaches the store`, async (t) => {
    const guard = makeGuard()
    const claims = []
    const claim = guard.claim.bind(guard)
    guard.claim = (scheme, event) => {
      claims.push(event.id)
      return claim(scheme, event)
    }
    const app = await startApp(guard, ok)
    t.after(app.close)
    const body = businessEvent()
    const tampered = await app.post(body.replace('tx-1', 'tx-2'), 'business', sign(SECRET, body))
    assert.equal(tampered.status, 400)
    assert.equal(tampered.json.error, 'signature_mismatch')
    assert.deepEqual(claims, [])
    // The genuine one is still handled: the tampered copy did not claim its id.
    assert.equal((await app.post(body)).json.received, true)
    assert.equal(claims.length, 1)
  })
}

export { IdempotencyGuard }
