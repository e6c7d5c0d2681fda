// Qonto webhook endpoints with Express 4 in an app that parses JSON for its other routes. The
// signature covers the raw bytes, so the webhook routes are declared before `app.use(express.json())`:
// no parser has run for them and the package's middleware reads the body itself (1 MiB at most).
// Declared after it instead, two cases: a request of another content type, which Express 4's
// parser skips but leaves `req.body = {}`, is still read raw and verifies; an `application/json`
// one (what Qonto sends) has been parsed and gets 400 body_already_parsed, unless the parser keeps
// the raw bytes: `express.json({ verify: (req, res, buf) => { req.rawBody = buf } })`, which the
// middleware then verifies (but then express.json() answers a malformed or too large body itself,
// in its own format, before the middleware).
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 node examples/node/express4_receiver.js
'use strict'

require('./local-package.js') // the repository's package and its dev dependencies (not in your project)

// snippet:start express4
const express = require('express') // 4.x
const { qontoWebhook, IdempotencyGuard, MemoryStore } = require('qonto-webhooks')

const app = express()
const guard = new IdempotencyGuard({ store: new MemoryStore() })

function receive (req, res) {
  // Queue req.qontoEvent here and answer within Qonto's 1 s: a 2xx marks the event handled.
  res.json({ received: true, id: req.qontoEvent.id, scheme: req.qontoWebhook.scheme })
}

// The webhook routes first: no body parser has run for them (the middleware reads the body, 1 MiB at most).
app.post('/webhooks', qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard }), receive)
app.post('/webhooks/onboarding',
  qontoWebhook({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }),
  receive)

// The rest of the app parses JSON as usual.
app.use(express.json())
app.post('/api/echo', (req, res) => res.json(req.body))
// snippet:end express4

module.exports = app

if (require.main === module) {
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
