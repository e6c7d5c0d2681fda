// A Next.js App Router route handler for Qonto's business webhooks: POST /webhooks
// (app/webhooks/route.js in your app; onboarding webhooks: onboarding/route.mjs beside it).
// qontoWebHandler is the whole endpoint: it reads the Request's raw body (1 MiB at most) and
// headers, verifies them, parses the event, answers a redelivery through the idempotency guard and
// every refusal with the contract's status and { error, message }, and otherwise returns the
// handler's Response. The native addon is loaded by Node.js itself, not bundled: next.config.mjs
// (beside app/) lists the package in `serverExternalPackages`. On the Edge runtime, import from
// 'qonto-webhooks/web' instead (the same names, over WebCrypto).
// The secret is read when the module loads, and `next build` loads route modules too (collecting
// page data): give the build the variable as well.
// (Here 'qonto-webhooks' resolves to the repository's package through ../../../local-package.mjs,
// and ../../serve.mjs stands in for `next start`.)

// snippet:start nextjs
import { qontoWebHandler, IdempotencyGuard, MemoryStore } from 'qonto-webhooks'

// Built once, when the route module loads: throws now if the secret is missing. MemoryStore
// remembers events in this server process only: on serverless or several instances, a RedisStore.
const guard = new IdempotencyGuard({ store: new MemoryStore() })

// handler(event, webhook, request) answers a verified, new event: queue it and answer within
// Qonto's 1 s; a 2xx marks it handled, and its redelivery gets 200 { duplicate: true, id }. A
// refused request gets 400 (413 over 1 MiB) { error, message }.
export const POST = qontoWebHandler(
  { secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard },
  (event, webhook) => Response.json({ received: true, id: event.id, scheme: webhook.scheme }),
)
// snippet:end nextjs
