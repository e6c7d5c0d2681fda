'use strict'
// qonto-webhooks: verify Qonto webhook signatures in Node.js.
//
// The verification itself (parsing, the replay window, the constant-time HMAC check) runs in the
// Rust core through the native addon loaded by binding.js, or, where no native package matches this
// platform (or QONTO_WEBHOOKS_IMPLEMENTATION=js), in the pure-JS implementation of fallback.js on
// node:crypto, which offers the same private functions with the same results. This file only
// checks argument types, turns failures into WebhookVerificationError, and adds the conveniences
// (events, requests, Express middleware). index.mjs re-exports this module, so CommonJS and ES
// modules share one WebhookVerificationError class.

const IMPLEMENTATIONS = ['native', 'js']

/**
 * The native addon when it loads, else the pure-JS implementation. QONTO_WEBHOOKS_IMPLEMENTATION
 * chooses: 'js' forces the fallback, 'native' requires the addon (a clear error if it cannot load).
 */
function load() {
  const wanted = process.env.QONTO_WEBHOOKS_IMPLEMENTATION
  if (wanted !== undefined && wanted !== '' && !IMPLEMENTATIONS.includes(wanted)) {
    const err = new Error(
      `QONTO_WEBHOOKS_IMPLEMENTATION must be 'native' or 'js' (or unset: the native addon when it loads, else js), got ${JSON.stringify(wanted)}`,
    )
    err.code = 'ERR_QONTO_IMPLEMENTATION'
    throw err
  }
  if (wanted === 'js') return { native: require('./fallback.js'), implementation: 'js' }
  try {
    return { native: require('./binding.js'), implementation: 'native' }
  } catch (cause) {
    if (wanted === 'native') {
      const err = new Error(
        `QONTO_WEBHOOKS_IMPLEMENTATION=native, but no native addon of qonto-webhooks loads on ${process.platform}-${process.arch}: ` +
          'the platform package (e.g. qonto-webhooks-linux-x64-gnu) is an optional dependency, installed only where one is ' +
          'published for this platform and when optional dependencies are not omitted. Unset the variable to use the ' +
          "pure-JS implementation (same API and results), or install on a platform that has one. Why each candidate failed is the cause.",
      )
      err.code = 'ERR_QONTO_IMPLEMENTATION'
      // The generated loader's own summary blames npm; its cause chain holds the real reasons.
      err.cause = cause !== null && typeof cause === 'object' && cause.cause !== undefined ? cause.cause : cause
      throw err
    }
    return { native: require('./fallback.js'), implementation: 'js' }
  }
}

const { native, implementation } = load()
const rules = require('./rules.cjs')
const idempotency = require('./idempotency.cjs')
const { IdempotencyGuard, IdempotencyError } = idempotency

/** Every stable error code, in the order of their frozen numbers (1 to 8). */
const ERROR_CODES = Object.freeze(native.errorCodes())
const CODE_SET = new Set(ERROR_CODES)

const BUSINESS_HEADER = 'X-Qonto-Signature'
const ONBOARDING_HEADER = 'Qonto-SHA256-Signature'
const DEFAULT_TOLERANCE = native.DEFAULT_TOLERANCE_SECS
/** The one `tolerance` value that switches the replay window off (null and undefined mean the default). */
const TOLERANCE_DISABLED = 'disabled'
/** The values of the `schemes` option: which webhooks `verifyRequest` and the middleware accept. */
const SCHEMES = Object.freeze(['business', 'onboarding', 'both'])
const MAX_SECRETS = native.MAX_SECRETS
const MAX_HEADER_LEN = native.MAX_HEADER_LEN

/**
 * A rejected webhook, or a rejected secret. `code` is one of ERROR_CODES, the same string in every
 * binding of this library; `message` says what was wrong and what to do. Neither ever contains
 * the secret or the expected signature.
 */
