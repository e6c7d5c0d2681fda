// A Next.js App Router route handler for Qonto's onboarding webhooks (Qonto-SHA256-Signature, the
// onboarding registration's own secret): POST /webhooks/onboarding, app/webhooks/onboarding/route.js
// in your app. The business route (../route.mjs) with `schemes: 'onboarding'`: this endpoint reads
// that header only, never the business one. Onboarding webhooks carry no timestamp, so no replay
// window: the idempotency guard is what refuses a captured one sent again.

import { qontoWebHandler, IdempotencyGuard, MemoryStore } from 'qonto-webhooks'

// Its own guard, as the business route has (the keys are "<scheme>:<id>": one guard shared by both
// routes, from a module of your app, would do as well).
const guard = new IdempotencyGuard({ store: new MemoryStore() })

export const POST = qontoWebHandler(
  { secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard },
  (event, webhook) => Response.json({ received: true, id: event.id, scheme: webhook.scheme }),
)
