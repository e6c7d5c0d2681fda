// qonto-webhooks/web: the same checks on WebCrypto (crypto.subtle), for runtimes that cannot load
// a native addon (Cloudflare Workers, Vercel Edge, Deno, browsers). Every method that computes an
// HMAC is async and says so in its name (verifyAsync, constructEventAsync, finishAsync, signAsync,
// ...): a name that is synchronous in the native entry is never asynchronous here, so code written
// for one cannot silently fall through with the other (a Promise is not an exception). The
// synchronous names exist only to throw a TypeError at once. This is the slow path: on Node.js,
// use the native entry ('qonto-webhooks').
//
// Caller buffers are copied at the call: a buffer changed after the call (before the await
// resolves, or between update() and finishAsync()) does not change what is verified or parsed.
//
// The rules (header parsing, the window, the choice of header, the messages) are rules.mjs, shared
// with the main entry's pure-JS fallback; only the HMAC (WebCrypto, async) is computed here. It is
// tested against the same vectors, and its codes and messages against the native entry's.

import {
  ERROR_CODES,
  BUSINESS_HEADER,
  ONBOARDING_HEADER,
  DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED,
  SCHEMES,
  MAX_SECRETS,
  MAX_HEADER_LEN,
  Rejection,
  absentSecret,
  checkSecretLengths,
  emptySecret,
  parseBusiness as parseBusinessRule,
  parseOnboarding as parseOnboardingRule,
  checkWindow,
  select as selectRule,
  mismatch,
  hexToBytes,
  toHex,
} from './rules.mjs'

export { ERROR_CODES, BUSINESS_HEADER, ONBOARDING_HEADER, DEFAULT_TOLERANCE, TOLERANCE_DISABLED, SCHEMES, MAX_SECRETS, MAX_HEADER_LEN }

// The idempotency guard (framework-free: claim, handle, complete or release), the same as the
// main entry's.
import { IdempotencyGuard, IdempotencyError, MemoryStore, RedisStore, idempotencyKey, DEFAULT_LEASE, DEFAULT_TTL } from './idempotency.mjs'

export { IdempotencyGuard, IdempotencyError, MemoryStore, RedisStore, idempotencyKey, DEFAULT_LEASE, DEFAULT_TTL }

// The typed payloads' helpers (the types are in payloads.d.ts), the same as the main entry's.
import { decimalString, eventAction } from './payloads.mjs'

export { decimalString, eventAction }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8')

/** A rejected webhook or secret; `code` is one of ERROR_CODES. */
export class WebhookVerificationError extends Error {
  constructor(code, message, scheme) {
    super(message)
    this.name = 'WebhookVerificationError'
    this.code = code
    this.scheme = scheme
  }
}

/** The value, or throws the Rejection the shared rules returned as a WebhookVerificationError. */
const settle = (value) => {
  if (value instanceof Rejection) throw new WebhookVerificationError(value.code, value.message, value.scheme)
  return value
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * The bytes of a string, typed array, DataView or ArrayBuffer, always as a new copy: the caller may
 * reuse its buffer once the call returns, while the HMAC is still being computed. A detached buffer
 * throws a TypeError (constructing a view on it does).
 */
function toBytes(value, what) {
  if (typeof value === 'string') return encoder.encode(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    return new Uint8Array(new Uint8Array(value))
  }
  const parsed = what === 'body' && value !== null && typeof value === 'object'
  throw new TypeError(
    `${what} must be a string, Uint8Array or ArrayBuffer, got ${describe(value)}` +
      (parsed ? ': pass the raw request body (await request.text()), not parsed JSON' : ''),
  )
}

function headerText(header) {
  if (typeof header === 'string') return header
  if (header === undefined || header === null) return ''
  if (Array.isArray(header) && header.every((h) => typeof h === 'string')) return header.join(',')
  throw new TypeError(`header must be a string, an array of strings or undefined, got ${describe(header)}`)
}

function seconds(value, what) {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number of unix seconds, got ${describe(value)}`)
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative whole number of seconds, got ${value}`)
  }
  return value
}

