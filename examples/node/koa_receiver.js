// Qonto webhook endpoints with Koa: the package's middleware (qonto-webhooks/koa) reads the raw
// body itself, so no body parser may run on these routes.
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 node examples/node/koa_receiver.js
'use strict'

require('./local-package.js') // the repository's package and its dev dependencies (not in your project)

// snippet:start koa
const Koa = require('koa')
const { qontoWebhook } = require('qonto-webhooks/koa')
const { IdempotencyGuard, MemoryStore } = require('qonto-webhooks')

const app = new Koa()
const guard = new IdempotencyGuard({ store: new MemoryStore() })

// Each verifies its scheme with its secret: a refused request gets 400 (413 over 1 MiB) { error, message }.
const business = qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard })
const onboarding = qontoWebhook({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard })

async function receive (ctx) {
  // Queue ctx.state.qontoEvent here and answer within Qonto's 1 s: a 2xx marks the event handled.
  ctx.body = { received: true, id: ctx.state.qontoEvent.id, scheme: ctx.state.qontoWebhook.scheme }
}

// With @koa/router: router.post('/webhooks', business, receive).
app.use(async (ctx, next) => {
  if (ctx.method !== 'POST') return next()
  if (ctx.path === '/webhooks') return business(ctx, () => receive(ctx))
  if (ctx.path === '/webhooks/onboarding') return onboarding(ctx, () => receive(ctx))
  return next()
})
// snippet:end koa

module.exports = app

if (require.main === module) {
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
