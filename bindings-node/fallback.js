'use strict'
// The pure-JavaScript implementation of qonto-webhooks, on node:crypto (synchronous HMAC-SHA256,
// timingSafeEqual). index.js uses it when no native package matches this platform or the addon
// does not load, or when QONTO_WEBHOOKS_IMPLEMENTATION=js. It offers the same private functions
// as the native addon (binding.js), with the same results and the same rejections, so that
// index.js (the argument checks, the errors, the middleware) is one code for both.
//
// The rules (header parsing, the window, the choice of header, the messages) come from rules.cjs,
// generated from rules.mjs, which the WebCrypto entry (web.mjs) imports too: one re-implementation
// of the contract in JavaScript, not two. Only the HMAC is computed here.

const { createHmac, createSecretKey, timingSafeEqual } = require('node:crypto')
const rules = require('./rules.cjs')
const { diagnose: diagnoseWith } = require('./diagnose.js')

const { Rejection, parseBusiness, parseOnboarding, checkWindow, select, mismatch, checkSecretLengths } = rules

const DEFAULT_TOLERANCE_SECS = rules.DEFAULT_TOLERANCE
const MAX_HEADER_LEN = rules.MAX_HEADER_LEN
const MAX_SECRETS = rules.MAX_SECRETS
const MAX_U64_DOUBLE = 2 ** 64

function invalidArg(message) {
  const err = new TypeError(message)
  err.code = 'InvalidArg'
  return err
}

function throwRejection(r) {
  const err = new Error(r.message)
  err.code = r.code
  return err
}

const Shared = typeof SharedArrayBuffer === 'undefined' ? undefined : SharedArrayBuffer

/**
 * Bytes of a string (UTF-8) or a Uint8Array, as node:crypto takes them. Refused as by the native
 * side: a view over memory shared with other threads (index.js copies it first), and a view over
 * a detached buffer (its length reads 0; it is not the empty body).
 */
function bytesArg(value, what) {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) {
    if (Shared !== undefined && value.buffer instanceof Shared) throw invalidArg(`${what} is in shared memory: copy it first`)
    if (value.byteLength === 0 && value.buffer.byteLength === 0) {
      try {
        new Uint8Array(value.buffer)
      } catch {
        throw invalidArg(`${what} is a detached buffer`)
      }
    }
    return value
  }
  throw invalidArg(`${what} must be a Uint8Array or a string`)
}

function stringArg(value, what) {
  if (typeof value !== 'string') throw invalidArg(`${what} must be a string`)
  return value
}

/** Seconds, as the native side reads them: a non-negative whole number below 2^64, or -1 for the clock. */
function secondsArg(value, what, clock) {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidArg(`${what} must be a number`)
  if (clock && value === -1) return unixNow()
  if (value < 0 || !Number.isInteger(value) || value >= MAX_U64_DOUBLE) {
    throw invalidArg(`${what} must be a non-negative whole number of seconds below 2^64`)
  }
  return value
}

function unixNow() {
  return Math.floor(Date.now() / 1000)
}

// The reason of the last rejection, which index.js takes with takeRejection() (the native side's
// protocol: a verify function returns NaN and keeps the reason).
let rejected
function reject(r) {
  rejected = r
  return NaN
}

function takeRejection() {
  const r = rejected
  rejected = undefined
  if (r === undefined) throw new Error('no rejection to take')
  return { code: r.code, message: r.message, scheme: r.scheme }
}

const VERIFIER = Symbol('qonto-webhooks verifier')

function keyOf(secret) {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
  if (bytes.length === 0) return undefined
  // The key lives in node:crypto's KeyObject; the copy made here is wiped.
  const key = createSecretKey(bytes)
  bytes.fill(0)
  return key
}

function newVerifier(secrets, tolerance, schemes) {
  if (!Array.isArray(secrets)) throw invalidArg('secrets must be an array')
  const checked = secrets.map((s, i) => bytesArg(s, `secrets[${i}]`))
  if (tolerance !== rules.TOLERANCE_DISABLED) secondsArg(tolerance, 'tolerance', false)
  if (!rules.SCHEMES.includes(schemes)) throw invalidArg("schemes must be 'business', 'onboarding' or 'both'")
  const lengths = checked.map((s) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : s.byteLength))
  const refused = checkSecretLengths(lengths)
  if (refused !== undefined) throw throwRejection(refused)
  return Object.freeze({ [VERIFIER]: true, keys: checked.map(keyOf), tolerance, schemes })
}

