// Qonto webhook endpoints with Hono (any runtime: Node.js here through @hono/node-server, or
// Bun, Deno, Cloudflare Workers): the package's Fetch handler, qontoWebHandler, given Hono's
// `c.req.raw` (the Fetch Request, its body still unread).
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 node examples/node/hono_receiver.mjs
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// In your project: `import { Hono } from 'hono'` and `import { qontoWebHandler, ... } from 'qonto-webhooks'`
// (on a runtime without native addons: 'qonto-webhooks/web', the same two names); here they
// come from the repository's Node package.
const packageDir = fileURLToPath(new URL('../../bindings-node/', import.meta.url))
const require = createRequire(`${packageDir}package.json`)
const { Hono } = require('hono')
const { qontoWebHandler, IdempotencyGuard, MemoryStore } = require(packageDir)

const guard = new IdempotencyGuard({ store: new MemoryStore() })

// handler(event, webhook, request) answers a verified event: queue it and answer within Qonto's
// 1 s; a 2xx marks the event handled. A refused request gets 400 (413 over 1 MiB) { error, message }.
const receive = (event, webhook) => Response.json({ received: true, id: event.id, scheme: webhook.scheme })
const business = qontoWebHandler({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard }, receive)
const onboarding = qontoWebHandler({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }, receive)

export const app = new Hono()
app.post('/webhooks', (c) => business(c.req.raw))
app.post('/webhooks/onboarding', (c) => onboarding(c.req.raw))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { serve } = require('@hono/node-server')
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
