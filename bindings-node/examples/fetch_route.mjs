// The root README's Fetch API example (a Next.js App Router route handler; Hono, Bun and other
// runtimes with Web Request/Response objects call it the same way), as it is shown there (between
// the snippet comments), run by __test__/readme.test.mjs.

export const queue = [] // what the application does with a verified event (the test reads it)

// snippet:start fetch
import { Verifier, WebhookVerificationError } from 'qonto-webhooks'
const verifier = new Verifier(process.env.QONTO_WEBHOOK_SECRET)

export async function POST(request) {
  const body = Buffer.from(await request.arrayBuffer())          // not request.json()
  try {
    const { event, scheme } = verifier.constructEventFromRequest(request.headers, body)
    queue.push(event)                                           // dedupe on event.id, queue it
    return Response.json({ received: event.id, scheme })
  } catch (e) {
    if (e instanceof WebhookVerificationError) return Response.json({ error: e.code }, { status: 400 })
    throw e
  }
}
// snippet:end fetch
