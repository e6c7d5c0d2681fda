// The HTTP layer every framework integration shares: the one vocabulary (a status and a JSON body
// { error, message } with the contract's codes; a handled event's redelivery 200
// { duplicate: true, id }), the options they all take, the idempotency step, and the Fetch
// `Request` receiver (verifyWebRequest, qontoWebHandler) over any verify function.
//
// Plain JavaScript with no Node.js import, shared by the main entry (index.js and lib/, through the
// generated http.cjs: Express, Fastify, Koa, NestJS, Fetch runtimes) and the WebCrypto entry
// (web.mjs). This file is the source; http.cjs is generated from it (`node scripts/rules-cjs.mjs`).

// The statuses are the contract's (contract.json, generated into contract.mjs).
import * as contract from './contract.mjs'
import { IdempotencyGuard, IdempotencyError } from './idempotency.mjs'

/** The largest body an integration reads by default: 1 MiB (Qonto's events are a few KiB). */
export const DEFAULT_LIMIT = 1024 * 1024

const decoder = new TextDecoder('utf-8')

function describeValue(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${value.constructor ? value.constructor.name : 'null prototype'})`
  return `a ${typeof value}`
}

/** The status of a code: the HTTP layer's own codes from the contract, any verification code 400. */
export function statusOf(code) {
  return Object.hasOwn(contract.HTTP_STATUS, code) ? contract.HTTP_STATUS[code] : contract.VERIFICATION_STATUS
}

/**
 * A request the HTTP layer refused before or after verification, with the contract's code:
 * 'body_too_large' (413), 'body_unreadable', 'body_already_parsed' or 'invalid_payload' (400).
 * `status` is the answer's status.
 */
export class WebhookRequestError extends Error {
  constructor(code, message, options) {
    super(message, options)
    this.name = 'WebhookRequestError'
    this.code = code
    this.status = statusOf(code)
  }
}

/** An answer: `{ status, body, headers }`, the body `{ error: code, message }`. */
export function failure(code, message, headers) {
  return { status: statusOf(code), body: { error: code, message }, headers: headers || {} }
}

export function tooLarge(limit) {
  return new WebhookRequestError('body_too_large', `the request body is larger than the ${limit} bytes allowed (options.limit)`)
}

export function unreadable(err) {
  return new WebhookRequestError('body_unreadable', `the request body could not be read: ${err && err.message}`, { cause: err })
}

export function notJson(err) {
  return new WebhookRequestError('invalid_payload', `the signature is valid but the body is not JSON: ${err.message}`, { cause: err })
}

/**
 * The answer to an error an integration knows (a WebhookVerificationError of either entry, a
 * WebhookRequestError, an IdempotencyError), or undefined for any other error (the framework's to
 * handle).
 */
export function answerFor(err) {
  if (err === null || typeof err !== 'object') return undefined
  if (err.name === 'WebhookVerificationError' && contract.ERROR_CODES.includes(err.code)) return failure(err.code, err.message)
  if (err instanceof WebhookRequestError) return failure(err.code, err.message)
  if (err instanceof IdempotencyError && err.code === 'invalid_payload') return failure(err.code, err.message)
  if (err instanceof IdempotencyError) {
    return failure(err.code, 'the idempotency store is unavailable: the event was not handled; Qonto will retry the delivery')
  }
  return undefined
}

/** `options.limit`: bytes, a whole number >= 0; absent: DEFAULT_LIMIT. */
export function checkLimit(value) {
  if (value === undefined || value === null) return DEFAULT_LIMIT
  if (typeof value !== 'number') throw new TypeError(`options.limit must be a number of bytes, got ${describeValue(value)}`)
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`options.limit must be a non-negative whole number of bytes, got ${value}`)
  return value
}

/** `options.idempotency`: off (undefined, false), a guard, true, or a guard's options. */
export function checkIdempotency(value) {
  if (value === undefined || value === null || value === false) return undefined
  if (value === true) return new IdempotencyGuard()
  if (value instanceof IdempotencyGuard) return value
  if (typeof value === 'object' && typeof value.claim !== 'function') return new IdempotencyGuard(value)
  throw new TypeError(
    `options.idempotency must be an IdempotencyGuard, true (a guard over a MemoryStore) or a guard's options ({ store, lease, ttl }), got ${describeValue(value)}` +
      (value !== null && typeof value === 'object' ? ': to use a store, pass { store } or new IdempotencyGuard({ store })' : ''),
  )
}

/**
 * The options every integration takes, checked once: `{ secret, tolerance, schemes }` (a new
 * verifier) or `{ verifier }` (one you built), `limit`, `idempotency`. `Verifier` is the entry's
 * class. Returns `{ verifier, limit, guard }`.
 */
