// The idempotency guard without HTTP: MemoryStore (an injected clock, no timing), the key helper,
// the guard's claim / complete / release, and the same classes through every entry.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import {
  IdempotencyGuard,
  IdempotencyError,
  MemoryStore,
  RedisStore,
  idempotencyKey,
  DEFAULT_LEASE,
  DEFAULT_TTL,
} from '../index.mjs'
import qontoWebhooks from '../index.mjs'
import * as web from '../web.mjs'
import * as source from '../idempotency.mjs'

const require = createRequire(import.meta.url)

/** A clock the test moves by hand (milliseconds). */
function manualClock(start = 1_000_000) {
  let now = start
  const clock = () => now
  clock.advance = (seconds) => {
    now += seconds * 1000
  }
  return clock
}

test('the defaults: a 60 s lease, a 7-day TTL, 100000 entries, the Redis prefix', () => {
  assert.equal(DEFAULT_LEASE, 60)
  assert.equal(DEFAULT_TTL, 604800)
  const guard = new IdempotencyGuard()
  assert.equal(guard.lease, 60)
  assert.equal(guard.ttl, 604800)
  assert.ok(guard.store instanceof MemoryStore)
  assert.equal(guard.store.maxEntries, 100_000)
  assert.equal(source.DEFAULT_REDIS_PREFIX, 'qonto-webhooks:idempotency:')
})

test("the defaults and the guard's HTTP statuses are the contract's (contract.cjs, generated from contract.json)", () => {
  const contract = require('../contract.cjs')
  assert.equal(DEFAULT_LEASE, contract.DEFAULT_LEASE)
  assert.equal(DEFAULT_TTL, contract.DEFAULT_TTL)
  assert.equal(source.DEFAULT_MAX_ENTRIES, contract.DEFAULT_MAX_ENTRIES)
  // The statuses the middleware answers with (guard-scenarios.mjs checks them over HTTP).
  assert.deepEqual(
    { invalid_payload: 400, duplicate_in_progress: 409, idempotency_store_unavailable: 503 },
    { invalid_payload: contract.HTTP_STATUS.invalid_payload, duplicate_in_progress: contract.HTTP_STATUS.duplicate_in_progress, idempotency_store_unavailable: contract.HTTP_STATUS.idempotency_store_unavailable },
  )
})

test('the same classes from require, import and the default export; the web entry has the guard too', () => {
  const cjs = require('../index.js')
  assert.equal(cjs.IdempotencyGuard, IdempotencyGuard)
  assert.equal(cjs.MemoryStore, MemoryStore)
  assert.equal(cjs.RedisStore, RedisStore)
  assert.equal(cjs.IdempotencyError, IdempotencyError)
  assert.equal(cjs.idempotencyKey, idempotencyKey)
  assert.equal(qontoWebhooks.IdempotencyGuard, IdempotencyGuard)
  for (const name of ['IdempotencyGuard', 'IdempotencyError', 'MemoryStore', 'RedisStore', 'idempotencyKey', 'DEFAULT_LEASE', 'DEFAULT_TTL']) {
    assert.equal(web[name], source[name], `web.${name}`)
    assert.equal(web.default[name], source[name], `web.default.${name}`)
  }
})

test('MemoryStore: claim, then claim again: processing; complete: done; the states carry no token', async () => {
  const store = new MemoryStore({ clock: manualClock() })
  const first = await store.claim('business:e1', 60)
  assert.equal(first.state, 'claimed')
  assert.match(first.token, /^[0-9a-f-]{36}$/)
  assert.deepEqual(await store.claim('business:e1', 60), { state: 'processing', token: null })
  await store.complete('business:e1', first.token, 3600)
  assert.deepEqual(await store.claim('business:e1', 60), { state: 'done', token: null })
  // Another key is independent.
  assert.equal((await store.claim('business:e2', 60)).state, 'claimed')
})

test('MemoryStore: release makes the key claimable again, with a new token', async () => {
  const store = new MemoryStore({ clock: manualClock() })
  const first = await store.claim('k', 60)
  await store.release('k', first.token)
  const second = await store.claim('k', 60)
  assert.equal(second.state, 'claimed')
  assert.notEqual(second.token, first.token)
})

test('MemoryStore: complete and release with another token do nothing', async () => {
  const store = new MemoryStore({ clock: manualClock() })
  const claim = await store.claim('k', 60)
  await store.complete('k', 'not-the-token', 3600)
  assert.equal((await store.claim('k', 60)).state, 'processing')
  await store.release('k', 'not-the-token')
  assert.equal((await store.claim('k', 60)).state, 'processing')
  // A done entry is not released, nor completed again, by its old claim.
  await store.complete('k', claim.token, 3600)
  await store.release('k', claim.token)
  assert.equal((await store.claim('k', 60)).state, 'done')
  // complete / release of an absent key: nothing.
  await store.complete('absent', claim.token, 3600)
  await store.release('absent', claim.token)
  assert.equal(store.size, 1)
})

