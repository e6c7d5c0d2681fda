'use strict'
// Generated from idempotency.mjs by scripts/rules-cjs.mjs: do not edit, edit idempotency.mjs.
// The idempotency guard: Qonto retries a delivery until it gets a 2xx within 1 s, so one event
// arrives more than once, and an onboarding webhook (no timestamp) verifies forever once captured.
// The guard remembers the ids of the events already handled, after the signature check (an
// unverified body never touches the store), so each event is handled once.
//
// Plain JavaScript with no Node.js import, shared by the main entry (index.js, through the
// generated idempotency.cjs) and the WebCrypto entry (web.mjs): the same guard whichever
// implementation verifies. The design (names, states, defaults, the Redis commands) is the one
// every binding of this library follows.
//
// This file is the source; idempotency.cjs is generated from it (`node scripts/rules-cjs.mjs`),
// and a test checks that the two agree.

// The defaults are the core's (contract.json, generated into contract.mjs).
const contract = require('./contract.cjs')

/** Seconds an event stays "processing" after a claim (a crashed handler's claim lapses then). */
const DEFAULT_LEASE = contract.DEFAULT_LEASE
/** Seconds an event stays "done" after its handler succeeded: 7 days, Qonto's retries last a few. */
const DEFAULT_TTL = contract.DEFAULT_TTL
/** Entries a MemoryStore keeps at most. */
const DEFAULT_MAX_ENTRIES = contract.DEFAULT_MAX_ENTRIES
/** The prefix RedisStore puts before every key. */
const DEFAULT_REDIS_PREFIX = 'qonto-webhooks:idempotency:'

const PROCESSING = 'processing:'
const DONE = 'done'

function describeValue(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * An idempotency failure with a stable code: 'invalid_payload' (the verified body has no
 * non-empty string `id` at its top level) or 'idempotency_store_unavailable' (the store failed;
 * the store's error is `cause`).
 */
class IdempotencyError extends Error {
  constructor(code, message, options) {
    super(message, options)
    this.name = 'IdempotencyError'
    this.code = code
  }
}

/**
 * The event's id: its top-level `id` when it is a non-empty string, else an IdempotencyError
 * 'invalid_payload'.
 */
function eventId(event) {
  const id = event !== null && typeof event === 'object' && !Array.isArray(event) ? event.id : undefined
  if (typeof id !== 'string' || id === '') {
    throw new IdempotencyError('invalid_payload', 'the event has no string `id` to deduplicate on')
  }
  return id
}

/**
 * The key of an event in a store: `"<scheme>:<id>"`, where scheme is the one that verified it
 * ('business' or 'onboarding', as in the verified result) and id the body's top-level `id`.
 * The two schemes' ids live in different key spaces.
 */
function idempotencyKey(scheme, event) {
  if (scheme !== 'business' && scheme !== 'onboarding') {
    throw new TypeError(`scheme must be 'business' or 'onboarding', got ${typeof scheme === 'string' ? JSON.stringify(scheme) : describeValue(scheme)}`)
  }
  return `${scheme}:${eventId(event)}`
}

function positiveSeconds(value, what, fallback) {
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number of seconds, got ${describeValue(value)}`)
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${what} must be a positive number of seconds, got ${value}`)
  return value
}

function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw new TypeError(`key must be a non-empty string, got ${describeValue(key)}`)
  return key
}

function checkToken(token) {
  if (typeof token !== 'string' || token === '') throw new TypeError(`token must be the claim's token (a string), got ${describeValue(token)}`)
  return token
}

const newToken = () => globalThis.crypto.randomUUID()

const CLAIMED = (token) => Object.freeze({ state: 'claimed', token })
const PROCESSING_CLAIM = Object.freeze({ state: 'processing', token: null })
const DONE_CLAIM = Object.freeze({ state: 'done', token: null })

/**
 * The default store: a Map in this process (not shared between processes, workers or machines:
 * use RedisStore there). Each operation runs to its end without yielding, so claims are atomic
 * within the process. Bounded: past `maxEntries` the expired entries go first, then the oldest
 * (in insertion order); an evicted id can be processed again. Expiry is checked on access.
 * `clock` (milliseconds, like Date.now) is for tests.
 */