function tolerance(value) {
  if (value === undefined || value === null) return DEFAULT_TOLERANCE
  if (value === TOLERANCE_DISABLED) return value
  if (typeof value !== 'number') throw new TypeError(`options.tolerance must be a number of seconds or '${TOLERANCE_DISABLED}', got ${describe(value)}`)
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`options.tolerance must be a non-negative whole number of seconds (or '${TOLERANCE_DISABLED}'), got ${value}`)
  }
  return value
}

function schemesOption(value) {
  if (value === undefined || value === null) return 'business'
  if (SCHEMES.includes(value)) return value
  throw new TypeError(`options.schemes must be 'business', 'onboarding' or 'both', got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`)
}

const options = (o) => {
  if (o === undefined || o === null) return {}
  if (typeof o !== 'object') throw new TypeError(`options must be an object, got ${describe(o)}`)
  return o
}

const parseBusiness = (header) => {
  const parsed = settle(parseBusinessRule(header))
  return { ...parsed, signatures: parsed.signatures.map(hexToBytes) }
}
const parseOnboarding = (header) => hexToBytes(settle(parseOnboardingRule(header)))

function equal(a, b) {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

const subtle = () => {
  if (!globalThis.crypto || !globalThis.crypto.subtle) throw new Error('qonto-webhooks/web needs WebCrypto (globalThis.crypto.subtle)')
  return globalThis.crypto.subtle
}
const importKey = (bytes) => subtle().importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
const nowSeconds = () => Math.floor(Date.now() / 1000)

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** A synchronous call of a name that is async here: a TypeError at once, never a Promise. */
function asyncOnly(name, instead) {
  const err = new TypeError(
    `qonto-webhooks/web is asynchronous: use \`await ${instead}(...)\`; ${name}() is the native entry's ` +
      "synchronous method ('qonto-webhooks'), and here it would return a Promise that a try/catch cannot see reject",
  )
  err.code = 'ERR_QONTO_ASYNC_ENTRY'
  throw err
}

const select = (schemes, business, onboarding) => settle(selectRule(schemes, business, onboarding))

const parseJson = (bytes) => JSON.parse(decoder.decode(bytes))

/**
 * Verifies Qonto webhooks on WebCrypto. Same options and results as the native Verifier; the
 * methods that compute an HMAC are async and named so (verifyAsync, ...).
 */
export class Verifier {
  #keys
  #tolerance
  #schemes
  constructor(secret, opts) {
    if (secret === undefined || secret === null || secret === '') settle(absentSecret(secret))
    const list = (Array.isArray(secret) ? secret : [secret]).map((s, i) => toBytes(s, Array.isArray(secret) ? `secret[${i}]` : 'secret'))
    settle(checkSecretLengths(list.map((s) => s.length)) ?? list)
    const o = options(opts)
    this.#tolerance = tolerance(o.tolerance)
    this.#schemes = schemesOption(o.schemes)
    this.#keys = Promise.all(list.map(importKey))
    this.#keys.catch(() => {}) // reported by the first verification
  }

  /** The replay window in seconds, or 'disabled'. */
  get tolerance() {
    return this.#tolerance
  }

  /** What verifyRequestAsync accepts: 'business' (the default), 'onboarding' or 'both'. */
  get schemes() {
    return this.#schemes
  }

  async #match(message, candidates, scheme) {
    const keys = await this.#keys
    for (let i = 0; i < keys.length; i++) {
      const tag = new Uint8Array(await subtle().sign('HMAC', keys[i], message))
      let found = false
      for (const c of candidates) found = equal(tag, c) || found
      if (found) return i
    }
    return settle(mismatch(scheme, keys.length, candidates.length))
  }

  // Each public method copies the body and checks the header and the window synchronously, at the
  // call (an async function runs up to its first await at once); only the HMAC is awaited.

  /** Verifies a business webhook. Resolves to { secretIndex, timestamp }. */
  async verifyAsync(body, header, opts) {
    return this.#business(toBytes(body, 'body'), this.#parse(header, opts))
  }

  #parse(header, opts) {
    const parsed = parseBusiness(headerText(header))
    this.#window(parsed, opts)
    return parsed
  }

  async #business(bytes, parsed) {
    const secretIndex = await this.#match(concat(encoder.encode(parsed.text + '.'), bytes), parsed.signatures, 'business')
    return { secretIndex, timestamp: Number(parsed.value) }
  }

  async #onboarding(bytes, candidate) {
    const secretIndex = await this.#match(bytes, [candidate], 'onboarding')
    return { secretIndex, timestamp: null }
  }

  #window(parsed, opts) {
    const o = options(opts)
    settle(checkWindow(parsed.value, o.now === undefined ? nowSeconds() : seconds(o.now, 'options.now'), this.#tolerance) ?? parsed)
  }

  /** Verifies an onboarding webhook (no timestamp, no replay window). Resolves to { secretIndex, timestamp: null }. */
  async verifyOnboardingAsync(body, header) {
    const bytes = toBytes(body, 'body')
    return this.#onboarding(bytes, parseOnboarding(headerText(header)))
  }

  /**
   * Starts a verification whose body arrives in pieces. The header and window are checked now
   * (throws synchronously); WebCrypto has no incremental HMAC, so copies of the pieces are kept and
   * `await finishAsync()` checks them all at once.
   */
  start(header, opts) {
    const parsed = this.#parse(header, opts)
    return new Incremental((body) => this.#business(body, parsed))
  }

  startOnboarding(header) {
    const candidate = parseOnboarding(headerText(header))
    return new Incremental((body) => this.#onboarding(body, candidate))
  }

  /** verifyAsync, then the JSON of the very bytes verified. */
  async constructEventAsync(body, header, opts) {
    const bytes = toBytes(body, 'body')
    await this.#business(bytes, this.#parse(header, opts))
    return parseJson(bytes)
  }

  async constructOnboardingEventAsync(body, header) {
    const bytes = toBytes(body, 'body')
    await this.#onboarding(bytes, parseOnboarding(headerText(header)))
    return parseJson(bytes)
  }

  /**
   * Verifies a request (a Fetch Headers or a plain object) under the schemes this verifier accepts
   * (options.schemes; business only by default): the configuration picks the header, never the
   * request. Resolves to { scheme, secretIndex, timestamp }.
   */
  async verifyRequestAsync(headers, body, opts) {
    return this.#request(headers, toBytes(body, 'body'), opts)
  }

  #request(headers, bytes, opts) {
    const [scheme, header] = select(this.#schemes, readHeader(headers, 'x-qonto-signature'), readHeader(headers, 'qonto-sha256-signature'))
    const verified = scheme === 'business' ? this.#business(bytes, this.#parse(header, opts)) : this.#onboarding(bytes, parseOnboarding(header))
    return verified.then((r) => ({ scheme, ...r }))
  }

  async constructEventFromRequestAsync(headers, body, opts) {
    const bytes = toBytes(body, 'body')
    const verified = await this.#request(headers, bytes, opts)
    return { ...verified, event: parseJson(bytes) }
  }

  // The native entry's synchronous names: here they throw at once (see asyncOnly).
  verify() {
    asyncOnly('verify', 'verifier.verifyAsync')
  }

  verifyOnboarding() {
    asyncOnly('verifyOnboarding', 'verifier.verifyOnboardingAsync')
  }

  verifyRequest() {
    asyncOnly('verifyRequest', 'verifier.verifyRequestAsync')
  }

  constructEvent() {
    asyncOnly('constructEvent', 'verifier.constructEventAsync')
  }

  constructOnboardingEvent() {
    asyncOnly('constructOnboardingEvent', 'verifier.constructOnboardingEventAsync')
  }

  constructEventFromRequest() {
    asyncOnly('constructEventFromRequest', 'verifier.constructEventFromRequestAsync')
  }
}

/**
 * A verification in progress (web entry), the incremental verifier: `update(chunk)` keeps a copy
 * of each piece, `await finishAsync()` checks them.
 */
export class Incremental {
  #chunks = []
  #check
  constructor(check) {
    this.#check = check
  }

  update(chunk) {
    if (this.#chunks === null) throw Object.assign(new Error('this verification is already finished: start a new one'), { code: 'ERR_INVALID_STATE' })
    this.#chunks.push(toBytes(chunk, 'chunk'))
    return this
  }

  async finishAsync() {
    if (this.#chunks === null) throw Object.assign(new Error('this verification is already finished: start a new one'), { code: 'ERR_INVALID_STATE' })
    const chunks = this.#chunks
    this.#chunks = null
    return this.#check(chunks.reduce(concat, new Uint8Array(0)))
  }

  finish() {
    asyncOnly('finish', 'verification.finishAsync')
  }
}

function readHeader(headers, lower) {
  if (headers === null || typeof headers !== 'object') throw new TypeError(`headers must be a Fetch Headers or an object, got ${describe(headers)}`)
  if (typeof headers.get === 'function') {
    const v = headers.get(lower)
    return v === null ? undefined : v
  }
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower)
  const v = key === undefined ? undefined : headers[key]
  return v === undefined || v === null ? undefined : headerText(v)
}

/** Signs a body as Qonto does (for tests): resolves to the header value. */
export async function signAsync(secret, body, opts) {
  const key = toBytes(secret, 'secret')
  const bytes = toBytes(body, 'body')
  const o = options(opts)
  const scheme = o.scheme === undefined ? 'business' : o.scheme
  if (scheme !== 'business' && scheme !== 'onboarding') throw new TypeError(`options.scheme must be 'business' or 'onboarding', got ${String(o.scheme)}`)
  if (key.length === 0) settle(emptySecret())
  const t = scheme === 'business' ? String(o.timestamp === undefined ? nowSeconds() : seconds(o.timestamp, 'options.timestamp')) : ''
  const k = await importKey(key)
  if (scheme === 'onboarding') return toHex(new Uint8Array(await subtle().sign('HMAC', k, bytes)))
  return `t=${t},v1=${toHex(new Uint8Array(await subtle().sign('HMAC', k, concat(encoder.encode(t + '.'), bytes))))}`
}

/** The native entry's synchronous name: throws at once (use `await signAsync(...)`). */
export function sign() {
  asyncOnly('sign', 'signAsync')
}

/** @deprecated The former name of Incremental (the same class). */
export const IncrementalVerification = Incremental

// The Fetch `Request` integrations (http.mjs, shared with the main entry): async here as there.
import { configure, receiveWebRequest, webHandler, WebhookRequestError } from './http.mjs'

export { WebhookRequestError }

/**
 * Verifies a Fetch `Request` (its body read with `limit`, default 1 MiB, and its headers) under the
 * configured schemes, then parses it: resolves to `{ scheme, secretIndex, timestamp, event }`, or
 * rejects with a WebhookVerificationError or a WebhookRequestError (`status` is its answer's).
 * options: `{ secret, tolerance?, schemes? }` or `{ verifier }`, `limit?`, `now?`.
 */
export async function verifyWebRequest(request, opts) {
  const c = configure(opts, 'verifyWebRequest', Verifier)
  if (c.guard !== undefined) {
    throw new TypeError('verifyWebRequest takes no idempotency option: use qontoWebHandler(options, handler), which answers redeliveries itself')
  }
  const now = opts.now === undefined ? undefined : { now: seconds(opts.now, 'options.now') }
  return receiveWebRequest(request, c.limit, (headers, bytes) => c.verifier.verifyRequestAsync(headers, bytes, now))
}

/**
 * A Fetch handler `(request) => Promise<Response>`: verifies, applies the idempotency guard, then
 * returns `handler(event, webhook, request)`'s Response; refusals and redeliveries are answered in
 * the contract's JSON. The options of verifyWebRequest, plus `idempotency`.
 */
export function qontoWebHandler(opts, handler) {
  const c = configure(opts, 'qontoWebHandler', Verifier)
  return webHandler(c, handler, (headers, bytes) => c.verifier.verifyRequestAsync(headers, bytes))
}

export default {
  Verifier,
  Incremental,
  IncrementalVerification,
  WebhookVerificationError,
  signAsync,
  sign,
  verifyWebRequest,
  qontoWebHandler,
  WebhookRequestError,
  decimalString,
  eventAction,
  ERROR_CODES,
  BUSINESS_HEADER,
  ONBOARDING_HEADER,
  DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED,
  SCHEMES,
  MAX_SECRETS,
  MAX_HEADER_LEN,
  IdempotencyGuard,
  IdempotencyError,
  MemoryStore,
  RedisStore,
  idempotencyKey,
  DEFAULT_LEASE,
  DEFAULT_TTL,
}