test('MemoryStore: a lease expires (the key is claimable again), and a lapsed claim can no longer complete', async () => {
  const clock = manualClock()
  const store = new MemoryStore({ clock })
  const first = await store.claim('k', 60)
  clock.advance(59.999)
  assert.equal((await store.claim('k', 60)).state, 'processing')
  clock.advance(0.001)
  const second = await store.claim('k', 60)
  assert.equal(second.state, 'claimed')
  // The first handler finishes late: its complete is a no-op, the second claim still holds.
  await store.complete('k', first.token, 3600)
  assert.equal((await store.claim('k', 60)).state, 'processing')
  await store.complete('k', second.token, 3600)
  assert.equal((await store.claim('k', 60)).state, 'done')
})

test('MemoryStore: a done entry expires after its TTL', async () => {
  const clock = manualClock()
  const store = new MemoryStore({ clock })
  const claim = await store.claim('k', 60)
  clock.advance(30)
  await store.complete('k', claim.token, 7 * 86400)
  clock.advance(7 * 86400 - 1)
  assert.equal((await store.claim('k', 60)).state, 'done')
  clock.advance(1)
  assert.equal((await store.claim('k', 60)).state, 'claimed')
})

test('MemoryStore: when full, expired entries go first, then the oldest; an evicted id is claimable again', async () => {
  const clock = manualClock()
  const store = new MemoryStore({ maxEntries: 3, clock })
  const a = await store.claim('a', 10) // expires at +10 s
  await store.claim('b', 100)
  await store.claim('c', 100)
  await store.complete('a', a.token, 10) // done until +10 s
  assert.equal(store.size, 3)
  clock.advance(20) // 'a' has expired, 'b' and 'c' have not
  await store.claim('d', 100)
  assert.equal(store.size, 3)
  // 'a' went (expired), not 'b', the oldest live entry.
  assert.equal((await store.claim('b', 100)).state, 'processing')
  assert.equal((await store.claim('c', 100)).state, 'processing')
  assert.equal((await store.claim('d', 100)).state, 'processing')
  // Full, nothing expired: the oldest ('b') goes.
  await store.claim('e', 100)
  assert.equal(store.size, 3)
  assert.equal((await store.claim('c', 100)).state, 'processing')
  assert.equal((await store.claim('e', 100)).state, 'processing')
  // 'b' was evicted: claimed again (and now 'c', the oldest, goes).
  assert.equal((await store.claim('b', 100)).state, 'claimed')
  assert.equal(store.size, 3)
  assert.equal((await store.claim('c', 100)).state, 'claimed')
})

test('MemoryStore: bad arguments are TypeErrors / RangeErrors', async () => {
  assert.throws(() => new MemoryStore({ maxEntries: 0 }), RangeError)
  assert.throws(() => new MemoryStore({ maxEntries: 1.5 }), RangeError)
  assert.throws(() => new MemoryStore({ clock: 5 }), TypeError)
  assert.throws(() => new MemoryStore('big'), TypeError)
  const store = new MemoryStore()
  await assert.rejects(store.claim('', 60), TypeError)
  await assert.rejects(store.claim('k', 0), RangeError)
  await assert.rejects(store.claim('k', -1), RangeError)
  await assert.rejects(store.claim('k'), TypeError)
  await assert.rejects(store.complete('k', undefined, 60), TypeError)
  await assert.rejects(store.release('k', 42), TypeError)
})

test('idempotencyKey: "<scheme>:<id>", the schemes in different key spaces; no string id is invalid_payload', () => {
  assert.equal(idempotencyKey('business', { id: 'e1', type: 'v1/transactions' }), 'business:e1')
  assert.equal(idempotencyKey('onboarding', { id: 'e1' }), 'onboarding:e1')
  assert.notEqual(idempotencyKey('business', { id: 'x' }), idempotencyKey('onboarding', { id: 'x' }))
  for (const event of [{}, { id: '' }, { id: 42 }, { id: null }, { data: { id: 'nested' } }, [], null, 'e1', ['e1']]) {
    assert.throws(
      () => idempotencyKey('business', event),
      (err) => err instanceof IdempotencyError && err.code === 'invalid_payload' && err.message === 'the event has no string `id` to deduplicate on',
      JSON.stringify(event),
    )
  }
  assert.throws(() => idempotencyKey('both', { id: 'e1' }), TypeError)
  assert.throws(() => idempotencyKey(undefined, { id: 'e1' }), TypeError)
})

test('IdempotencyGuard: claim gives the key and id; complete, then done; release, then claimable', async () => {
  const clock = manualClock()
  const guard = new IdempotencyGuard({ store: new MemoryStore({ clock }), lease: 5, ttl: 50 })
  const claim = await guard.claim('business', { id: 'e1' })
  assert.equal(claim.state, 'claimed')
  assert.equal(claim.key, 'business:e1')
  assert.equal(claim.id, 'e1')
  assert.equal((await guard.claim('business', { id: 'e1' })).state, 'processing')
  // The onboarding event with the same id is another key.
  const onboarding = await guard.claim('onboarding', { id: 'e1' })
  assert.equal(onboarding.state, 'claimed')
  await guard.release(onboarding)
  assert.equal((await guard.claim('onboarding', { id: 'e1' })).state, 'claimed')
  await guard.complete(claim)
  const again = await guard.claim('business', { id: 'e1' })
  assert.deepEqual({ ...again }, { state: 'done', token: null, key: 'business:e1', id: 'e1' })
  // The guard's ttl (50 s) and lease (5 s) are the ones used.
  clock.advance(50)
  assert.equal((await guard.claim('business', { id: 'e1' })).state, 'claimed')
  clock.advance(5)
  assert.equal((await guard.claim('business', { id: 'e1' })).state, 'claimed')
  await assert.rejects(guard.complete(again), TypeError)
  await assert.rejects(guard.release({ state: 'processing', token: null, key: 'k', id: 'i' }), TypeError)
})

