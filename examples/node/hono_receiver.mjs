// Qonto webhook endpoints with Hono (any runtime: Node.js here through @hono/node-server, or
// Bun, Deno, Cloudflare Workers): the package's Fetch handler, qontoWebHandler, given Hono's
// `c.req.raw` (the Fetch Request, its body still unread).
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 \
//       node --import ./examples/node/local-package.mjs examples/node/hono_receiver.mjs
//
// (--import: the repository's package and its dev dependencies, as your project's imports.)
import { fileURLToPath } from 'node:url'

// snippet:start hono
import { Hono } from 'hono'
import { qontoWebHandler, IdempotencyGuard, MemoryStore } from 'qonto-webhooks' // or 'qonto-webhooks/web' (no addon)

const guard = new IdempotencyGuard({ store: new MemoryStore() })

// handler(event, webhook, request) answers a verified event: queue it and answer within Qonto's
// 1 s; a 2xx marks the event handled. A refused request gets 400 (413 over 1 MiB) { error, message }.
const receive = (event, webhook) => Response.json({ received: true, id: event.id, scheme: webhook.scheme })
const business = qontoWebHandler({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard }, receive)
const onboarding = qontoWebHandler({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }, receive)

export const app = new Hono()
app.post('/webhooks', (c) => business(c.req.raw))
app.post('/webhooks/onboarding', (c) => onboarding(c.req.raw))
// snippet:end hono

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { serve } = await import('@hono/node-server')
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
