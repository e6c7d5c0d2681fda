// RedisStore against a real, throw-away redis-server that this file starts itself (the binary from
// .ci/redis.sh at the repository root, which installs Debian's package when it is missing), on a
// free loopback port, without persistence, and kills at the end. The client is node-redis (the
// `redis` dev dependency). No Redis: these tests fail, they are never skipped.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'

import { IdempotencyGuard, RedisStore } from '../index.mjs'
import { guardScenarios, startApp, businessEvent, onboardingEvent, ONBOARDING_SECRET } from './guard-scenarios.mjs'
import { sign } from '../index.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PREFIX = 'qonto-webhooks:idempotency:'

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const servers = new Set()
process.on('exit', () => {
  for (const s of servers) s.kill('SIGKILL')
})

/** Starts redis-server on a free port; resolves to { port, url, stop }. */
async function startRedis() {
  const binary = process.env.QONTO_WEBHOOKS_REDIS_SERVER || execFileSync('bash', [`${ROOT}.ci/redis.sh`], { encoding: 'utf8' }).trim()
  const port = await freePort()
  const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  servers.add(proc)
  let log = ''
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk
      if (log.includes('Ready to accept connections')) resolve()
    }
    proc.stdout.on('data', onData)
    proc.stderr.on('data', onData)
    proc.on('error', reject)
    proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)))
  })
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    const exited = once(proc, 'exit')
    proc.kill('SIGKILL')
    await exited
    servers.delete(proc)
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop }
}

const clients = new Set()

/** A connected node-redis client (its errors, while Redis is down, are expected here). */
async function connect(url) {
  const client = createClient({ url, socket: { reconnectStrategy: 50 } })
  client.on('error', () => {})
  await client.connect()
  clients.add(client)
  return client
}

function destroy(client) {
  clients.delete(client)
  if (!client.isOpen) return
  if (typeof client.destroy === 'function') client.destroy()
  else client.disconnect()
}

let redis
let client

before(async () => {
  redis = await startRedis()
  client = await connect(redis.url)
})

after(async () => {
  for (const c of [...clients]) destroy(c)
  await redis.stop()
})

guardScenarios('RedisStore', (options) => new IdempotencyGuard({ store: new RedisStore(client), ...options }))

test('RedisStore: the commands: SET NX PX "processing:<token>", then "done" with the TTL; the prefix', async () => {
  const store = new RedisStore(client)
  const claim = await store.claim('business:r1', 60)
  assert.equal(claim.state, 'claimed')
  assert.equal(await client.get(`${PREFIX}business:r1`), `processing:${claim.token}`)
  const leaseLeft = await client.pTTL(`${PREFIX}business:r1`)
  assert.ok(leaseLeft > 0 && leaseLeft <= 60_000, `lease PTTL ${leaseLeft}`)
  assert.deepEqual(await store.claim('business:r1', 60), { state: 'processing', token: null })
  await store.complete('business:r1', claim.token, 7 * 86400)
  assert.equal(await client.get(`${PREFIX}business:r1`), 'done')
  const ttlLeft = await client.pTTL(`${PREFIX}business:r1`)
  assert.ok(ttlLeft > 60_000 && ttlLeft <= 7 * 86400 * 1000, `done PTTL ${ttlLeft}`)
  assert.deepEqual(await store.claim('business:r1', 60), { state: 'done', token: null })

  const mine = new RedisStore(client, { prefix: 'app-a:' })
  assert.equal((await mine.claim('business:r1', 60)).state, 'claimed', 'another prefix is another key space')
  assert.equal(await client.exists('app-a:business:r1'), 1)
})

test('RedisStore: release deletes our claim; another token neither completes nor releases it', async () => {
  const store = new RedisStore(client)
  const claim = await store.claim('business:r2', 60)
  await store.complete('business:r2', 'other-token', 3600)
  await store.release('business:r2', 'other-token')
  assert.equal(await client.get(`${PREFIX}business:r2`), `processing:${claim.token}`)
  await store.release('business:r2', claim.token)
  assert.equal(await client.exists(`${PREFIX}business:r2`), 0)
  const second = await store.claim('business:r2', 60)
  assert.equal(second.state, 'claimed')
  // The first claim's token no longer completes it, and a done entry is not released.
  await store.complete('business:r2', claim.token, 3600)
  assert.equal(await client.get(`${PREFIX}business:r2`), `processing:${second.token}`)
  await store.complete('business:r2', second.token, 3600)
  await store.release('business:r2', second.token)
  assert.equal(await client.get(`${PREFIX}business:r2`), 'done')
})

