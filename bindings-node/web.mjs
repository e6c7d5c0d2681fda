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
// It follows the same behaviour contract as the Rust core and is tested against the same vectors.

export const ERROR_CODES = Object.freeze([
  'invalid_secret',
  'missing_header',
  'malformed_header',
  'missing_timestamp',
  'missing_signature',
  'timestamp_too_old',
  'timestamp_in_future',
  'signature_mismatch',
])
export const BUSINESS_HEADER = 'X-Qonto-Signature'
export const ONBOARDING_HEADER = 'Qonto-SHA256-Signature'
export const DEFAULT_TOLERANCE = 300
/** The one `tolerance` value that switches the replay window off (null and undefined mean the default). */
export const TOLERANCE_DISABLED = 'disabled'
/** The values of the `schemes` option: which webhooks `verifyRequestAsync` accepts. */
export const SCHEMES = Object.freeze(['business', 'onboarding', 'both'])
export const MAX_SECRETS = 8
export const MAX_HEADER_LEN = 4096

const MAX_U64 = 18446744073709551615n
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

const fail = (code, message, scheme = 'business') => {
  throw new WebhookVerificationError(code, message, code === 'invalid_secret' ? undefined : scheme)
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

const trim = (s) => s.replace(/^[ \t]+|[ \t]+$/g, '')
const HEX64 = /^[0-9a-fA-F]{64}$/

function hexToBytes(hex) {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16)
  return out
}

function toHex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('')
}

function checkLength(header, scheme) {
  const len = encoder.encode(header).length
  if (len > MAX_HEADER_LEN) {
    fail('malformed_header', `the ${name(scheme)} header is ${len} bytes long, more than the ${MAX_HEADER_LEN} allowed`, scheme)
  }
}

const name = (scheme) => (scheme === 'business' ? BUSINESS_HEADER : ONBOARDING_HEADER)
const missing = (scheme) =>
  fail(
    'missing_header',
    `the ${name(scheme)} header is missing or empty: read it from the request headers (header names are case-insensitive)`,
    scheme,
  )
const notHex = (scheme) =>
  fail(
    'malformed_header',
    `the ${name(scheme)} header is malformed: ` +
      (scheme === 'business' ? 'each v1 must be exactly 64 hex digits' : 'it must be exactly 64 hex digits (no prefix such as sha256=)') +
      ' (the hex HMAC-SHA256; not base64)',
    scheme,
  )

/** Parses X-Qonto-Signature as the contract says: { text, value, signatures }. */
function parseBusiness(header) {
  checkLength(header, 'business')
  const value = trim(header)
  if (value === '') missing('business')
  let timestamp
  const signatures = []
  value.split(',').forEach((raw, index) => {
    const item = trim(raw)
    const eq = item.indexOf('=')
    if (eq < 0) {
      fail(
        'malformed_header',
        `the ${BUSINESS_HEADER} header is malformed: item ${index + 1} is not of the form key=value (expected t=<unix seconds>,v1=<64 hex digits>)`,
      )
    }
    const key = item.slice(0, eq)
    const val = item.slice(eq + 1)
    if (key === 't') {
      if (timestamp !== undefined) fail('malformed_header', `the ${BUSINESS_HEADER} header is malformed: it has more than one t item`)
      if (!/^[0-9]+$/.test(val)) {
        fail('malformed_header', `the ${BUSINESS_HEADER} header is malformed: t must be ASCII digits only (unix seconds, no sign, no fraction)`)
      }
      if (BigInt(val) > MAX_U64) fail('malformed_header', `the ${BUSINESS_HEADER} header is malformed: the t value does not fit in 64 bits`)
      timestamp = val
    } else if (key === 'v1') {
      if (!HEX64.test(val)) notHex('business')
      signatures.push(hexToBytes(val))
    }
  })
  if (timestamp === undefined) {
    fail('missing_timestamp', `the ${BUSINESS_HEADER} header has no t item: expected t=<unix seconds>,v1=<signature> (an onboarding webhook carries ${ONBOARDING_HEADER} instead)`)
  }
  if (signatures.length === 0) fail('missing_signature', `the ${BUSINESS_HEADER} header has no v1 item: expected t=<unix seconds>,v1=<signature>`)
  return { text: timestamp, value: BigInt(timestamp), signatures }
}

function parseOnboarding(header) {
  checkLength(header, 'onboarding')
  const hex = trim(header)
  if (hex === '') missing('onboarding')
  if (!HEX64.test(hex)) notHex('onboarding')
  return hexToBytes(hex)
}

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

// A header over the length limit is present, whatever it holds: length is checked first, so it
// is malformed_header, not missing_header.
const blank = (h) => h === undefined || (/^[ \t]*$/.test(h) && encoder.encode(h).length <= MAX_HEADER_LEN)

