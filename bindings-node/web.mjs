// qonto-webhooks/web: the same API on WebCrypto (crypto.subtle), for runtimes that cannot load a
// native addon (Cloudflare Workers, Vercel Edge, Deno, browsers). Every method that touches a key
// is async. This is the slow path: on Node.js, use the native entry ('qonto-webhooks').
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

function toBytes(value, what) {
  if (typeof value === 'string') return encoder.encode(value)
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
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

/** Verifies Qonto webhooks on WebCrypto. Same options and results as the native Verifier; methods are async. */
export class Verifier {
  #keys
  #tolerance
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
    this.#tolerance = o.tolerance === null ? null : o.tolerance === undefined ? DEFAULT_TOLERANCE : seconds(o.tolerance, 'options.tolerance')
    this.#keys = Promise.all(list.map(importKey))
    this.#keys.catch(() => {}) // reported by the first verify
  }

  get tolerance() {
    return this.#tolerance
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

  /** Verifies a business webhook. Resolves to { secretIndex, timestamp }. */
  async verify(body, header, opts) {
    const bytes = toBytes(body, 'body')
    const parsed = parseBusiness(headerText(header))
    const o = options(opts)
    this.#window(parsed, o)
    return this.#business(bytes, parsed)
  }

  async #business(bytes, parsed) {
    const secretIndex = await this.#match(concat(encoder.encode(parsed.text + '.'), bytes), parsed.signatures, 'business')
    return { secretIndex, timestamp: Number(parsed.value) }
  }

  #window(parsed, opts) {
    const o = options(opts)
    const now = BigInt(o.now === undefined ? nowSeconds() : seconds(o.now, 'options.now'))
    if (this.#tolerance !== null) {
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
  async verifyOnboarding(body, header) {
    const bytes = toBytes(body, 'body')
    const candidate = parseOnboarding(headerText(header))
    const secretIndex = await this.#match(bytes, [candidate], 'onboarding')
    return { secretIndex, timestamp: null }
  }

  /**
   * Starts a verification whose body arrives in pieces. The header and window are checked now
   * (throws synchronously); WebCrypto has no incremental HMAC, so the pieces are kept and
   * `await finish()` checks them all at once.
   */
  start(header, opts) {
    const parsed = parseBusiness(headerText(header))
    this.#window(parsed, opts)
    return new IncrementalVerification((body) => this.#business(body, parsed))
  }

  startOnboarding(header) {
    const h = headerText(header)
    parseOnboarding(h)
    return new IncrementalVerification((body) => this.verifyOnboarding(body, h))
  }

  async constructEvent(body, header, opts) {
    await this.verify(body, header, opts)
    return JSON.parse(typeof body === 'string' ? body : decoder.decode(toBytes(body, 'body')))
  }

  async constructOnboardingEvent(body, header) {
    await this.verifyOnboarding(body, header)
    return JSON.parse(typeof body === 'string' ? body : decoder.decode(toBytes(body, 'body')))
  }

  /** Picks the scheme from the header present (a Fetch Headers or a plain object). */
  async verifyRequest(headers, body, opts) {
    const business = readHeader(headers, 'x-qonto-signature')
    if (business !== undefined) return { scheme: 'business', ...(await this.verify(body, business, opts)) }
    const onboarding = readHeader(headers, 'qonto-sha256-signature')
    if (onboarding !== undefined) return { scheme: 'onboarding', ...(await this.verifyOnboarding(body, onboarding)) }
    toBytes(body, 'body')
    return fail('missing_header', `the request has neither a ${BUSINESS_HEADER} header (business webhooks) nor a ${ONBOARDING_HEADER} header (onboarding webhooks)`)
  }

  async constructEventFromRequest(headers, body, opts) {
    const verified = await this.verifyRequest(headers, body, opts)
    return { ...verified, event: JSON.parse(typeof body === 'string' ? body : decoder.decode(toBytes(body, 'body'))) }
  }
}

/** A verification in progress (web entry): `update(chunk)` keeps the pieces, `await finish()` checks them. */
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

  async finish() {
    if (this.#chunks === null) throw Object.assign(new Error('this verification is already finished: start a new one'), { code: 'ERR_INVALID_STATE' })
    const chunks = this.#chunks
    this.#chunks = null
    return this.#check(chunks.reduce(concat, new Uint8Array(0)))
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
export async function sign(secret, body, opts) {
  const key = toBytes(secret, 'secret')
  const bytes = toBytes(body, 'body')
  const o = options(opts)
  const scheme = o.scheme === undefined ? 'business' : o.scheme
  if (scheme !== 'business' && scheme !== 'onboarding') throw new TypeError(`options.scheme must be 'business' or 'onboarding', got ${String(o.scheme)}`)
  if (key.length === 0) fail('invalid_secret', 'the webhook secret is empty')
  const k = await importKey(key)
  if (scheme === 'onboarding') return toHex(await subtle().sign('HMAC', k, bytes))
  const t = String(o.timestamp === undefined ? nowSeconds() : seconds(o.timestamp, 'options.timestamp'))
  return `t=${t},v1=${toHex(await subtle().sign('HMAC', k, concat(encoder.encode(t + '.'), bytes)))}`
}

export default { Verifier, WebhookVerificationError, sign, ERROR_CODES, BUSINESS_HEADER, ONBOARDING_HEADER, DEFAULT_TOLERANCE, MAX_SECRETS, MAX_HEADER_LEN }
