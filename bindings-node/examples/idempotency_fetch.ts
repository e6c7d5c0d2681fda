// The README's route handler that uses the idempotency guard by hand ("Without Express"), as it is
// shown there (between the snippet comments). __test__/readme.test.mjs type-checks it, compiles it
// to JavaScript and calls POST with Fetch Requests.

// snippet:start fetch-guard
import { Verifier, WebhookVerificationError, IdempotencyGuard, IdempotencyError } from 'qonto-webhooks'

const verifier = new Verifier(process.env.QONTO_WEBHOOK_SECRET!)
const guard = new IdempotencyGuard() // a MemoryStore: give it a RedisStore to share it
const queue: unknown[] = []
async function enqueue(event: unknown) {
  queue.push(event)
}

export async function POST(request: Request) {
  let verified
  try {
    verified = verifier.constructEventFromRequest(request.headers, await request.arrayBuffer())
  } catch (err) {
    if (err instanceof WebhookVerificationError) return Response.json({ error: err.code, message: err.message }, { status: 400 })
    throw err
  }
  let claim
  try {
    claim = await guard.claim(verified.scheme, verified.event)
  } catch (err) {
    if (err instanceof IdempotencyError) {
      return Response.json({ error: err.code, message: err.message }, { status: err.code === 'invalid_payload' ? 400 : 503 })
    }
    throw err
  }
  if (claim.state !== 'claimed') {
    if (claim.state === 'done') return Response.json({ duplicate: true, id: claim.id })
    const message = `event ${claim.id} is being processed by another delivery; Qonto will retry it`
    return Response.json({ error: 'duplicate_in_progress', message }, { status: 409, headers: { 'Retry-After': String(Math.ceil(guard.lease)) } })
  }
  try {
    await enqueue(verified.event)
  } catch (err) {
    await guard.release(claim) // Qonto's retry will be handled
    throw err
  }
  await guard.complete(claim)
  return new Response(null, { status: 204 })
}
// snippet:end fetch-guard

export { queue }