/**
 * The header to verify among the two a request may carry (undefined: absent), by the rule of the
 * Rust core's `Schemes::select`, with its messages: only the configured schemes' headers are read;
 * with 'both', the business header wins when present and not blank; with none accepted there,
 * `missing_header`, saying when the request carries the other scheme's header instead.
 */
function select(schemes, business, onboarding) {
  const b = blank(business) ? undefined : business
  const o = blank(onboarding) ? undefined : onboarding
  if (schemes === 'both') {
    if (b !== undefined) return ['business', b]
    if (o !== undefined) return ['onboarding', o]
    return fail(
      'missing_header',
      `the ${BUSINESS_HEADER} and ${ONBOARDING_HEADER} headers are both missing or empty: read them from the request headers (header names are case-insensitive)`,
    )
  }
  const [scheme, chosen, other] = schemes === 'onboarding' ? ['onboarding', o, b] : ['business', b, o]
  if (chosen !== undefined) return [scheme, chosen]
  if (other !== undefined) {
    const otherName = scheme === 'business' ? ONBOARDING_HEADER : BUSINESS_HEADER
    fail(
      'missing_header',
      `the ${name(scheme)} header is missing: the request carries ${otherName} instead, but this endpoint accepts ${scheme} webhooks only (accepting the other scheme must be configured explicitly, with its own secret)`,
      scheme,
    )
  }
  return missing(scheme)
}

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
    if (secret === undefined || secret === null || secret === '') {
      fail('invalid_secret', `no webhook secret was given (got ${secret === '' ? 'an empty string' : String(secret)}): pass the secret Qonto returned when the subscription was created`)
    }
    const list = (Array.isArray(secret) ? secret : [secret]).map((s, i) => toBytes(s, Array.isArray(secret) ? `secret[${i}]` : 'secret'))
    if (list.length === 0) fail('invalid_secret', 'no webhook secret was given: pass at least one')
    if (list.some((s) => s.length === 0)) {
      fail('invalid_secret', 'the webhook secret is empty: pass the secret Qonto returned when the subscription was created, exactly as given (a whsec_ prefix included)')
    }
    if (list.length > MAX_SECRETS) fail('invalid_secret', `too many webhook secrets: a verifier holds at most ${MAX_SECRETS} (keep only the secrets still in rotation)`)
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
    return fail(
      'signature_mismatch',
      `the signature does not match (${keys.length} secret(s) tried against ${candidates.length} signature(s)): pass the raw request body, byte for byte, before any JSON parsing, and the subscription's webhook secret (not the API key)` +
        (scheme === 'business' ? "; the signed bytes are the t value as sent, then '.', then the body" : ''),
      scheme,
    )
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
    const now = BigInt(o.now === undefined ? nowSeconds() : seconds(o.now, 'options.now'))
    if (this.#tolerance !== TOLERANCE_DISABLED) {
      const tol = BigInt(this.#tolerance)
      if (now >= parsed.value && now - parsed.value > tol) {
        fail('timestamp_too_old', `the timestamp is ${now - parsed.value} s old, more than the ${tol} s tolerance: the webhook may be a replay; if it is not, check this server's clock (NTP)`)
      }
      if (parsed.value > now && parsed.value - now > tol) {
        fail('timestamp_in_future', `the timestamp is ${parsed.value - now} s in the future, more than the ${tol} s tolerance: check this server's clock (NTP)`)
      }
    }
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
    return new IncrementalVerification((body) => this.#business(body, parsed))
  }

  startOnboarding(header) {
    const candidate = parseOnboarding(headerText(header))
    return new IncrementalVerification((body) => this.#onboarding(body, candidate))
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

/** A verification in progress (web entry): `update(chunk)` keeps a copy of each piece, `await finishAsync()` checks them. */
class IncrementalVerification {
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
  if (key.length === 0) fail('invalid_secret', 'the webhook secret is empty')
  const t = scheme === 'business' ? String(o.timestamp === undefined ? nowSeconds() : seconds(o.timestamp, 'options.timestamp')) : ''
  const k = await importKey(key)
  if (scheme === 'onboarding') return toHex(await subtle().sign('HMAC', k, bytes))
  return `t=${t},v1=${toHex(await subtle().sign('HMAC', k, concat(encoder.encode(t + '.'), bytes)))}`
}

/** The native entry's synchronous name: throws at once (use `await signAsync(...)`). */
export function sign() {
  asyncOnly('sign', 'signAsync')
}

export default {
  Verifier,
  WebhookVerificationError,
  signAsync,
  sign,
  ERROR_CODES,
  BUSINESS_HEADER,
  ONBOARDING_HEADER,
  DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED,
  SCHEMES,
  MAX_SECRETS,
  MAX_HEADER_LEN,
}
