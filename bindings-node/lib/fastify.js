'use strict'
// qonto-webhooks/fastify: a Fastify plugin that verifies the webhooks of the routes beside it.
// Its content-type parser (for every type: the signature covers the raw bytes, whatever the
// Content-Type says) keeps the raw body, at most `limit` bytes, and is encapsulated: register the
// plugin in the scope of the webhook routes, and the app's other routes keep Fastify's JSON parser.

const http = require('../http.cjs')
const { Verifier } = require('./verifier.js')
const { readStream, receive, closeAfter, settleWith } = require('./receive.js')

const HINT = 'Register qonto-webhooks/fastify in the scope of the webhook routes, and no other body parser there'

// A body the parser refused (too large, unreadable): answered by the preHandler hook in the
// contract's vocabulary, rather than by Fastify's error handler in its own.
class Refused {
  constructor(err) {
    this.err = err
  }
}

// Set on the scope that registers the plugin; a child scope inherits it (Fastify makes a child
// instance from its parent's), so a second registration in the same scope or a nested one is seen.
const REGISTERED = Symbol('qonto-webhooks/fastify registered')

function send(reply, answer) {
  return reply.code(answer.status).headers(answer.headers).type('application/json; charset=utf-8').send(JSON.stringify(answer.body))
}

/**
 * The plugin: `app.register(qontoWebhook, { secret, schemes?, tolerance?, limit?, idempotency? })`
 * inside the scope (`app.register(async (scope) => { ... })`) that declares the webhook routes.
 * Every route of that scope is verified before its handler (a preHandler hook): the handler finds
 * `request.qontoEvent` (the parsed event) and `request.qontoWebhook` ({ scheme, secretIndex,
 * timestamp }); a refused request gets the contract's status and { error, message }; with
 * `idempotency`, a handled event's redelivery 200 { duplicate: true, id }.
 */
function qontoWebhook(fastify, options, done) {
  let config
  try {
    config = http.configure(options, 'qonto-webhooks/fastify', Verifier)
  } catch (err) {
    done(err)
    return
  }
  // Two registrations that reach one route run two hooks: the outer one refuses what the inner one
  // is for (another scheme or secret), or both verify the request and, with idempotency, both
  // claim its event. One endpoint, one scope, one registration.
  if (fastify[REGISTERED]) {
    const err = new Error(
      "qonto-webhooks/fastify is already registered in this scope or an enclosing one: register it once per endpoint, each in the scope of that endpoint's routes (sibling scopes)",
    )
    err.code = 'ERR_QONTO_REGISTERED_TWICE'
    done(err)
    return
  }
  fastify[REGISTERED] = true
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', async (request, payload) => {
    try {
      return await readStream(payload, config.limit)
    } catch (err) {
      if (err instanceof http.WebhookRequestError) return new Refused(err)
      throw err
    }
  })
  // A scope may hold several webhook endpoints' plugins (or inherit the decorators): declared once.
  if (!fastify.hasRequestDecorator('qontoEvent')) fastify.decorateRequest('qontoEvent', null)
  if (!fastify.hasRequestDecorator('qontoWebhook')) fastify.decorateRequest('qontoWebhook', null)
  fastify.addHook('preHandler', async (request, reply) => {
    const req = request.raw
    let received
    if (request.body instanceof Refused) {
      const err = request.body.err
      received = { answer: http.answerFor(err), close: err.code === 'body_too_large' && !req.readableEnded }
    } else {
      received = await receive(config, req, request.body, undefined, HINT)
    }
    if (received.answer !== undefined) {
      if (received.close) closeAfter(req, reply.raw)
      return send(reply, received.answer)
    }
    request.qontoEvent = received.event
    request.qontoWebhook = received.webhook
    if (received.claim !== undefined && !settleWith(reply.raw, config.guard, received.claim)) {
      // The delivery was dropped while the claim was made: no handler, and Qonto retries it.
      reply.hijack()
      return reply
    }
  })
  done()
}

// As fastify-plugin marks a plugin: its parser and hook apply to the scope that registers it (not
// to a scope of its own), and Fastify shows its name.
qontoWebhook[Symbol.for('skip-override')] = true
qontoWebhook[Symbol.for('fastify.display-name')] = 'qonto-webhooks'
qontoWebhook[Symbol.for('plugin-meta')] = { name: 'qonto-webhooks', fastify: '>=4' }

module.exports = qontoWebhook
module.exports.qontoWebhook = qontoWebhook
module.exports.default = qontoWebhook