export function configure(options, name, Verifier) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${name} needs an options object: ${name}({ secret: process.env.QONTO_WEBHOOK_SECRET })`)
  }
  let verifier
  if (options.verifier !== undefined) {
    if (!(options.verifier instanceof Verifier)) throw new TypeError(`options.verifier must be a Verifier of this entry, got ${describeValue(options.verifier)}`)
    for (const key of ['secret', 'tolerance', 'schemes']) {
      if (options[key] !== undefined) throw new TypeError(`options.${key} and options.verifier are exclusive: the verifier has its own`)
    }
    verifier = options.verifier
  } else {
    verifier = new Verifier(options.secret, { tolerance: options.tolerance, schemes: options.schemes })
  }
  return { verifier, limit: checkLimit(options.limit), guard: checkIdempotency(options.idempotency) }
}

/** The JSON of a verified body, or a WebhookRequestError 'invalid_payload'. */
export function parseEvent(bytes) {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : decoder.decode(bytes))
  } catch (err) {
    throw notJson(err)
  }
}

/**
 * The idempotency step, after verification: `{ claim }` for a first delivery (the caller runs the
 * handler, then `settle`s), else `{ answer }`: 200 `{ duplicate: true, id }` for an event already
 * handled, 409 `duplicate_in_progress` (with Retry-After) for one being handled, 400
 * `invalid_payload` for a body without a string `id`, 503 when the store fails. Other errors throw.
 */
export async function claimEvent(guard, scheme, event) {
  let claim
  try {
    claim = await guard.claim(scheme, event)
  } catch (err) {
    const answer = err instanceof IdempotencyError ? answerFor(err) : undefined
    if (answer === undefined) throw err
    return { answer }
  }
  if (claim.state === 'done') return { answer: { status: 200, body: { duplicate: true, id: claim.id }, headers: {} } }
  if (claim.state === 'processing') {
    return {
      answer: failure('duplicate_in_progress', `event ${claim.id} is being processed by another delivery; Qonto will retry it`, {
        'Retry-After': String(Math.ceil(guard.lease)),
      }),
    }
  }
  return { claim }
}

/**
 * Ends a claim once: completed when the handler answered a 2xx, else released (so Qonto's retry
 * is handled). A store failure here is a warning, not an error: the answer is already given.
 * Returns a function `(succeeded) => void` that acts on its first call only.
 */
export function settler(guard, claim) {
  let settled = false
  return (succeeded) => {
    if (settled) return
    settled = true
    const done = succeeded ? guard.complete(claim) : guard.release(claim)
    done.catch((err) => {
      const message =
        `qonto-webhooks: could not ${succeeded ? 'complete' : 'release'} the idempotency claim of ${claim.key}: ${err.message}` +
        (succeeded ? ' (a retry after the lease is handled again)' : ' (a retry is refused until the lease ends)')
      const proc = globalThis.process
      if (proc && typeof proc.emitWarning === 'function') proc.emitWarning(message, { code: 'QONTO_WEBHOOKS_IDEMPOTENCY' })
      else console.warn(message)
    })
  }
}

/** Whether an HTTP status is a 2xx (the handler succeeded). */
export const succeeded = (status) => status >= 200 && status < 300

/**
 * The raw body of a Fetch `Request`, at most `limit` bytes: a declared Content-Length over the limit
 * is refused before reading, a streamed body as soon as it passes the limit (413
 * 'body_too_large'); a body already read, or a read that fails, is 'body_unreadable'.
 */
export async function readWebBody(request, limit) {
  if (request === null || typeof request !== 'object' || typeof request.arrayBuffer !== 'function' || request.headers === undefined) {
    throw new TypeError(`request must be a Fetch Request (with headers and arrayBuffer()), got ${describeValue(request)}`)
  }
  if (request.bodyUsed) throw new WebhookRequestError('body_unreadable', 'the request body was already read: verify before reading it (request.json(), request.text())')
  const declared = Number(request.headers.get ? request.headers.get('content-length') : undefined)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const stream = request.body
  if (stream === null || stream === undefined || typeof stream.getReader !== 'function') {
    let buffer
    try {
      buffer = await request.arrayBuffer()
    } catch (err) {
      throw unreadable(err)
    }
    if (buffer.byteLength > limit) throw tooLarge(limit)
    return new Uint8Array(buffer)
  }
  const reader = stream.getReader()
  const chunks = []
  let size = 0
  for (;;) {
    let step
    try {
      step = await reader.read()
    } catch (err) {
      throw unreadable(err)
    }
    if (step.done) break
    size += step.value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(step.value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/**
 * A Fetch `Request` verified: reads its body (readWebBody), calls `verify(headers, bytes)` (the
 * entry's request verification, sync or async: `{ scheme, secretIndex, timestamp }`, or throws a
 * WebhookVerificationError), parses it. Resolves to `{ scheme, secretIndex, timestamp, event }`.
 */
export async function receiveWebRequest(request, limit, verify) {
  const bytes = await readWebBody(request, limit)
  const verified = await verify(request.headers, bytes)
  return { ...verified, event: parseEvent(bytes) }
}

/** An answer as a Fetch `Response` (JSON). */
export function toResponse(answer) {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...answer.headers },
  })
}

/**
 * The Fetch handler of qontoWebHandler: `(request) => Promise<Response>` that verifies, applies the
 * guard, then calls `handler(event, webhook, request)` (webhook: `{ scheme, secretIndex, timestamp }`)
 * and returns its Response; a 2xx completes the guard's claim, anything else or a throw releases it.
 */
export function webHandler(config, handler, verify) {
  if (typeof handler !== 'function') throw new TypeError(`handler must be a function (event, webhook, request) => Response, got ${describeValue(handler)}`)
  return async function qontoWebHandler(request) {
    let received
    try {
      received = await receiveWebRequest(request, config.limit, verify)
    } catch (err) {
      const answer = answerFor(err)
      if (answer === undefined) throw err
      return toResponse(answer)
    }
    const { event, ...webhook } = received
    if (config.guard === undefined) return handler(event, webhook, request)
    const step = await claimEvent(config.guard, webhook.scheme, event)
    if (step.answer !== undefined) return toResponse(step.answer)
    const settle = settler(config.guard, step.claim)
    let response
    try {
      response = await handler(event, webhook, request)
    } catch (err) {
      settle(false)
      throw err
    }
    settle(response !== null && typeof response === 'object' && succeeded(response.status))
    return response
  }
}
