// The idempotency guard's types, as a user writes against them (compiled by typed.test.mjs).
import express from 'express'
import { createClient } from 'redis'
import {
  qontoWebhook,
  IdempotencyGuard,
  IdempotencyError,
  MemoryStore,
  RedisStore,
  idempotencyKey,
  DEFAULT_LEASE,
  DEFAULT_TTL,
  Verifier,
  type Claim,
  type ClaimState,
  type IdempotencyStore,
  type StoreClaim,
  type IdempotencyErrorCode,
} from 'qonto-webhooks'
import * as web from 'qonto-webhooks/web'

const app = express()
// The three forms of the option.
app.post('/a', express.raw({ type: 'application/json' }), qontoWebhook({ secret: 's', idempotency: true }), (req, res) => {
  res.json({ id: req.qontoEvent?.id })
})
app.post('/b', qontoWebhook({ secret: 's', idempotency: new IdempotencyGuard({ lease: 30, ttl: 86400 }) }))
const redis = createClient({ url: 'redis://127.0.0.1:6379' })
app.post('/c', qontoWebhook({ secret: 's', idempotency: { store: new RedisStore(redis, { prefix: 'app:' }) } }))
// @ts-expect-error: not a guard
qontoWebhook({ secret: 's', idempotency: 'memory' })
// @ts-expect-error: not a Redis client
new RedisStore({ get: () => Promise.resolve(null) })
// @ts-expect-error: lease is a number of seconds
new IdempotencyGuard({ lease: '60s' })

const memory: IdempotencyStore = new MemoryStore({ maxEntries: 10, clock: () => 0 })
const seconds: number = DEFAULT_LEASE + DEFAULT_TTL
const key: string = idempotencyKey('onboarding', { id: 'e1' })
// @ts-expect-error: only the two schemes
idempotencyKey('both', { id: 'e1' })

// A store of your own.
class NoStore implements IdempotencyStore {
  async claim(): Promise<StoreClaim> {
    return { state: 'done', token: null }
  }
  async complete(): Promise<void> {}
  async release(): Promise<void> {}
}

// The framework-free flow: claim, handle, complete or release.
async function handle(verifier: Verifier, headers: Record<string, string>, body: string): Promise<number> {
  const { scheme, event } = verifier.constructEventFromRequest(headers, body)
  const guard = new IdempotencyGuard({ store: new NoStore() })
  let claim: Claim
  try {
    claim = await guard.claim(scheme, event)
  } catch (err) {
    if (err instanceof IdempotencyError) {
      const code: IdempotencyErrorCode = err.code
      return code === 'invalid_payload' ? 400 : 503
    }
    throw err
  }
  const state: ClaimState = claim.state
  if (claim.state !== 'claimed') return state === 'done' ? 200 : 409
  const token: string = claim.token
  try {
    await guard.complete(claim)
  } catch {
    await guard.release(claim)
  }
  return token.length
}

// @ts-expect-error: only a claimed claim can be completed
new IdempotencyGuard().complete({ state: 'done', token: null, key: 'k', id: 'i' })

// The web entry exports the same guard.
const webGuard: Promise<web.Claim> = new web.IdempotencyGuard({ store: new web.MemoryStore() }).claim('business', { id: 'x' })

export { memory, seconds, key, handle, webGuard }
