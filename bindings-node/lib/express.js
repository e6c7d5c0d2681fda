'use strict'
// The Express (or Connect / node:http) middleware, qontoWebhook, also NestJS's (on its Express
// platform): the raw body as the app left it (express.raw, NestJS's `rawBody: true`) or read here,
// verified, the idempotency step, and the JSON answers (lib/receive.js, http.mjs).

const http = require('../http.cjs')
const { Verifier } = require('./verifier.js')
const { receive, writeAnswer, closeAfter, settleWith } = require('./receive.js')

const HINT =
  "Mount express.raw({ type: 'application/json' }) on the webhook route, before qontoWebhook(), and keep express.json() " +
  'off it (or no body parser at all: the middleware reads the body itself); with NestJS, create the app with ' +
  '{ rawBody: true }'

/**
 * Express (or Connect / node:http) middleware that verifies a Qonto webhook. It takes the raw body
 * from express.raw (`req.body` as bytes) or NestJS's `req.rawBody`, or reads it itself when no body
 * parser consumed it (Express 4's express.json() skipping another content type leaves
 * `req.body = {}` and the stream unread: read here). It accepts the schemes options.schemes names:
 * 'business' (the default), 'onboarding' or 'both'; mount one per endpoint, each with its secret.
 * On success it sets `req.qontoEvent` (the parsed JSON body) and `req.qontoWebhook`
 * ({ scheme, secretIndex, timestamp }) and calls next(). On failure it answers the contract's
 * status with { error: <code>, message } and does not call next().
 * With options.idempotency (an IdempotencyGuard, or true for one over a MemoryStore) each verified
 * event is handled once: a delivery already handled gets 200 { duplicate: true, id }, one being
 * handled 409 duplicate_in_progress (with Retry-After), and next() is not called; a store failure
 * answers 503 idempotency_store_unavailable, a body without a string `id` 400 invalid_payload.
 * Throws at creation when the secret is missing or invalid.
 */
function qontoWebhook(options) {
  const config = http.configure(options, 'qontoWebhook', Verifier)

  async function handle(req, res, next) {
    const received = await receive(config, req, req.body, req.rawBody, HINT)
    if (received.answer !== undefined) {
      if (received.close) closeAfter(req, res)
      writeAnswer(res, received.answer)
      return
    }
    req.qontoEvent = received.event
    req.qontoWebhook = received.webhook
    // The delivery was dropped while the claim was made: no handler, and Qonto retries it.
    if (received.claim !== undefined && !settleWith(res, config.guard, received.claim)) return
    next()
  }

  return function qontoWebhookMiddleware(req, res, next) {
    handle(req, res, next).catch(next)
  }
}

module.exports = { qontoWebhook }
