// Qonto webhook endpoints with Fastify: the package's plugin (qonto-webhooks/fastify) registered in
// the scope of the webhook routes. Its raw-body parser is encapsulated there: the app's other
// routes keep Fastify's JSON parser.
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 node examples/node/fastify_receiver.js
'use strict'

require('./local-package.js') // the repository's package and its dev dependencies (not in your project)

// snippet:start fastify
const Fastify = require('fastify')
const qontoWebhook = require('qonto-webhooks/fastify')
const { IdempotencyGuard, MemoryStore } = require('qonto-webhooks')

const app = Fastify()
const guard = new IdempotencyGuard({ store: new MemoryStore() })

async function receive (request) {
  // Queue request.qontoEvent here and answer within Qonto's 1 s: a 2xx marks the event handled.
  return { received: true, id: request.qontoEvent.id, scheme: request.qontoWebhook.scheme }
}

// Business webhooks (X-Qonto-Signature) and onboarding webhooks (Qonto-SHA256-Signature): one
// scope each, with its secret. A refused request gets 400 (413 over 1 MiB) { error, message }.
app.register(async (scope) => {
  await scope.register(qontoWebhook, { secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard })
  scope.post('/webhooks', receive)
})
app.register(async (scope) => {
  await scope.register(qontoWebhook, { secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard })
  scope.post('/webhooks/onboarding', receive)
})

// Another route: Fastify's own JSON parsing, untouched by the plugin.
app.post('/api/echo', async (request) => request.body)
// snippet:end fastify

module.exports = app

if (require.main === module) {
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  app.listen({ port, host: '127.0.0.1' }).then(() => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
