// The verification rules of the behaviour contract, written once for every JavaScript
// implementation in this package: the WebCrypto entry (web.mjs, async) and the pure-JS fallback
// of the main entry (fallback.js, node:crypto, synchronous). Parsing of both headers, the replay
// window, the choice of header by the configured schemes, the secrets' checks and every message
// are here, ported from the Rust core (core/src/header.rs, verifier.rs, request.rs, error.rs) so
// that each gives the same code and the same message as the native entry. Only the HMAC and the
// constant-time comparison are left to the caller.
//
// A failure is returned as a Rejection ({ code, message, scheme }), not thrown: each caller turns
// it into its own error (or, in the fallback, into the native side's "NaN, then takeRejection()"
// protocol) without paying for an exception on the hot path.
//
// This file is the source; rules.cjs is generated from it (`node scripts/rules-cjs.mjs`) for the
// CommonJS fallback, and a test checks that the two agree.

// The codes, header names and limits: generated from the core (contract.json), never copied by hand.
import * as contract from './contract.mjs'

export const ERROR_CODES = contract.ERROR_CODES
export const BUSINESS_HEADER = contract.BUSINESS_HEADER
export const ONBOARDING_HEADER = contract.ONBOARDING_HEADER
export const DEFAULT_TOLERANCE = contract.DEFAULT_TOLERANCE
/** The one `tolerance` value that switches the replay window off. */
export const TOLERANCE_DISABLED = 'disabled'
/** The values of the `schemes` option. */
export const SCHEMES = Object.freeze(['business', 'onboarding', 'both'])
export const MAX_SECRETS = contract.MAX_SECRETS
export const MAX_HEADER_LEN = contract.MAX_HEADER_LEN

const MAX_U64 = 18446744073709551615n

/** A rejected webhook or secret: the stable code, the message, the scheme (undefined for a secret). */
export class Rejection {
  constructor(code, message, scheme) {
    this.code = code
    this.message = message
    this.scheme = scheme
  }
}

// The messages: the core's templates (contract.json), rendered as its `Display for Error` does.
const rejection = (id, scheme, values) => new Rejection(contract.MESSAGES[id].code, contract.message(id, scheme, values), scheme)
const secretRejection = (message) => new Rejection('invalid_secret', message, undefined)
export const emptySecret = () => secretRejection(contract.message('empty_secret'))
/** No secret at all (undefined, null or ''), before any other check: usually an unset variable. */
export const absentSecret = (secret) =>
  secretRejection(
    `no webhook secret was given (got ${secret === '' ? 'an empty string' : String(secret)}): pass the secret ` +
      'Qonto returned when the subscription was created (is the environment variable set?)',
  )
export const noSecret = () => secretRejection(contract.message('no_secret'))
export const tooManySecrets = () => secretRejection(contract.message('too_many_secrets'))
const missing = (scheme) => rejection('header_missing', scheme)
const missingEither = () => rejection('headers_missing', 'business')
const otherSchemeOnly = (scheme) => rejection('other_scheme_only', scheme)
const tooLong = (scheme, len) => rejection('header_too_long', scheme, { len })
const withoutEquals = (item) => rejection('item_without_equals', 'business', { item })
const timestampNotDigits = () => rejection('timestamp_not_digits', 'business')
const timestampOverflow = () => rejection('timestamp_overflow', 'business')
const duplicateTimestamp = () => rejection('duplicate_timestamp', 'business')
const signatureNotHex = (scheme) => rejection(`signature_not_hex_${scheme}`, scheme)
const noTimestamp = () => rejection('no_timestamp', 'business')
const noSignature = () => rejection('no_signature', 'business')

/** signature_mismatch, saying how many secrets and signatures were tried (never which differed how). */
export function mismatch(scheme, secrets, candidates) {
  return rejection(`signature_mismatch_${scheme}`, scheme, { secrets, candidates })
}

/**
 * The secrets' check of the core's Verifier::new, given each secret's byte length: an empty one
 * first, then more than MAX_SECRETS, then none. undefined when they are fine.
 */
export function checkSecretLengths(lengths) {
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i] === 0) return emptySecret()
    if (i >= MAX_SECRETS) return tooManySecrets()
  }
  return lengths.length === 0 ? noSecret() : undefined
}

/** The UTF-8 length of a string, as TextEncoder would encode it (a lone surrogate is 3 bytes). */
export function utf8Length(s) {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2 // a pair: 2 code units, 4 bytes
      i++
    } else n += 2
  }
  return n
}

/** Whether a header is longer than MAX_HEADER_LEN bytes (most are checked without counting). */
const tooLongFor = (header) => header.length * 3 > MAX_HEADER_LEN && utf8Length(header) > MAX_HEADER_LEN

const isBlank = (c) => c === 32 || c === 9
const isHex = (c) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102)

function skipBlanks(s, i) {
  while (i < s.length && isBlank(s.charCodeAt(i))) i++
  return i
}

/** Whether 64 hex digits start at s[i]. */
function hex64At(s, i) {
  if (i + 64 > s.length) return false
  for (let k = i; k < i + 64; k++) if (!isHex(s.charCodeAt(k))) return false
  return true
}