class MemoryStore {
  #entries = new Map() // key -> { token, done, expires (ms) }
  #maxEntries
  #clock
  constructor(options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object') throw new TypeError(`MemoryStore options must be an object, got ${describeValue(o)}`)
    const max = o.maxEntries === undefined ? DEFAULT_MAX_ENTRIES : o.maxEntries
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`options.maxEntries must be a whole number >= 1, got ${String(max)}`)
    if (o.clock !== undefined && typeof o.clock !== 'function') throw new TypeError(`options.clock must be a function returning milliseconds, got ${describeValue(o.clock)}`)
    this.#maxEntries = max
    this.#clock = o.clock === undefined ? Date.now : o.clock
  }

  /** How many entries are held (expired ones included until they are swept). */
  get size() {
    return this.#entries.size
  }

  get maxEntries() {
    return this.#maxEntries
  }

  #live(key, now) {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }

  #makeRoom(now) {
    if (this.#entries.size < this.#maxEntries) return
    for (const [key, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(key)
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break
      this.#entries.delete(key)
    }
  }

  async claim(key, lease) {
    checkKey(key)
    const seconds = positiveSeconds(lease, 'lease', undefined)
    if (seconds === undefined) throw new TypeError('lease must be a number of seconds')
    const now = this.#clock()
    const entry = this.#live(key, now)
    if (entry !== undefined) return entry.done ? DONE_CLAIM : PROCESSING_CLAIM
    this.#makeRoom(now)
    const token = newToken()
    this.#entries.set(key, { token, done: false, expires: now + seconds * 1000 })
    return CLAIMED(token)
  }

  async complete(key, token, ttl) {
    checkKey(key)
    checkToken(token)
    const seconds = positiveSeconds(ttl, 'ttl', undefined)
    if (seconds === undefined) throw new TypeError('ttl must be a number of seconds')
    const now = this.#clock()
    const entry = this.#live(key, now)
    if (entry === undefined || entry.done || entry.token !== token) return
    entry.done = true
    entry.token = null
    entry.expires = now + seconds * 1000
  }

  async release(key, token) {
    checkKey(key)
    checkToken(token)
    const entry = this.#live(key, this.#clock())
    if (entry !== undefined && !entry.done && entry.token === token) this.#entries.delete(key)
  }
}

// complete and release: only while the entry is still our claim (the same token).
const COMPLETE_SCRIPT =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0"
const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

/** The client's three commands, whichever library made it. */
function redisCommands(client) {
  if (client === null || typeof client !== 'object') {
    throw new TypeError(`RedisStore needs a connected Redis client (node-redis v4+ or ioredis), got ${describeValue(client)}`)
  }
  // node-redis v4+ (the `redis` package): isOpen/isReady, object options, eval(script, { keys, arguments }).
  if (typeof client.isOpen === 'boolean' && typeof client.set === 'function' && typeof client.eval === 'function') {
    return {
      ready: () => client.isReady !== false,
      setNx: (key, value, ms) => client.set(key, value, { NX: true, PX: ms }),
      get: (key) => client.get(key),
      eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    }
  }
  // ioredis: a `status` string, positional arguments, eval(script, numkeys, ...keys, ...args).
  if (typeof client.status === 'string' && typeof client.set === 'function' && typeof client.eval === 'function') {
    return {
      ready: () => client.status === 'ready',
      setNx: (key, value, ms) => client.set(key, value, 'PX', ms, 'NX'),
      get: (key) => client.get(key),
      eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    }
  }
  throw new TypeError('RedisStore needs a node-redis v4+ client (the `redis` package: createClient()) or an ioredis client')
}

/**
 * A store in Redis, shared by every process and machine that uses the same server and prefix.
 * Takes a client you created and connected: node-redis v4+ (`redis`) or ioredis. A claim is
 * `SET key "processing:<token>" NX PX <lease ms>`; complete and release are Lua scripts that
 * first compare the value with our claim. A client that is not connected (or reconnecting)
 * fails at once, rather than queueing the command until Redis comes back.
 */
class RedisStore {
  #redis
  #prefix
  constructor(client, options) {
    this.#redis = redisCommands(client)
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object') throw new TypeError(`RedisStore options must be an object, got ${describeValue(o)}`)
    if (o.prefix !== undefined && typeof o.prefix !== 'string') throw new TypeError(`options.prefix must be a string, got ${describeValue(o.prefix)}`)
    this.#prefix = o.prefix === undefined ? DEFAULT_REDIS_PREFIX : o.prefix
  }

  get prefix() {
    return this.#prefix
  }

  #ready() {
    if (!this.#redis.ready()) throw new Error('the Redis client is not connected')
  }

  async claim(key, lease) {
    const k = this.#prefix + checkKey(key)
    const seconds = positiveSeconds(lease, 'lease', undefined)
    if (seconds === undefined) throw new TypeError('lease must be a number of seconds')
    const ms = Math.max(1, Math.ceil(seconds * 1000))
    // The entry can expire between a refused SET and the GET: then claim again.
    for (let attempt = 0; attempt < 5; attempt++) {
      this.#ready()
      const token = newToken()
      const set = await this.#redis.setNx(k, PROCESSING + token, ms)
      if (set === 'OK') return CLAIMED(token)
      const value = await this.#redis.get(k)
      if (value === DONE) return DONE_CLAIM
      if (typeof value === 'string') return PROCESSING_CLAIM
    }
    throw new Error(`the Redis key ${k} kept changing during a claim`)
  }