class WebhookVerificationError extends Error {
  constructor(code, message, scheme) {
    super(message)
    this.name = 'WebhookVerificationError'
    /** The stable code, e.g. 'signature_mismatch'. */
    this.code = code
    /** 'business' or 'onboarding': the scheme whose check failed (undefined for a secret). */
    this.scheme = scheme
  }
}

// The native side returns a success as one number (cheaper than an object): for business
// webhooks `timestamp * 8 + secretIndex`, or `-(secretIndex + 1)` when the timestamp is too large to
// pack (2^50 s and more, only accepted with the window disabled); for onboarding the index.
function businessResult(packed, header) {
  if (packed >= 0) return { secretIndex: packed % 8, timestamp: (packed - (packed % 8)) / 8 }
  return { secretIndex: -packed - 1, timestamp: native.headerTimestamp(header) }
}

// `now` for the native side when the caller gives none: it reads the system clock itself (cheaper
// than Date.now()).
const CLOCK = -1

const utf8 = new TextDecoder('utf-8')

function convert(err, scheme) {
  if (err !== null && typeof err === 'object' && CODE_SET.has(err.code)) {
    return new WebhookVerificationError(err.code, err.message, err.code === 'invalid_secret' ? undefined : scheme)
  }
  if (err !== null && typeof err === 'object' && err.code === 'InvalidArg') {
    return new TypeError(err.message)
  }
  return err
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${value.constructor ? value.constructor.name : 'null prototype'})`
  return `a ${typeof value}`
}

const Shared = typeof SharedArrayBuffer === 'undefined' ? undefined : SharedArrayBuffer

/**
 * A string or a byte view over the same memory (no copy), or undefined when `value` is neither.
 * Memory shared with other threads (a SharedArrayBuffer) is copied: another thread may write it
 * while the core reads it. A detached buffer is left to the native side, which refuses it.
 */
function asBytes(value) {
  if (typeof value === 'string') return value
  let view
  if (value instanceof Uint8Array) view = value
  else if (ArrayBuffer.isView(value)) view = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  else if (value instanceof ArrayBuffer || (Shared !== undefined && value instanceof Shared)) view = new Uint8Array(value)
  else return undefined
  return Shared !== undefined && view.buffer instanceof Shared ? new Uint8Array(view) : view
}

function checkBody(body) {
  const bytes = asBytes(body)
  if (bytes !== undefined) return bytes
  if (body !== null && typeof body === 'object') {
    throw new TypeError(
      `body must be the raw request body (a Buffer, Uint8Array, ArrayBuffer or string), got ${describe(body)}: ` +
        'it looks already parsed as JSON, and the signature covers the raw bytes. With Express, mount ' +
        "express.raw({ type: 'application/json' }) on this route instead of express.json(); with the Fetch API, " +
        'pass await request.text() or await request.arrayBuffer()',
    )
  }
  throw new TypeError(`body must be a Buffer, Uint8Array, ArrayBuffer or string, got ${describe(body)}`)
}

function checkHeader(header) {
  if (typeof header === 'string') return header
  if (header === undefined || header === null) return ''
  if (Array.isArray(header) && header.every((h) => typeof h === 'string')) return header.join(',')
  throw new TypeError(`header must be a string, an array of strings or undefined, got ${describe(header)}`)
}

function checkSeconds(value, what) {
  if (typeof value !== 'number') {
    throw new TypeError(`${what} must be a number of unix seconds, got ${describe(value)}`)
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative whole number of seconds, got ${value}`)
  }
  return value
}

function checkOptions(options, fn) {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object') throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`)
  return options
}

