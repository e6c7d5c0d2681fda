// A Next.js App Router route handler for Qonto webhooks: app/webhooks/qonto/route.js in your app.
// verifyWebRequest reads the Request's raw body (await request.arrayBuffer(), 1 MiB at most) and
// headers, verifies them and parses the event. The native addon is loaded by Node.js itself, not
// bundled: next.config.mjs (beside app/) lists the package in `serverExternalPackages`. On the Edge
// runtime, import from 'qonto-webhooks/web' instead (the same names, over WebCrypto).
// (Here 'qonto-webhooks' resolves to the repository's package through ../local-package.mjs.)

// snippet:start nextjs
import { verifyWebRequest, Verifier, WebhookVerificationError, WebhookRequestError } from 'qonto-webhooks'

// Built once, when the route module loads: throws now if the secret is missing.
const verifier = new Verifier(process.env.QONTO_WEBHOOK_SECRET)

export async function POST(request) {
  let verified
  try {
    verified = await verifyWebRequest(request, { verifier })
  } catch (err) {
    // 400 (a WebhookRequestError says its own status: 413 body_too_large) with { error, message }.
    if (err instanceof WebhookVerificationError || err instanceof WebhookRequestError) {
      return Response.json({ error: err.code, message: err.message }, { status: err.status ?? 400 })
    }
    throw err
  }
  const { event, scheme } = verified
  // Queue the event here (deduplicate on event.id: see qontoWebHandler's idempotency option) and
  // answer within Qonto's 1 s.
  return Response.json({ received: true, id: event.id, scheme })
}
// snippet:end nextjs
