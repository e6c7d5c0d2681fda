// Signs a realistic Qonto business webhook, verifies it, then shows what each kind of bad request
// is rejected with: the stable code and the message.
import { Verifier, WebhookVerificationError, sign } from 'qonto-webhooks'

const secret = 'whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA='
const verifier = new Verifier(secret) // default window: 300 s

const body = Buffer.from(
  JSON.stringify({
    id: '0193e5a8-3a43-7c9b-9b1e-6f3f7a1d2c4e',
    subscription_id: '5b1f1c2e-7d1a-4c55-9a43-1f0a2b3c4d5e',
    organization_id: 'a6f1e2d3-4c5b-4a69-8788-99aabbccddee',
    membership_id: 'c0ffee00-1234-4abc-8def-0123456789ab',
    type: 'v1/transactions',
    created_at: '2025-03-02T09:00:00.000Z',
    data: { event: 'transactions.created', id: 'd4c3b2a1-0000-4000-8000-000000000042', amount: 1250.5, currency: 'EUR', side: 'credit', label: 'ACME SAS invoice 2025-014' },
  }),
)
const now = Math.floor(Date.now() / 1000)
const header = sign(secret, body, { timestamp: now })

const event = verifier.constructEvent(body, header)
console.log(`accepted  ${event.type} ${event.data.event} ${event.data.amount} ${event.data.currency} (id ${event.id})`)

const tampered = Buffer.from(body.toString().replace('1250.5', '9250.5'))
const cases = [
  ['tampered body', () => verifier.verify(tampered, header)],
  ['stale replay (10 min old)', () => verifier.verify(body, sign(secret, body, { timestamp: now - 600 }))],
  ['wrong secret', () => verifier.verify(body, sign('whsec_not_the_subscription_secret', body, { timestamp: now }))],
  ['malformed header (v1 not hex)', () => verifier.verify(body, `t=${now},v1=${'z'.repeat(64)}`)],
  ['header missing', () => verifier.verify(body, undefined)],
]
for (const [what, run] of cases) {
  try {
    run()
    console.log(`ACCEPTED? ${what}`)
    process.exitCode = 1
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err
    console.log(`rejected  ${what}: ${err.code}\n          ${err.message}`)
  }
}