/** A replay window: seconds, or TOLERANCE_DISABLED; absent (undefined or null) is the default. */
function checkTolerance(value, what) {
  if (value === undefined || value === null) return DEFAULT_TOLERANCE
  if (value === TOLERANCE_DISABLED) return value
  if (typeof value !== 'number') {
    throw new TypeError(`${what} must be a number of seconds or '${TOLERANCE_DISABLED}', got ${describe(value)}`)
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative whole number of seconds (or '${TOLERANCE_DISABLED}'), got ${value}`)
  }
  return value
}

/** The schemes an endpoint accepts: 'business' (the default), 'onboarding' or 'both'. */
function checkSchemes(value, what) {
  if (value === undefined || value === null) return 'business'
  if (SCHEMES.includes(value)) return value
  const got = typeof value === 'string' ? JSON.stringify(value) : describe(value)
  throw new TypeError(`${what} must be 'business', 'onboarding' or 'both', got ${got}`)
}

/** `options.now` for the native side: unix seconds, or CLOCK when absent. */
function checkNow(options, fn) {
  if (options === undefined) return CLOCK
  const o = checkOptions(options, fn)
  return o.now === undefined ? CLOCK : checkSeconds(o.now, 'options.now')
}

function checkSecrets(secret) {
  if (secret === undefined || secret === null || secret === '') {
    const { code, message } = rules.absentSecret(secret)
    throw new WebhookVerificationError(code, message)
  }
  const list = Array.isArray(secret) ? secret : [secret]
  return list.map((s, i) => {
    const bytes = asBytes(s)
    if (bytes === undefined) {
      const where = Array.isArray(secret) ? `secret[${i}]` : 'secret'
      throw new TypeError(`${where} must be a string, Buffer or Uint8Array, got ${describe(s)}`)
    }
    return bytes
  })
}

function parseJson(body) {
  return JSON.parse(typeof body === 'string' ? body : utf8.decode(body))
}

// A rejected webhook is a normal outcome, not an accident: the native side returns NaN and keeps
// the reason, and the one exception is built here (throwing from native code costs several times
// a whole verification). The middleware answers from the rejection without any exception.
function rejection() {
  const { code, message, scheme } = native.takeRejection()
  return { code, message, scheme }
}

/** What a native verify function returned, as a result or a rejection. */
function outcome(packed, scheme, header) {
  if (Number.isNaN(packed)) return rejection()
  return scheme === 'business' ? businessResult(packed, header) : { secretIndex: packed, timestamp: null }
}

/**
 * What a native request verification returned: a business result packed as for `verify`, an
 * onboarding one as -(9 + secretIndex), or a rejection.
 */
function requestOutcome(packed, business) {
  if (Number.isNaN(packed)) return rejection()
  if (packed <= -9) return { scheme: 'onboarding', secretIndex: -packed - 9, timestamp: null }
  return { scheme: 'business', ...businessResult(packed, business) }
}

/** A result, or throws the rejection as a WebhookVerificationError. */
function settle(outcome) {
  if (outcome.code === undefined) return outcome
  throw new WebhookVerificationError(outcome.code, outcome.message, outcome.scheme)
}

const checkRequest = Symbol('checkRequest')

/**
 * Verifies Qonto webhooks with one or more secrets (rotation: the new one first). Build it once at
 * start-up and reuse it; it is immutable.
 */
class Verifier {
  #native
  #schemes
  constructor(secret, options) {
    const secrets = checkSecrets(secret)
    const opts = checkOptions(options, 'new Verifier')
    const tolerance = checkTolerance(opts.tolerance, 'options.tolerance')
    this.#schemes = checkSchemes(opts.schemes, 'options.schemes')
    try {
      this.#native = native.newVerifier(secrets, tolerance, this.#schemes)
    } catch (err) {
      throw convert(err, undefined)
    }
  }

  /** The replay window in seconds, or 'disabled'. */
  get tolerance() {
    return native.verifierTolerance(this.#native)
  }

  /** What verifyRequest accepts: 'business' (the default), 'onboarding' or 'both'. */
  get schemes() {
    return this.#schemes
  }

  /** How many secrets this verifier holds. */
  get secretCount() {
    return native.verifierSecretCount(this.#native)
  }

  /** Verifies a business webhook (X-Qonto-Signature). Returns { secretIndex, timestamp }. */
  verify(body, header, options) {
    return settle(this.#business(checkBody(body), checkHeader(header), options))
  }

  /** Verifies an onboarding webhook (Qonto-SHA256-Signature; no timestamp, no replay window). */
  verifyOnboarding(body, header) {
    return settle(this.#onboarding(checkBody(body), checkHeader(header)))
  }

  // The checks without the exception: a result, or a rejection ({ code, message, scheme }).
  // Wrong argument types still throw.
  #business(b, h, options) {
    const now = checkNow(options, 'verify')
    let packed
    try {
      packed =
        typeof b === 'string' ? native.verifyString(this.#native, b, h, now) : native.verifyBytes(this.#native, b, h, now)
    } catch (err) {
      throw convert(err, 'business')
    }
    return outcome(packed, 'business', h)
  }

  #onboarding(b, h) {
    let packed
    try {
      packed =
        typeof b === 'string'
          ? native.verifyOnboardingString(this.#native, b, h)
          : native.verifyOnboardingBytes(this.#native, b, h)
    } catch (err) {
      throw convert(err, 'onboarding')
    }
    return outcome(packed, 'onboarding', h)
  }

  /**
   * Starts verifying a business webhook whose body arrives in pieces (a stream): the header and
   * the window are checked now, so a stale or malformed request is refused before its body is
   * read. Feed the body with `update(chunk)`, then call `finish()` once.
   */
  start(header, options) {
    const h = checkHeader(header)
    const now = checkNow(options, 'start')
    try {
      return new IncrementalVerification(native.start(this.#native, h, now), 'business', h)
    } catch (err) {
      throw convert(err, 'business')
    }
  }

  /** Starts verifying an onboarding webhook whose body arrives in pieces. */
  startOnboarding(header) {
    const h = checkHeader(header)
    try {
      return new IncrementalVerification(native.startOnboarding(this.#native, h), 'onboarding', h)
    } catch (err) {
      throw convert(err, 'onboarding')
    }
  }

  // The construct* methods parse the very bytes they verified: the body is read once.

  /** Verifies a business webhook, then returns its parsed JSON body. */
  constructEvent(body, header, options) {
    const b = checkBody(body)
    settle(this.#business(b, checkHeader(header), options))
    return parseJson(b)
  }

  /** Verifies an onboarding webhook, then returns its parsed JSON body. */
  constructOnboardingEvent(body, header) {
    const b = checkBody(body)
    settle(this.#onboarding(b, checkHeader(header)))
    return parseJson(b)
  }

  /**
   * Verifies a request given its headers (Node's lower-cased IncomingHttpHeaders or a Fetch
   * Headers) and raw body, under the schemes this verifier accepts (options.schemes: business
   * only by default). The configuration picks the header, never the request: the core's rule
   * (Schemes::select), applied natively. Returns { scheme, secretIndex, timestamp }.
   */
  verifyRequest(headers, body, options) {
    return settle(this[checkRequest](headers, checkBody(body), options))
  }

  /** verifyRequest without the exception, for the middleware: a result or a rejection. `b` is checked. */
  [checkRequest](headers, b, options) {
    const business = readHeader(headers, 'x-qonto-signature')
    const onboarding = readHeader(headers, 'qonto-sha256-signature')
    const now = checkNow(options, 'verifyRequest')
    let packed
    try {
      packed =
        typeof b === 'string'
          ? native.verifyRequestString(this.#native, b, business, onboarding, now)
          : native.verifyRequestBytes(this.#native, b, business, onboarding, now)
    } catch (err) {
      throw convert(err, this.#schemes === 'onboarding' ? 'onboarding' : 'business')
    }
    return requestOutcome(packed, business)
  }

  /** verifyRequest, then the parsed JSON body; `scheme` tells which event type it is. */
  constructEventFromRequest(headers, body, options) {
    const b = checkBody(body)
    const verified = settle(this[checkRequest](headers, b, options))
    return { ...verified, event: parseJson(b) }
  }
}

/** A verification in progress, from `verifier.start()` or `verifier.startOnboarding()`. */
class IncrementalVerification {
  #native
  #scheme
  #header
  constructor(state, scheme, header) {
    this.#native = state
    this.#scheme = scheme
    this.#header = header
  }

  /** Feeds the next piece of the raw body (Buffer, typed array, ArrayBuffer or string). Returns this. */
  update(chunk) {
    const c = asBytes(chunk)
    if (c === undefined) throw new TypeError(`chunk must be a Buffer, Uint8Array, ArrayBuffer or string, got ${describe(chunk)}`)
    try {
      if (typeof c === 'string') this.#native.updateString(c)
      else this.#native.updateBytes(c)
    } catch (err) {
      throw convert(err, this.#scheme)
    }
    return this
  }

  /** Checks the signature over everything fed; { secretIndex, timestamp }. Call it once. */
  finish() {
    let packed
    try {
      packed = this.#native.finish()
    } catch (err) {
      throw convert(err, this.#scheme)
    }
    return settle(outcome(packed, this.#scheme, this.#header))
  }
}

/** A header's value from IncomingHttpHeaders, a Fetch Headers or any plain object; undefined if absent. */
function readHeader(headers, lowerName) {
  if (headers === null || typeof headers !== 'object') {
    throw new TypeError(`headers must be IncomingHttpHeaders or a Fetch Headers, got ${describe(headers)}`)
  }
  if (typeof headers.get === 'function' && typeof headers.has === 'function') {
    const value = headers.get(lowerName)
    return value === null ? undefined : value
  }
  let value = headers[lowerName]
  if (value === undefined) {
    // Not from Node's parser: find the name case-insensitively.
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lowerName) {
        value = headers[key]
        break
      }
    }
  }
  if (value === undefined || value === null) return undefined
  return checkHeader(value)
}

/**
 * Signs a body as Qonto does, for tests and fixtures: the X-Qonto-Signature value
 * `t=<timestamp>,v1=<hex>` (options.timestamp defaults to now), or with
 * `options.scheme === 'onboarding'` the Qonto-SHA256-Signature value.
 */
function sign(secret, body, options) {
  const s = asBytes(secret)
  if (s === undefined) throw new TypeError(`secret must be a string, Buffer or Uint8Array, got ${describe(secret)}`)
  const b = checkBody(body)
  const o = checkOptions(options, 'sign')
  const scheme = o.scheme === undefined ? 'business' : o.scheme
  if (scheme !== 'business' && scheme !== 'onboarding') {
    throw new TypeError(`options.scheme must be 'business' or 'onboarding', got ${String(o.scheme)}`)
  }
  try {
    if (scheme === 'onboarding') return native.nativeSignOnboarding(s, b)
    const timestamp = o.timestamp === undefined ? native.unixNow() : checkSeconds(o.timestamp, 'options.timestamp')
    return native.nativeSign(s, b, timestamp)
  } catch (err) {
    throw convert(err, scheme)
  }
}

/**
 * When a webhook does not verify, says which known mistake explains it: a secret base64-decoded or
 * stripped of whsec_, a body re-serialised (pretty or compact JSON, key order, unicode escapes), a
 * trailing newline or CRLF, the other scheme's header, a timestamp in milliseconds, clock skew, a
 * wrong secret. For debugging, not for request handling: it tries many variants. Findings never
 * contain the secret or the expected signature.
 */
function diagnose(secret, body, header, options) {
  const secrets = checkSecrets(secret)
  const b = checkBody(body)
  const h = checkHeader(header)
  const o = checkOptions(options, 'diagnose')
  const scheme = o.scheme === undefined ? 'business' : o.scheme
  if (scheme !== 'business' && scheme !== 'onboarding') {
    throw new TypeError(`options.scheme must be 'business' or 'onboarding', got ${String(o.scheme)}`)
  }
  const now = o.now === undefined ? native.unixNow() : checkSeconds(o.now, 'options.now')
  const tolerance = checkTolerance(o.tolerance, 'options.tolerance')
  const d = native.nativeDiagnose(secrets, scheme === 'onboarding', h, b, now, tolerance)
  return {
    ok: d.ok,
    secretIndex: d.secretIndex ?? null,
    code: d.code ?? null,
    message: d.message ?? null,
    explained: d.explained,
    findings: d.findings.map((f) => ({ mistake: f.mistake, message: f.message })),
  }
}

const MIDDLEWARE_LIMIT = 1024 * 1024

function readStream(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > limit) {
        // Stop reading; the caller answers 413, then closes the connection.
        req.removeAllListeners('data')
        req.pause()
        reject(Object.assign(new Error('body too large'), { status: 413 }))
        return
      }
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function reply(res, status, code, message) {
  const text = JSON.stringify({ error: code, message })
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** `options.idempotency` of the middleware: off (undefined, false), a guard, true, or a guard's options. */
function checkIdempotency(value) {
  if (value === undefined || value === null || value === false) return undefined
  if (value === true) return new IdempotencyGuard()
  if (value instanceof IdempotencyGuard) return value
  if (typeof value === 'object' && typeof value.claim !== 'function') return new IdempotencyGuard(value)
  throw new TypeError(
    `options.idempotency must be an IdempotencyGuard, true (a guard over a MemoryStore) or a guard's options ({ store, lease, ttl }), got ${describe(value)}` +
      (value !== null && typeof value === 'object' ? ': to use a store, pass { store } or new IdempotencyGuard({ store })' : ''),
  )
}