function verifierArg(v) {
  if (v === null || typeof v !== 'object' || v[VERIFIER] !== true) {
    throw invalidArg('verifier must be a handle made by newVerifier')
  }
  return v
}

const verifierTolerance = (v) => verifierArg(v).tolerance
const verifierSecretCount = (v) => verifierArg(v).keys.length
const verifierSchemes = (v) => verifierArg(v).schemes

// The candidate being compared, decoded from its hex (verification is synchronous: one at a time).
const CANDIDATE = Buffer.alloc(32)

/** Whether a MAC is one of the candidates (hex, checked by the parser): each compared in constant time. */
function anyMatches(tag, candidates) {
  let found = false
  for (let i = 0; i < candidates.length; i++) {
    CANDIDATE.write(candidates[i], 'hex')
    found = timingSafeEqual(tag, CANDIDATE) || found
  }
  return found
}

/** The index of the first key whose MAC of (prefix, body) is one of the candidates, or -1. */
function match(keys, prefix, body, candidates) {
  for (let i = 0; i < keys.length; i++) {
    const hmac = createHmac('sha256', keys[i])
    if (prefix !== undefined) hmac.update(prefix)
    if (anyMatches(hmac.update(body).digest(), candidates)) return i
  }
  return -1
}

// Results packed as the native side packs them (index.js unpacks): business `t * 8 + index`, or
// -(index + 1) from 2^50 s on; onboarding the index; a request's onboarding result -(9 + index).
const PACK_LIMIT = 2 ** 50
const packBusiness = (value, index) => (typeof value === 'number' && value < PACK_LIMIT ? value * 8 + index : -(index + 1))

function business(v, body, header, now) {
  const parsed = parseBusiness(header)
  if (parsed instanceof Rejection) return reject(parsed)
  const late = checkWindow(parsed.value, now, v.tolerance)
  if (late !== undefined) return reject(late)
  const index = match(v.keys, parsed.text + '.', body, parsed.signatures)
  if (index < 0) return reject(mismatch('business', v.keys.length, parsed.signatures.length))
  return packBusiness(parsed.value, index)
}

function onboarding(v, body, header) {
  const candidate = parseOnboarding(header)
  if (candidate instanceof Rejection) return reject(candidate)
  const index = match(v.keys, undefined, body, [candidate])
  return index < 0 ? reject(mismatch('onboarding', v.keys.length, 1)) : index
}

function verifyBusinessArgs(v, body, header, now, what) {
  return business(verifierArg(v), bytesArg(body, what), stringArg(header, 'header'), secondsArg(now, 'now', true))
}

const verifyBytes = (v, body, header, now) => verifyBusinessArgs(v, body, header, now, 'body')
const verifyString = (v, body, header, now) => verifyBusinessArgs(v, body, header, now, 'body')
const verifyOnboardingBytes = (v, body, header) => onboarding(verifierArg(v), bytesArg(body, 'body'), stringArg(header, 'header'))
const verifyOnboardingString = verifyOnboardingBytes

function optionalHeader(h, what) {
  if (h === undefined || h === null) return undefined
  return stringArg(h, what)
}

function verifyRequest(v, body, businessHeader, onboardingHeader, now) {
  const verifier = verifierArg(v)
  const b = bytesArg(body, 'body')
  const chosen = select(verifier.schemes, optionalHeader(businessHeader, 'business'), optionalHeader(onboardingHeader, 'onboarding'))
  const clock = secondsArg(now, 'now', true)
  if (chosen instanceof Rejection) return reject(chosen)
  if (chosen[0] === 'business') return business(verifier, b, chosen[1], clock)
  const index = onboarding(verifier, b, chosen[1])
  return Number.isNaN(index) ? index : -(9 + index)
}

