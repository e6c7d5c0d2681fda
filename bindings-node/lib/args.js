'use strict'
// The checks and conversions of the public functions' arguments: bodies, headers, secrets,
// options (seconds, the replay window, the schemes), and the limits they are checked against.
// A wrong type is a TypeError (a RangeError for a number out of range) that says what was given.

const { native } = require('./native.js')
const { WebhookVerificationError } = require('./errors.js')
const rules = require('../rules.cjs')

const BUSINESS_HEADER = 'X-Qonto-Signature'
const ONBOARDING_HEADER = 'Qonto-SHA256-Signature'
const DEFAULT_TOLERANCE = native.DEFAULT_TOLERANCE_SECS
/** The one `tolerance` value that switches the replay window off (null and undefined mean the default). */
const TOLERANCE_DISABLED = 'disabled'
/** The values of the `schemes` option: which webhooks `verifyRequest` and the middleware accept. */
const SCHEMES = Object.freeze(['business', 'onboarding', 'both'])
const MAX_SECRETS = native.MAX_SECRETS
const MAX_HEADER_LEN = native.MAX_HEADER_LEN

// `now` for the native side when the caller gives none: it reads the system clock itself (cheaper
// than Date.now()).
const CLOCK = -1

const utf8 = new TextDecoder('utf-8')

/** What a wrong argument was, for the error message. */
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

/** `options.scheme` of sign and diagnose: 'business' (the default) or 'onboarding'. */
function checkScheme(o) {
  const scheme = o.scheme === undefined ? 'business' : o.scheme
  if (scheme !== 'business' && scheme !== 'onboarding') {
    throw new TypeError(`options.scheme must be 'business' or 'onboarding', got ${String(o.scheme)}`)
  }
  return scheme
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

/** The JSON of a checked body (a SyntaxError when it is not JSON). */
function parseJson(body) {
  return JSON.parse(typeof body === 'string' ? body : utf8.decode(body))
}

module.exports = {
  BUSINESS_HEADER,
  ONBOARDING_HEADER,
  DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED,
  SCHEMES,
  MAX_SECRETS,
  MAX_HEADER_LEN,
  CLOCK,
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
}