function replyJson(res, status, value) {
  const text = JSON.stringify(value)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/**
 * The middleware's idempotency step, after verification: claim the event; 'claimed' calls next()
 * and completes the claim when the response finishes with a 2xx, or releases it (so Qonto's retry
 * is handled) on any other status, an error, or a connection closed before the response finished.
 */
async function guarded(guard, req, res, next, scheme, event) {
  let claim
  try {
    claim = await guard.claim(scheme, event)
  } catch (err) {
    if (err instanceof IdempotencyError && err.code === 'invalid_payload') {
      reply(res, 400, 'invalid_payload', err.message)
    } else if (err instanceof IdempotencyError) {
      reply(res, 503, err.code, 'the idempotency store is unavailable: the event was not handled; Qonto will retry the delivery')
    } else {
      next(err)
    }
    return
  }
  if (claim.state === 'done') {
    replyJson(res, 200, { duplicate: true, id: claim.id })
    return
  }
  if (claim.state === 'processing') {
    res.setHeader('Retry-After', String(Math.ceil(guard.lease)))
    reply(res, 409, 'duplicate_in_progress', `event ${claim.id} is being processed by another delivery; Qonto will retry it`)
    return
  }
  if (res.destroyed || (res.socket && res.socket.destroyed)) {
    // The delivery was dropped while the claim was made: no handler, and Qonto retries it.
    guard.release(claim).catch(() => {})
    return
  }
  let settled = false
  const settle = (succeeded) => {
    if (settled) return
    settled = true
    const done = succeeded ? guard.complete(claim) : guard.release(claim)
    done.catch((err) => {
      process.emitWarning(
        `qonto-webhooks: could not ${succeeded ? 'complete' : 'release'} the idempotency claim of ${claim.key}: ${err.message}` +
          (succeeded ? ' (a retry after the lease is handled again)' : ' (a retry is refused until the lease ends)'),
        { code: 'QONTO_WEBHOOKS_IDEMPOTENCY' },
      )
    })
  }
  res.once('finish', () => settle(res.statusCode >= 200 && res.statusCode < 300))
  res.once('close', () => settle(false))
  next()
}

/**
 * Express (or Connect / node:http) middleware that verifies a Qonto webhook, meant to follow
 * express.raw({ type: 'application/json' }). It accepts the schemes options.schemes names:
 * 'business' (the default), 'onboarding' or 'both'; mount one per endpoint, each with its secret. On success it sets `req.qontoEvent` (the parsed
 * JSON body) and `req.qontoWebhook` ({ scheme, secretIndex, timestamp }) and calls next(). On
 * failure it answers 400 with { error: <code>, message } and does not call next().
 * With options.idempotency (an IdempotencyGuard, or true for one over a MemoryStore) each verified
 * event is handled once: a delivery already handled gets 200 { duplicate: true, id }, one being
 * handled 409 duplicate_in_progress (with Retry-After), and next() is not called; a store failure
 * answers 503 idempotency_store_unavailable, a body without a string `id` 400 invalid_payload.
 * Throws at creation when the secret is missing or invalid.
 */
function qontoWebhook(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError("qontoWebhook needs an options object: qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET })")
  }
  const verifier = new Verifier(options.secret, { tolerance: options.tolerance, schemes: options.schemes })
  const limit = options.limit === undefined ? MIDDLEWARE_LIMIT : checkSeconds(options.limit, 'options.limit')
  const guard = checkIdempotency(options.idempotency)

  async function handle(req, res, next) {
    let body = req.body
    if (body === undefined && req.readable && !req.readableEnded) {
      // No body parser ran (or express.raw skipped another content type): read the raw bytes.
      try {
        body = await readStream(req, limit)
      } catch (err) {
        if (err.status === 413) {
          // The rest of the body is never read: answer, then drop the connection.
          res.setHeader('Connection', 'close')
          res.on('finish', () => req.destroy())
          reply(res, 413, 'body_too_large', `the request body is larger than the ${limit} bytes allowed (options.limit)`)
        } else {
          reply(res, 400, 'body_unreadable', `the request body could not be read: ${err.message}`)
        }
        return
      }
    }
    const b = asBytes(body)
    if (b === undefined) {
      reply(
        res,
        400,
        'body_already_parsed',
        `req.body is ${describe(body)}, not the raw bytes Qonto signed: a body parser such as express.json() ran ` +
          "first. Mount express.raw({ type: 'application/json' }) on the webhook route, before qontoWebhook(), " +
          'and keep express.json() off it',
      )
      return
    }
    let webhook, event
    try {
      webhook = verifier[checkRequest](req.headers, b)
      if (webhook.code !== undefined) {
        reply(res, 400, webhook.code, webhook.message)
        return
      }
      event = parseJson(b)
    } catch (err) {
      if (err instanceof SyntaxError) {
        reply(res, 400, 'invalid_payload', `the signature is valid but the body is not JSON: ${err.message}`)
        return
      }
      next(err)
      return
    }
    req.qontoEvent = event
    req.qontoWebhook = webhook
    if (guard === undefined) {
      next()
      return
    }
    await guarded(guard, req, res, next, webhook.scheme, event)
  }

  return function qontoWebhookMiddleware(req, res, next) {
    handle(req, res, next).catch(next)
  }
}

module.exports = {
  implementation,
  Verifier,
  WebhookVerificationError,
  sign,
  diagnose,
  qontoWebhook,
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
  MemoryStore: idempotency.MemoryStore,
  RedisStore: idempotency.RedisStore,
  idempotencyKey: idempotency.idempotencyKey,
  DEFAULT_LEASE: idempotency.DEFAULT_LEASE,
  DEFAULT_TTL: idempotency.DEFAULT_TTL,
}
// `import qontoWebhooks from` in TypeScript's CommonJS output reads `.default`.
module.exports.default = module.exports
