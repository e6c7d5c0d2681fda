// The Express middleware's idempotency option over the in-process MemoryStore (the scenarios are
// in guard-scenarios.mjs, shared with the Redis suite), its forms, and a failing store (503).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'

import { qontoWebhook, IdempotencyGuard, MemoryStore } from '../index.mjs'
import { guardScenarios, startApp, businessEvent, SECRET } from './guard-scenarios.mjs'
import { sign } from '../index.mjs'

guardScenarios('MemoryStore', (options) => new IdempotencyGuard({ store: new MemoryStore(), ...options }))

const ok = (req, res) => res.json({ received: true, id: req.qontoEvent.id })

test('idempotency: true is a guard over a new MemoryStore; { lease } a guard with those options', async (t) => {
  for (const idempotency of [true, { lease: 30 }, { store: new MemoryStore() }]) {
    const app = await startApp(idempotency, ok)
    t.after(app.close)
    const body = businessEvent()
    assert.equal((await app.post(body)).json.received, true)
    assert.equal((await app.post(body)).json.duplicate, true)
    assert.equal(app.calls.length, 1)
  }
})

test('without the option (or with false), nothing changes: every delivery reaches the handler', async (t) => {
  for (const idempotency of [undefined, false, null]) {
    const app = await startApp(idempotency, ok)
    t.after(app.close)
    const body = businessEvent()
    assert.equal((await app.post(body)).json.received, true)
    assert.equal((await app.post(body)).json.received, true)
    assert.equal((await app.post('{"no":"id"}')).status, 200)
    assert.equal(app.calls.length, 3)
  }
})

test('a bad idempotency option throws when the middleware is made', () => {
  assert.throws(() => qontoWebhook({ secret: 's', idempotency: 'memory' }), TypeError)
  assert.throws(() => qontoWebhook({ secret: 's', idempotency: 1 }), TypeError)
  // A store is not a guard: the message says how to pass it.
  assert.throws(() => qontoWebhook({ secret: 's', idempotency: new MemoryStore() }), /pass \{ store \} or new IdempotencyGuard/)
  assert.throws(() => qontoWebhook({ secret: 's', idempotency: { lease: -1 } }), RangeError)
})

test('a failing store: 503 idempotency_store_unavailable, handler not called (fail closed)', async (t) => {
  let down = true
  const memory = new MemoryStore()
  const store = {
    claim: (key, lease) => (down ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : memory.claim(key, lease)),
    complete: (...args) => memory.complete(...args),
    release: (...args) => memory.release(...args),
  }
  const app = await startApp(new IdempotencyGuard({ store }), ok)
  t.after(app.close)
  const body = businessEvent()
  const res = await app.post(body)
  assert.equal(res.status, 503)
  assert.equal(res.json.error, 'idempotency_store_unavailable')
  assert.doesNotMatch(res.json.message, /6379/, 'the store error stays out of the answer')
  assert.deepEqual(app.calls, [])
  down = false
  assert.equal((await app.post(body)).json.received, true)
  assert.equal(app.calls.length, 1)
})

test('a store that fails to complete: a warning, and the answer already sent is unchanged', async (t) => {
  const memory = new MemoryStore()
  const store = {
    claim: (key, lease) => memory.claim(key, lease),
    complete: () => Promise.reject(new Error('lost the connection')),
    release: (...args) => memory.release(...args),
  }
  const warned = new Promise((resolve) => process.once('warning', resolve))
  const app = await startApp(new IdempotencyGuard({ store }), ok)
  t.after(app.close)
  const body = businessEvent()
  assert.equal((await app.post(body)).json.received, true)
  const warning = await warned
  assert.equal(warning.code, 'QONTO_WEBHOOKS_IDEMPOTENCY')
  assert.match(warning.message, /could not complete the idempotency claim of business:/)
  // Not completed: the entry stays processing until its lease ends.
  assert.equal((await app.post(body)).status, 409)
})

test('a delivery dropped while its claim was being made: the handler is not called, the claim released', async (t) => {
  const memory = new MemoryStore()
  let gate
  let claimed
  const store = {
    claim: async (key, lease) => {
      if (gate) {
        claimed()
        await gate
      }
      return memory.claim(key, lease)
    },
    complete: (...args) => memory.complete(...args),
    release: (...args) => memory.release(...args),
  }
  const app = await startApp(new IdempotencyGuard({ store }), ok)
  t.after(app.close)
  const body = businessEvent()
  let open
  gate = new Promise((resolve) => {
    open = resolve
  })
  const entered = new Promise((resolve) => {
    claimed = resolve
  })
  const req = http.request(`${app.base}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-qonto-signature': sign(SECRET, body), 'content-length': Buffer.byteLength(body) },
  })
  req.on('error', () => {})
  req.end(body)
  await entered
  req.destroy()
  // Until the server has seen the connection go.
  for (;;) {
    const count = await new Promise((resolve, reject) => app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
    if (count === 0) break
    await new Promise((r) => setImmediate(r))
  }
  gate = undefined
  open()
  // The retry is handled (a claim left held would answer 409), and it is the handler's first call.
  let retry
  for (let polls = 0; ; polls++) {
    retry = await app.post(body)
    if (retry.status !== 409 || polls === 5000) break
    await new Promise((r) => setImmediate(r))
  }
  assert.equal(retry.status, 200)
  assert.equal(retry.json.received, true)
  assert.equal(app.calls.length, 1)
})