  async complete(key, token, ttl) {
    const k = this.#prefix + checkKey(key)
    checkToken(token)
    const seconds = positiveSeconds(ttl, 'ttl', undefined)
    if (seconds === undefined) throw new TypeError('ttl must be a number of seconds')
    this.#ready()
    await this.#redis.eval(COMPLETE_SCRIPT, [k], [PROCESSING + token, DONE, String(Math.max(1, Math.ceil(seconds * 1000)))])
  }

  async release(key, token) {
    const k = this.#prefix + checkKey(key)
    checkToken(token)
    this.#ready()
    await this.#redis.eval(RELEASE_SCRIPT, [k], [PROCESSING + token])
  }
}

function checkStore(store) {
  if (store === null || typeof store !== 'object' || !['claim', 'complete', 'release'].every((m) => typeof store[m] === 'function')) {
    throw new TypeError('options.store must have claim(key, lease), complete(key, token, ttl) and release(key, token) methods')
  }
  return store
}

/**
 * Handles each verified event once. `claim(scheme, event)` after the signature check; when its
 * state is 'claimed', handle the event, then `complete(claim)` (it succeeded) or `release(claim)`
 * (it failed: Qonto's retry will be handled). 'done': already handled; 'processing': another
 * delivery is handling it now. A store failure is an IdempotencyError 'idempotency_store_unavailable'.
 */
class IdempotencyGuard {
  #store
  #lease
  #ttl
  constructor(options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object') throw new TypeError(`IdempotencyGuard options must be an object, got ${describeValue(o)}`)
    this.#store = o.store === undefined ? new MemoryStore() : checkStore(o.store)
    this.#lease = positiveSeconds(o.lease, 'options.lease', DEFAULT_LEASE)
    this.#ttl = positiveSeconds(o.ttl, 'options.ttl', DEFAULT_TTL)
  }

  get store() {
    return this.#store
  }

  /** Seconds an event stays 'processing' after its claim. */
  get lease() {
    return this.#lease
  }

  /** Seconds an event stays 'done' after it was handled. */
  get ttl() {
    return this.#ttl
  }

  /**
   * Claims a verified event: resolves to { state, token, key, id }. Rejects with an
   * IdempotencyError: 'invalid_payload' (no string id) or 'idempotency_store_unavailable'.
   */
  async claim(scheme, event) {
    const key = idempotencyKey(scheme, event)
    let claim
    try {
      claim = await this.#store.claim(key, this.#lease)
    } catch (cause) {
      throw new IdempotencyError('idempotency_store_unavailable', `the idempotency store failed: ${cause && cause.message ? cause.message : String(cause)}`, { cause })
    }
    if (claim === null || typeof claim !== 'object' || !['claimed', 'processing', 'done'].includes(claim.state)) {
      throw new IdempotencyError('idempotency_store_unavailable', `the idempotency store's claim returned ${describeValue(claim)}, not { state, token }`)
    }
    return Object.freeze({ state: claim.state, token: claim.state === 'claimed' ? claim.token : null, key, id: event.id })
  }

  #claimed(claim, what) {
    if (claim === null || typeof claim !== 'object' || claim.state !== 'claimed' || typeof claim.key !== 'string') {
      throw new TypeError(`${what} takes the result of a claim whose state is 'claimed'`)
    }
    return claim
  }

  /** The event was handled: it stays 'done' for `ttl` seconds (a no-op if the claim lapsed and another took it). */
  async complete(claim) {
    const c = this.#claimed(claim, 'complete')
    try {
      await this.#store.complete(c.key, c.token, this.#ttl)
    } catch (cause) {
      throw new IdempotencyError('idempotency_store_unavailable', `the idempotency store failed: ${cause && cause.message ? cause.message : String(cause)}`, { cause })
    }
  }

  /** The handler failed: forget the claim, so Qonto's next delivery is handled. */
  async release(claim) {
    const c = this.#claimed(claim, 'release')
    try {
      await this.#store.release(c.key, c.token)
    } catch (cause) {
      throw new IdempotencyError('idempotency_store_unavailable', `the idempotency store failed: ${cause && cause.message ? cause.message : String(cause)}`, { cause })
    }
  }
}

module.exports = { DEFAULT_LEASE, DEFAULT_TTL, DEFAULT_MAX_ENTRIES, DEFAULT_REDIS_PREFIX, IdempotencyError, eventId, idempotencyKey, MemoryStore, RedisStore, IdempotencyGuard }