/**
 * Parses an X-Qonto-Signature value as the core does (one pass, the same errors in the same
 * order): { text, value, signatures } with `text` the t digits as sent, `value` a number (a BigInt
 * above 2^53 - 1) and `signatures` the v1 values (64 hex digits, either case), or a Rejection.
 */
export function parseBusiness(header) {
  if (tooLongFor(header)) return tooLong('business', utf8Length(header))
  let end = header.length
  while (end > 0 && isBlank(header.charCodeAt(end - 1))) end--
  let i = skipBlanks(header, 0)
  if (i >= end) return missing('business')
  const s = end === header.length ? header : header.slice(0, end)
  let text
  const signatures = []
  for (let item = 1; ; item++) {
    i = skipBlanks(s, i)
    let eq = i
    while (eq < s.length) {
      const c = s.charCodeAt(eq)
      if (c === 61 || c === 44) break // '=' or ','
      eq++
    }
    if (eq >= s.length || s.charCodeAt(eq) === 44) return withoutEquals(item)
    const keyLength = eq - i
    let j = eq + 1
    let detail
    if (keyLength === 1 && s.charCodeAt(i) === 116) {
      // t
      if (text !== undefined) return duplicateTimestamp()
      while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++
      if (j === eq + 1) return timestampNotDigits()
      text = s.slice(eq + 1, j)
      if (text.length >= 20 && BigInt(text) > MAX_U64) return timestampOverflow()
      detail = timestampNotDigits
    } else if (keyLength === 2 && s.charCodeAt(i) === 118 && s.charCodeAt(i + 1) === 49) {
      // v1
      if (!hex64At(s, j)) return signatureNotHex('business')
      signatures.push(s.slice(j, j + 64))
      j += 64
      detail = signatureNotHex
    } else {
      // Another key: ignored, whatever its value.
      while (j < s.length && s.charCodeAt(j) !== 44) j++
      detail = missing
    }
    // After the value: blanks, then a comma or the end.
    j = skipBlanks(s, j)
    if (j >= s.length) break
    if (s.charCodeAt(j) !== 44) return detail('business')
    i = j + 1
  }
  if (text === undefined) return noTimestamp()
  if (signatures.length === 0) return noSignature()
  return { text, value: timestampValue(text), signatures }
}

/** The t digits' value: a number when it is exact as a double, else a BigInt (up to 2^64 - 1). */
function timestampValue(text) {
  if (text.length <= 15) return Number(text)
  const big = BigInt(text)
  return big <= 9007199254740991n ? Number(big) : big
}

/** Parses a Qonto-SHA256-Signature value: the 64 hex digits (either case), or a Rejection. */
export function parseOnboarding(header) {
  if (tooLongFor(header)) return tooLong('onboarding', utf8Length(header))
  let start = 0
  let end = header.length
  while (start < end && isBlank(header.charCodeAt(start))) start++
  while (end > start && isBlank(header.charCodeAt(end - 1))) end--
  if (start === end) return missing('onboarding')
  if (end - start !== 64 || !hex64At(header, start)) return signatureNotHex('onboarding')
  return start === 0 && end === header.length ? header : header.slice(start, end)
}

/**
 * The replay window (core: Tolerance::check): undefined when `value` (a parsed t) is within
 * `tolerance` seconds of `now` (unix seconds), or `tolerance` is TOLERANCE_DISABLED; else a
 * Rejection. Exactly `tolerance` seconds either way is accepted.
 */
export function checkWindow(value, now, tolerance) {
  if (tolerance === TOLERANCE_DISABLED) return undefined
  let t = value
  let n = now
  let tol = tolerance
  if (typeof t === 'bigint' || !Number.isSafeInteger(n) || !Number.isSafeInteger(tol)) {
    t = BigInt(t)
    n = BigInt(n)
    tol = BigInt(tol)
  }
  if (n >= t) {
    const age = n - t
    if (age > tol) {
      return rejection('too_old', 'business', { age, tolerance: tol })
    }
  } else {
    const ahead = t - n
    if (ahead > tol) {
      return rejection('in_future', 'business', { ahead, tolerance: tol })
    }
  }
  return undefined
}

// A header over the length limit is present, whatever it holds (its length is the error).
const present = (h) => h !== undefined && h !== null && (tooLongFor(h) || !/^[ \t]*$/.test(h))

/**
 * The header to verify among the two a request may carry (undefined or null: absent), by the
 * core's rule (Schemes::select): only the configured schemes' headers are read; with 'both' the
 * business header wins when present and not blank. Returns ['business' | 'onboarding', header],
 * or a Rejection (missing_header, saying when the request carries the other scheme's header).
 */
export function select(schemes, business, onboarding) {
  const b = present(business) ? business : undefined
  const o = present(onboarding) ? onboarding : undefined
  if (schemes === 'both') {
    if (b !== undefined) return ['business', b]
    if (o !== undefined) return ['onboarding', o]
    return missingEither()
  }
  const [scheme, chosen, other] = schemes === 'onboarding' ? ['onboarding', o, b] : ['business', b, o]
  if (chosen !== undefined) return [scheme, chosen]
  return other !== undefined ? otherSchemeOnly(scheme) : missing(scheme)
}

/** The 32 bytes of 64 hex digits (checked by the parsers). */
export function hexToBytes(hex) {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16)
  return out
}

/** Lower-case hex of bytes. */
export function toHex(bytes) {
  let out = ''
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16)
  return out
}
