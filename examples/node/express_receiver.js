// Qonto webhook endpoints with Express 5: the package's middleware (it reads the raw body itself)
// with its idempotency guard (each event id handled once), a fast answer. Business webhooks (X-Qonto-Signature) and
// onboarding webhooks (Qonto-SHA256-Signature) each get their own endpoint and secret: an endpoint
// accepts only the scheme it is configured for (business by default).
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 node examples/node/express_receiver.js
//     qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
'use strict'

require('./local-package.js') // the repository's package and its dev dependencies (not in your project)

// snippet:start express
const express = require('express')
const { qontoWebhook, IdempotencyGuard, MemoryStore } = require('qonto-webhooks')

const app = express()
// Each verified event reaches `receive` once, keyed on "<scheme>:<id>": a redelivery of a handled
// event gets 200 { duplicate: true, id }, one still being handled 409 duplicate_in_progress.
// A MemoryStore lives in this process; with several processes, a RedisStore over your Redis
// client (see bindings-node/README.md, "Duplicate deliveries").
const guard = new IdempotencyGuard({ store: new MemoryStore() })

function receive (req, res) {
  const event = req.qontoEvent // verified, then parsed
  // Queue the event here and answer within Qonto's 1 s: a 2xx marks it handled, anything else
  // (or an error) lets Qonto's retry through.
  res.json({ received: true, id: event.id, scheme: req.qontoWebhook.scheme })
}

// The signature covers the raw bytes: no body parser on these routes (never express.json()); the
// middleware reads the body itself, 1 MiB at most (413 body_too_large beyond: express.raw's own
// 100 kB limit would answer with an HTML page first). It answers 400 { error, message } to any
// rejected request, and throws now if the secret is missing.
app.post('/webhooks',
  qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard }), // business webhooks only (the default)
  receive)

app.post('/webhooks/onboarding',
  qontoWebhook({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }),
  receive)
// snippet:end express

const port = Number(process.env.PORT || process.argv[2] || 8080)
app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`)
})
