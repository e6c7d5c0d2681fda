'use strict'
// The Verifier API: Verifier, the incremental verification its start methods return, sign and
// diagnose; and the results, as the implementation returns them (one number, or NaN and a kept
// rejection) turned into objects, or into the one WebhookVerificationError thrown.

const { native } = require('./native.js')
const { WebhookVerificationError, convert } = require('./errors.js')
const {
  describe,
  asBytes,
  checkBody,
  checkHeader,
  checkSeconds,
  checkOptions,
  checkTolerance,
  checkSchemes,
  checkScheme,
  checkNow,
  checkSecrets,
  readHeader,
  parseJson,
} = require('./args.js')

// The native side returns a success as one number (cheaper than an object): for business
// webhooks `timestamp * 8 + secretIndex`, or `-(secretIndex + 1)` when the timestamp is too large to
// pack (2^50 s and more, only accepted with the window disabled); for onboarding the index.
function businessResult(packed, header) {
  if (packed >= 0) return { secretIndex: packed % 8, timestamp: (packed - (packed % 8)) / 8 }
  return { secretIndex: -packed - 1, timestamp: native.headerTimestamp(header) }
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

/** verifyRequest without the exception (a result or a rejection), for the middleware (express.js). */
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
      return new Incremental(native.start(this.#native, h, now), 'business', h)
    } catch (err) {
      throw convert(err, 'business')
    }
  }

  /** Starts verifying an onboarding webhook whose body arrives in pieces. */
  startOnboarding(header) {
    const h = checkHeader(header)
    try {
      return new Incremental(native.startOnboarding(this.#native, h), 'onboarding', h)
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

/**
 * A verification in progress, from `verifier.start()` or `verifier.startOnboarding()`: the
 * incremental verifier, `Incremental` as in the other languages (formerly
 * `IncrementalVerification`, still exported as a deprecated alias).
 */
class Incremental {
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
  const scheme = checkScheme(o)
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
  const scheme = checkScheme(o)
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

module.exports = { Verifier, Incremental, checkRequest, sign, diagnose }