test('RedisStore: an expired lease (or done entry) is claimable again', async () => {
  const store = new RedisStore(client)
  const first = await store.claim('business:r3', 60)
  // Expire it now rather than wait: Redis drops the key as the lease's end would.
  await client.pExpire(`${PREFIX}business:r3`, 1)
  while ((await client.exists(`${PREFIX}business:r3`)) === 1) await new Promise((r) => setImmediate(r))
  const second = await store.claim('business:r3', 60)
  assert.equal(second.state, 'claimed')
  await store.complete('business:r3', first.token, 3600) // the lapsed claim: a no-op
  assert.equal(await client.get(`${PREFIX}business:r3`), `processing:${second.token}`)
  await store.complete('business:r3', second.token, 3600)
  await client.pExpire(`${PREFIX}business:r3`, 1)
  while ((await client.exists(`${PREFIX}business:r3`)) === 1) await new Promise((r) => setImmediate(r))
  assert.equal((await store.claim('business:r3', 60)).state, 'claimed')
})

test('RedisStore: 16 concurrent claims of one key through separate clients: exactly one wins', async (t) => {
  const others = await Promise.all(Array.from({ length: 16 }, () => connect(redis.url)))
  t.after(() => others.forEach(destroy))
  const results = await Promise.all(others.map((c) => new RedisStore(c).claim('business:r4', 60)))
  assert.equal(results.filter((r) => r.state === 'claimed').length, 1)
  assert.equal(results.filter((r) => r.state === 'processing').length, 15)
})

test('"restart": a new client, store, guard and app on the same server still refuse the duplicate', async (t) => {
  const firstClient = await connect(redis.url)
  const first = await startApp(new IdempotencyGuard({ store: new RedisStore(firstClient) }), (req, res) => res.json({ received: true }))
  const body = businessEvent()
  const id = JSON.parse(body).id
  const onboarding = onboardingEvent()
  const onboardingSignature = sign(ONBOARDING_SECRET, onboarding, { scheme: 'onboarding' })
  assert.equal((await first.post(body)).json.received, true)
  assert.equal((await first.post(onboarding, 'onboarding', onboardingSignature)).json.received, true)
  await first.close()
  destroy(firstClient)

  const secondClient = await connect(redis.url)
  t.after(() => destroy(secondClient))
  const second = await startApp(new IdempotencyGuard({ store: new RedisStore(secondClient) }), (req, res) => res.json({ received: true }))
  t.after(second.close)
  assert.deepEqual((await second.post(body)).json, { duplicate: true, id })
  // The captured onboarding webhook, replayed against the restarted app.
  assert.deepEqual((await second.post(onboarding, 'onboarding', onboardingSignature)).json, { duplicate: true, id: JSON.parse(onboarding).id })
  assert.deepEqual(second.calls, [])
})

test('Redis down: 503 idempotency_store_unavailable, the handler not called; back up: handled', async (t) => {
  const own = await startRedis()
  t.after(own.stop)
  const ownClient = await connect(own.url)
  t.after(() => destroy(ownClient))
  const app = await startApp(new IdempotencyGuard({ store: new RedisStore(ownClient) }), (req, res) => res.json({ received: true }))
  t.after(app.close)
  assert.equal((await app.post(businessEvent())).json.received, true)

  const lost = once(ownClient, 'error')
  await own.stop()
  await lost
  const body = businessEvent()
  const res = await app.post(body)
  assert.equal(res.status, 503)
  assert.equal(res.json.error, 'idempotency_store_unavailable')
  assert.equal(app.calls.length, 1)
})

test('a client that was never connected: 503, the handler not called', async (t) => {
  const idle = createClient({ url: redis.url })
  idle.on('error', () => {})
  const app = await startApp(new IdempotencyGuard({ store: new RedisStore(idle) }), (req, res) => res.json({ received: true }))
  t.after(app.close)
  const res = await app.post(businessEvent())
  assert.equal(res.status, 503)
  assert.equal(res.json.error, 'idempotency_store_unavailable')
  assert.deepEqual(app.calls, [])
})

test("RedisStore over an ioredis-shaped client (positional SET ... PX ms NX, eval(script, numkeys, ...)): the same answers", async () => {
  // The commands exactly as RedisStore sends them to an ioredis client, run on the real server.
  const ioredisLike = {
    status: 'ready',
    set: (...args) => client.sendCommand(['SET', ...args.map(String)]),
    get: (key) => client.get(key),
    eval: (script, numKeys, ...rest) => client.sendCommand(['EVAL', script, String(numKeys), ...rest.map(String)]),
  }
  const store = new RedisStore(ioredisLike)
  const claim = await store.claim('business:io1', 60)
  assert.equal(claim.state, 'claimed')
  assert.equal((await store.claim('business:io1', 60)).state, 'processing')
  await store.release('business:io1', claim.token)
  const again = await store.claim('business:io1', 60)
  assert.equal(again.state, 'claimed')
  await store.complete('business:io1', again.token, 3600)
  assert.equal((await store.claim('business:io1', 60)).state, 'done')
  assert.equal(await client.get(`${PREFIX}business:io1`), 'done')
  // Not ready: fails at once instead of queueing.
  await assert.rejects(new RedisStore({ ...ioredisLike, status: 'reconnecting' }).claim('business:io2', 60), /not connected/)
})