/** A verification whose body arrives in pieces: one HMAC per secret, fed as the pieces come. */
class NativeIncremental {
  #hmacs
  #candidates
  #scheme
  #value
  constructor(keys, prefix, candidates, scheme, value) {
    this.#hmacs = keys.map((k) => {
      const h = createHmac('sha256', k)
      return prefix === undefined ? h : h.update(prefix)
    })
    this.#candidates = candidates
    this.#scheme = scheme
    this.#value = value
  }

  #live() {
    if (this.#hmacs === null) {
      const err = new Error('this verification is already finished: start a new one')
      err.code = 'ERR_INVALID_STATE'
      throw err
    }
    return this.#hmacs
  }

  updateBytes(chunk) {
    const hmacs = this.#live()
    const c = bytesArg(chunk, 'chunk')
    for (const h of hmacs) h.update(c)
  }

  updateString(chunk) {
    this.updateBytes(stringArg(chunk, 'chunk'))
  }

  finish() {
    const hmacs = this.#live()
    this.#hmacs = null
    for (let i = 0; i < hmacs.length; i++) {
      if (anyMatches(hmacs[i].digest(), this.#candidates)) return this.#scheme === 'business' ? packBusiness(this.#value, i) : i
    }
    return reject(mismatch(this.#scheme, hmacs.length, this.#candidates.length))
  }
}

function start(v, header, now) {
  const verifier = verifierArg(v)
  const parsed = parseBusiness(stringArg(header, 'header'))
  if (parsed instanceof Rejection) throw throwRejection(parsed)
  const late = checkWindow(parsed.value, secondsArg(now, 'now', true), verifier.tolerance)
  if (late !== undefined) throw throwRejection(late)
  return new NativeIncremental(verifier.keys, parsed.text + '.', parsed.signatures, 'business', parsed.value)
}

function startOnboarding(v, header) {
  const verifier = verifierArg(v)
  const candidate = parseOnboarding(stringArg(header, 'header'))
  if (candidate instanceof Rejection) throw throwRejection(candidate)
  return new NativeIncremental(verifier.keys, undefined, [candidate], 'onboarding', null)
}

function headerTimestamp(header) {
  const parsed = parseBusiness(stringArg(header, 'header'))
  if (parsed instanceof Rejection) throw throwRejection(parsed)
  return Number(parsed.value)
}

function hmacHex(secret, prefix, body) {
  const s = bytesArg(secret, 'secret')
  if ((typeof s === 'string' ? s.length : s.byteLength) === 0) throw throwRejection(rules.emptySecret())
  const hmac = createHmac('sha256', typeof s === 'string' ? Buffer.from(s, 'utf8') : s)
  if (prefix !== undefined) hmac.update(prefix)
  return hmac.update(bytesArg(body, 'body')).digest('hex')
}

function nativeSign(secret, body, timestamp) {
  const t = secondsArg(timestamp, 'timestamp', false)
  const text = BigInt(t).toString()
  return `t=${text},v1=${hmacHex(secret, text + '.', body)}`
}

function nativeSignOnboarding(secret, body) {
  return hmacHex(secret, undefined, body)
}

function nativeDiagnose(secrets, isOnboarding, header, body, now, tolerance) {
  if (!Array.isArray(secrets)) throw invalidArg('secrets must be an array')
  const keys = secrets.map((s, i) => {
    const b = bytesArg(s, `secrets[${i}]`)
    return typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b)
  })
  const b = bytesArg(body, 'body')
  if (tolerance !== rules.TOLERANCE_DISABLED) secondsArg(tolerance, 'tolerance', false)
  return diagnoseWith(
    keys,
    isOnboarding === true,
    stringArg(header, 'header'),
    typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b),
    secondsArg(now, 'now', false),
    tolerance,
  )
}

module.exports = {
  NativeIncremental,
  DEFAULT_TOLERANCE_SECS,
  MAX_HEADER_LEN,
  MAX_SECRETS,
  errorCodes: () => [...rules.ERROR_CODES],
  headerTimestamp,
  nativeDiagnose,
  nativeSign,
  nativeSignOnboarding,
  newVerifier,
  start,
  startOnboarding,
  takeRejection,
  unixNow,
  verifierSchemes,
  verifierSecretCount,
  verifierTolerance,
  verifyBytes,
  verifyString,
  verifyOnboardingBytes,
  verifyOnboardingString,
  verifyRequestBytes: verifyRequest,
  verifyRequestString: verifyRequest,
}