test('IdempotencyGuard: a failing store is idempotency_store_unavailable (the cause kept); no id is invalid_payload', async () => {
  const down = new Error('connection refused')
  const store = {
    claim: async () => {
      throw down
    },
    complete: async () => {
      throw down
    },
    release: async () => {
      throw down
    },
  }
  const guard = new IdempotencyGuard({ store })
  await assert.rejects(guard.claim('business', { id: 'e1' }), (err) => err instanceof IdempotencyError && err.code === 'idempotency_store_unavailable' && err.cause === down)
  const claim = { state: 'claimed', token: 't', key: 'business:e1', id: 'e1' }
  await assert.rejects(guard.complete(claim), (err) => err.code === 'idempotency_store_unavailable' && err.cause === down)
  await assert.rejects(guard.release(claim), (err) => err.code === 'idempotency_store_unavailable' && err.cause === down)
  await assert.rejects(guard.claim('business', { id: 7 }), (err) => err.code === 'invalid_payload')
  // A store answering nonsense is a store failure too.
  const odd = new IdempotencyGuard({ store: { ...store, claim: async () => ({ state: 'maybe' }) } })
  await assert.rejects(odd.claim('business', { id: 'e1' }), (err) => err.code === 'idempotency_store_unavailable')
})

test('IdempotencyGuard: bad options', () => {
  assert.throws(() => new IdempotencyGuard({ lease: 0 }), RangeError)
  assert.throws(() => new IdempotencyGuard({ ttl: Number.POSITIVE_INFINITY }), RangeError)
  assert.throws(() => new IdempotencyGuard({ lease: '60' }), TypeError)
  assert.throws(() => new IdempotencyGuard({ store: {} }), TypeError)
  assert.throws(() => new IdempotencyGuard({ store: new Map() }), TypeError)
  assert.throws(() => new IdempotencyGuard(true), TypeError)
})

test('RedisStore: refuses what is not a node-redis or ioredis client', () => {
  assert.throws(() => new RedisStore(), TypeError)
  assert.throws(() => new RedisStore({ get() {}, set() {} }), /node-redis v4\+ client/)
  const client = { isOpen: true, isReady: true, set() {}, get() {}, eval() {} }
  assert.equal(new RedisStore(client).prefix, 'qonto-webhooks:idempotency:')
  assert.equal(new RedisStore(client, { prefix: 'app:' }).prefix, 'app:')
  assert.throws(() => new RedisStore(client, { prefix: 5 }), TypeError)
})

test('the web entry: a Fetch handler with the guard by hand (claim, enqueue, complete) refuses the replay', async () => {
  const secret = 'whsec_web_idempotency'
  const verifier = new web.Verifier(secret, { schemes: 'both' })
  const guard = new web.IdempotencyGuard()
  const queue = []
  async function handle(request) {
    const { scheme, event } = await verifier.constructEventFromRequestAsync(request.headers, await request.arrayBuffer())
    const claim = await guard.claim(scheme, event)
    if (claim.state === 'done') return Response.json({ duplicate: true, id: claim.id })
    if (claim.state === 'processing') return Response.json({ error: 'duplicate_in_progress' }, { status: 409 })
    try {
      if (event.fail) throw new Error('enqueue failed')
      queue.push(event.id)
    } catch (err) {
      await guard.release(claim)
      return Response.json({ error: err.message }, { status: 500 })
    }
    await guard.complete(claim)
    return new Response(null, { status: 204 })
  }
  const post = async (body, scheme = 'business') => {
    const header = await web.signAsync(secret, body, { scheme })
    const name = scheme === 'business' ? 'x-qonto-signature' : 'qonto-sha256-signature'
    return handle(new Request('http://example.test/', { method: 'POST', headers: { [name]: header }, body }))
  }
  assert.equal((await post('{"id":"w1"}')).status, 204)
  assert.deepEqual(await (await post('{"id":"w1"}')).json(), { duplicate: true, id: 'w1' })
  // Onboarding: the same body and signature twice.
  assert.equal((await post('{"id":"w1"}', 'onboarding')).status, 204)
  assert.deepEqual(await (await post('{"id":"w1"}', 'onboarding')).json(), { duplicate: true, id: 'w1' })
  // A failed enqueue releases: the retry goes through.
  assert.equal((await post('{"id":"w2","fail":true}')).status, 500)
  assert.equal((await post('{"id":"w2"}')).status, 204)
  assert.deepEqual(queue, ['w1', 'w1', 'w2'])
})
