'use strict'
// qonto-webhooks/koa: Koa middleware that verifies a Qonto webhook. It reads the raw body itself
// (no body parser on the webhook route), or takes koa-bodyparser's `ctx.request.rawBody`.

const http = require('../http.cjs')
const { Verifier } = require('./verifier.js')
const { receive, closeAfter, settleWith } = require('./receive.js')

const HINT = 'Keep body parsers (koa-bodyparser, koa-body) off the webhook route: the middleware reads the body itself'

/**
 * `router.post('/webhooks', qontoWebhook({ secret, schemes?, tolerance?, limit?, idempotency? }), handler)`
 * (or `app.use(...)` in front of a route). On success it sets `ctx.state.qontoEvent` (the parsed
 * event) and `ctx.state.qontoWebhook` ({ scheme, secretIndex, timestamp }) and awaits next(); a
 * refused request gets the contract's status and { error, message }; with `idempotency`, a
 * handled event's redelivery 200 { duplicate: true, id } (the claim completes when the response
 * finishes with a 2xx, and is released otherwise).
 */
function qontoWebhook(options) {
  const config = http.configure(options, 'qonto-webhooks/koa', Verifier)
  return async function qontoWebhookMiddleware(ctx, next) {
    const received = await receive(config, ctx.req, ctx.request.body, ctx.request.rawBody, HINT)
    if (received.answer !== undefined) {
      if (received.close) closeAfter(ctx.req, ctx.res)
      ctx.status = received.answer.status
      ctx.set(received.answer.headers)
      ctx.body = received.answer.body
      return
    }
    ctx.state.qontoEvent = received.event
    ctx.state.qontoWebhook = received.webhook
    if (received.claim !== undefined && !settleWith(ctx.res, config.guard, received.claim)) return
    await next()
  }
}

module.exports = { qontoWebhook }
module.exports.default = qontoWebhook
