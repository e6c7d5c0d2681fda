'use strict'
// diagnose() for the pure-JS fallback: a port of the core's core/src/diagnose.rs (the same
// mistakes, in the same order, with the same messages), on node:crypto and rules.cjs.
//
// What it lacks against the native one (said in the README too): the body's JSON is re-serialised
// by JavaScript, not serde_json, so numbers print as JavaScript prints them (a body signed with
// `1.0` or `1e3` where the one given has `1` or `1000` is not recognised as re-serialised, nor a
// number beyond 2^53), and JSON.parse moves integer-like keys ("1", "42") first in an object.

const { createHmac, timingSafeEqual } = require('node:crypto')
const rules = require('./rules.cjs')

const { Rejection, parseBusiness, parseOnboarding, checkWindow, checkSecretLengths } = rules

const SECRET_PREFIX = Buffer.from('whsec_')
const fails = (x) => x instanceof Rejection

/** The index of the first secret matching, or a Rejection (the core's Verifier::verify). */
function verifyBusiness(secrets, body, header, now, tolerance) {
  const parsed = parseBusiness(header)
  if (fails(parsed)) return parsed
  const late = checkWindow(parsed.value, now, tolerance)
  if (late !== undefined) return late
  return matchAny(secrets, Buffer.from(parsed.text + '.'), body, parsed.signatures, 'business')
}

function verifyOnboarding(secrets, body, header) {
  const candidate = parseOnboarding(header)
  if (fails(candidate)) return candidate
  return matchAny(secrets, undefined, body, [candidate], 'onboarding')
}

