'use strict'
// The Express (or Connect / node:http) middleware, qontoWebhook: reading the body when no body
// parser did, verifying it, the idempotency step, and the JSON answers.

const { IdempotencyGuard, IdempotencyError } = require('../idempotency.cjs')
const { describe, asBytes, checkSeconds, parseJson } = require('./args.js')
const { Verifier, checkRequest } = require('./verifier.js')

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

/** Answers `status` with the JSON `value`. */
function replyJson(res, status, value) {
  const text = JSON.stringify(value)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** Answers an error: `status` with { error: code, message }. */
function reply(res, status, code, message) {
  replyJson(res, status, { error: code, message })
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
 * 'business' (the default), 'onboarding' or 'both'; mount one per endpoint, each with its secret.
 * On success it sets `req.qontoEvent` (the parsed JSON body) and `req.qontoWebhook`
 * ({ scheme, secretIndex, timestamp }) and calls next(). On failure it answers 400 with
 * { error: <code>, message } and does not call next().
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

module.exports = { qontoWebhook }