function matchAny(secrets, prefix, body, signatures, scheme) {
  const wanted = signatures.map((hex) => Buffer.from(hex, 'hex'))
  for (let i = 0; i < secrets.length; i++) {
    const hmac = createHmac('sha256', secrets[i])
    if (prefix !== undefined) hmac.update(prefix)
    const tag = hmac.update(body).digest()
    let found = false
    for (const c of wanted) found = timingSafeEqual(tag, c) || found
    if (found) return i
  }
  return rules.mismatch(scheme, secrets.length, signatures.length)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Standard base64 with padding, strictly (the base64 crate's STANDARD engine), or undefined. */
function decodeBase64(bytes) {
  const text = bytes.toString('latin1')
  if (!BASE64.test(text)) return undefined
  const decoded = Buffer.from(text, 'base64')
  // Non-canonical trailing bits are refused by the base64 crate: re-encoding must give the input.
  return decoded.toString('base64') === text ? decoded : undefined
}

const isAsciiWhitespace = (b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d

function secretVariants(secret) {
  const out = [{ value: secret, mistake: null, what: '' }]
  if (secret.subarray(0, SECRET_PREFIX.length).equals(SECRET_PREFIX)) {
    const tail = secret.subarray(SECRET_PREFIX.length)
    out.push({
      value: tail,
      mistake: 'secret_prefix',
      what: 'the signature was made with the secret stripped of its whsec_ prefix; Qonto signs with the whole secret, prefix included',
    })
    const decoded = decodeBase64(tail)
    if (decoded !== undefined) {
      out.push({
        value: decoded,
        mistake: 'secret_base64',
        what: "the signature was made with the base64-decoded secret (as Svix-style libraries do); Qonto signs with the secret's bytes as given, not decoded",
      })
    }
  } else {
    out.push({
      value: Buffer.concat([SECRET_PREFIX, secret]),
      mistake: 'secret_prefix',
      what: 'the secret given here lacks the whsec_ prefix that the signature was made with: pass the secret whole, prefix included',
    })
    out.push({
      value: Buffer.concat([SECRET_PREFIX, Buffer.from(secret.toString('base64'))]),
      mistake: 'secret_base64',
      what: 'the secret given here is the base64-decoded form of the secret that signed: pass the whsec_ secret as Qonto returned it, without decoding it',
    })
  }
  let start = 0
  let end = secret.length
  while (start < end && isAsciiWhitespace(secret[start])) start++
  while (end > start && isAsciiWhitespace(secret[end - 1])) end--
  if (end - start !== secret.length && end > start) {
    out.push({
      value: secret.subarray(start, end),
      mistake: 'secret_whitespace',
      what: 'the secret given here has spaces or a newline around it (often from a file or an .env line): trim it',
    })
  }
  return out
}

// serde_json's writers: compact, pretty (two spaces), Python's separators; keys in the given order.
function serialize(value, itemSep, keySep) {
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v, itemSep, keySep)).join(itemSep)}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => JSON.stringify(k) + keySep + serialize(value[k], itemSep, keySep))
      .join(itemSep)}}`
  }
  return JSON.stringify(value)
}

const byUtf8 = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted)
  if (value !== null && typeof value === 'object') {
    const out = {}
    for (const k of Object.keys(value).sort(byUtf8)) out[k] = sorted(value[k])
    return out
  }
  return value
}

// Non-ASCII: the UTF-16 code units from 0x80 up (the same as [^\x00-\x7f] without the u flag).
const NON_ASCII = /[\u0080-\uffff]/

function asciiEscaped(json) {
  if (json === undefined || !NON_ASCII.test(json)) return undefined
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function bodyVariants(body) {
  const out = [{ value: body, mistake: null, what: '' }]
  const push = (value, mistake, what) => {
    if (value === undefined) return
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    if (out.every((v) => !v.value.equals(bytes))) out.push({ value: bytes, mistake, what })
  }
  if (body.length > 0 && body[body.length - 1] === 0x0a) {
    let end = body.length - 1
    if (end > 0 && body[end - 1] === 0x0d) end--
    push(
      body.subarray(0, end),
      'body_trailing_newline',
      'the body given here has a trailing newline that the signed body did not have (an editor, echo or a heredoc adds one)',
    )
  } else {
    push(Buffer.concat([body, Buffer.from('\n')]), 'body_trailing_newline', 'the body given here lacks the trailing newline of the signed body')
  }
  if (body.includes(0x0a)) {
    const lf = Buffer.from(body.filter((b) => b !== 0x0d))
    push(lf, 'body_line_endings', 'the body given here has CRLF line endings where the signed body had LF')
    const crlf = []
    for (const b of lf) {
      if (b === 0x0a) crlf.push(0x0d)
      crlf.push(b)
    }
    push(Buffer.from(crlf), 'body_line_endings', 'the body given here has LF line endings where the signed body had CRLF')
  }
  let value
  let parsed = false
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
    parsed = true
  } catch {}
  if (parsed) {
    const reser = 'body_reserialized'
    const compact = serialize(value, ',', ':')
    push(compact, reser, 'the body given here was re-serialised from parsed JSON; Qonto signed a compact form (no spaces)')
    push(JSON.stringify(value, null, 2), reser, 'the body given here was re-serialised; Qonto signed it pretty-printed')
    const python = serialize(value, ', ', ': ')
    push(python, reser, 'the body given here was re-serialised; Qonto signed it with ", " and ": " separators')
    push(serialize(sorted(value), ',', ':'), reser, 'the body given here was re-serialised; Qonto signed it with its keys in another order')
    push(asciiEscaped(compact), reser, 'the body given here was re-serialised; Qonto signed it with non-ASCII characters as \\u escapes')
    push(
      asciiEscaped(python),
      reser,
      "the body given here was re-serialised; Qonto signed it in Python's json.dumps default form (spaces and \\u escapes)",
    )
  }
  return out
}

const rawBodyAdvice = (v) =>
  v.mistake === 'body_reserialized' ? `${v.what}: verify the raw request body, byte for byte, before any JSON parsing` : v.what

const finding = (mistake, message) => ({ mistake, message })

function explain(secrets, onboarding, header, body, now, tolerance, error) {
  const findings = []
  if (!onboarding && !fails(parseOnboarding(header))) {
    const verdict = fails(verifyOnboarding(secrets, body, header)) ? 'though it does not verify as one either' : 'and it verifies as one'
    findings.push(
      finding(
        'wrong_scheme',
        `this header is a Qonto-SHA256-Signature value (onboarding webhooks), not an X-Qonto-Signature one, ${verdict}: verify onboarding webhooks with the onboarding scheme`,
      ),
    )
    return findings
  }
  if (onboarding && !fails(parseBusiness(header))) {
    const verdict = fails(verifyBusiness(secrets, body, header, now, tolerance)) ? 'though it does not verify as one either' : 'and it verifies as one'
    findings.push(
      finding(
        'wrong_scheme',
        `this header is an X-Qonto-Signature value (business webhooks), not a Qonto-SHA256-Signature one, ${verdict}: verify business webhooks with the business scheme`,
      ),
    )
    return findings
  }
  let parsed
  if (!onboarding) {
    parsed = parseBusiness(header)
    if (fails(parsed)) return findings
  } else if (fails(parseOnboarding(header))) {
    return findings
  }

  if (parsed !== undefined && (error.code === 'timestamp_too_old' || error.code === 'timestamp_in_future')) {
    const t = BigInt(parsed.value)
    const n = BigInt(now)
    const valid = !fails(verifyBusiness(secrets, body, header, now, rules.TOLERANCE_DISABLED))
    const seconds = t / 1000n
    if (parsed.text.replace(/^0+/, '').length >= 13 && checkWindow(seconds, now, tolerance) === undefined) {
      findings.push(
        finding(
          'timestamp_milliseconds',
          `t is in milliseconds (${t}); Qonto's t is in seconds: whoever signed this must use unix seconds${valid ? ' (the signature itself is valid)' : ''}`,
        ),
      )
    } else if (valid) {
      const skew = t < n ? n - t : t - n
      const side = t < n ? 'behind' : 'ahead of'
      findings.push(
        finding(
          'clock_skew',
          `the signature is valid, but t is ${skew} s ${side} this machine's clock: either the request is a late replay (reject it) or a clock is wrong (check NTP on this server)`,
        ),
      )
    }
    if (valid || findings.length > 0) return findings
  }

  const bodies = bodyVariants(body)
  secrets.forEach((secret, index) => {
    for (const s of secretVariants(secret)) {
      if (s.value.length === 0) continue
      for (const b of bodies) {
        if (s.mistake === null && b.mistake === null) continue
        const ok = onboarding
          ? !fails(verifyOnboarding([s.value], b.value, header))
          : !fails(verifyBusiness([s.value], b.value, header, now, rules.TOLERANCE_DISABLED))
        if (ok) {
          const parts = []
          if (s.mistake !== null) parts.push(s.what)
          if (b.mistake !== null) parts.push(rawBodyAdvice(b))
          const whose = secrets.length > 1 ? ` (secret ${index})` : ''
          findings.push(finding(s.mistake ?? b.mistake, `${parts.join('; and ')}${whose}`))
        }
      }
    }
  })
  if (parsed !== undefined) {
    for (const sig of parsed.signatures) {
      if (!fails(verifyOnboarding(secrets, body, sig))) {
        findings.push(
          finding(
            'body_signed_without_timestamp',
            'the signature covers the body alone; Qonto\'s business scheme signs "<t>.<body>": whoever signed this must prefix the body with the t value and a dot',
          ),
        )
      }
    }
  }
  if (findings.length === 0) {
    findings.push(
      finding(
        'wrong_secret',
        "no known mistake reproduces the signature: most likely the secret is not the one that signed (the API key instead of the webhook secret, another subscription's secret, sandbox vs production), or the body was changed in another way",
      ),
    )
  }
  return findings
}

/**
 * What the native nativeDiagnose returns: { ok, secretIndex?, code?, message?, explained,
 * findings }. `secrets` are Buffers, `body` a Buffer, `tolerance` seconds or 'disabled'.
 */
function diagnose(secrets, onboarding, header, body, now, tolerance) {
  const refused = checkSecretLengths(secrets.map((s) => s.length))
  if (refused !== undefined) return { ok: false, code: refused.code, message: refused.message, explained: false, findings: [] }
  const result = onboarding ? verifyOnboarding(secrets, body, header) : verifyBusiness(secrets, body, header, now, tolerance)
  if (!fails(result)) return { ok: true, secretIndex: result, explained: false, findings: [] }
  const findings = explain(secrets, onboarding, header, body, now, tolerance, result)
  return {
    ok: false,
    code: result.code,
    message: result.message,
    explained: findings.some((f) => f.mistake !== 'wrong_secret'),
    findings,
  }
}

module.exports = { diagnose }
