// Compiled with `tsc --noEmit --strict` (tsconfig.json beside this file) by typed.test.mjs: the
// public types as a user writes against them, through the package's own `exports` map.
import express from 'express'
import {
  Verifier,
  WebhookVerificationError,
  sign,
  qontoWebhook,
  ERROR_CODES,
  implementation,
  Incremental,
  type IncrementalVerification,
  type BusinessVerified,
  type BusinessEvent,
  type ErrorCode,
  type OnboardingEvent,
  type Topic,
} from 'qonto-webhooks'
import * as web from 'qonto-webhooks/web'

const running: 'native' | 'js' = implementation
// @ts-expect-error: only the two implementations
const wrong: 'wasm' = implementation
const verifier = new Verifier(['new-secret', Buffer.from('old-secret')], { tolerance: 300 })
const archived = new Verifier('s', { tolerance: 'disabled' })
const onboardingEndpoint = new Verifier('s', { schemes: 'onboarding' })
const accepted: 'business' | 'onboarding' | 'both' = onboardingEndpoint.schemes
const body = Buffer.from('{"test":"data"}')
const header: string = sign('test-secret', body, { timestamp: 1704110400 })

const verified = verifier.verify(body, header, { now: 1704110400 })
const index: number = verified.secretIndex
const timestamp: number = verified.timestamp
const onboarding = archived.verifyOnboarding('{}', ['a', 'b'])
const none: null = onboarding.timestamp

const streamed: number = verifier.start(header, { now: 1 }).update(body).update('tail').finish().timestamp
const streamedOnboarding: null = verifier.startOnboarding(header).update(body).finish().timestamp
const webStreamed: Promise<number> = new web.Verifier('s').start(header).update(body).finishAsync().then((r) => r.timestamp)
// The incremental verifier is `Incremental` (as in Rust, Python, C++ and Go); the former name
// IncrementalVerification stays as a deprecated alias of the same class.
const incremental: Incremental<BusinessVerified> = verifier.start(header)
const formerName: IncrementalVerification<BusinessVerified> = incremental
const isIncremental: boolean = formerName instanceof Incremental
const webIncremental: web.Incremental<BusinessVerified> = new web.Verifier('s').start(header)
const webFormer: web.IncrementalVerification<BusinessVerified> = webIncremental
// @ts-expect-error: the web entry's incremental verifier has finishAsync, not finish
webIncremental.finish()
// @ts-expect-error: created by start/startOnboarding only
new Incremental()
const event: BusinessEvent = verifier.constructEvent(body, header)
const topic: Topic = event.type
switch (topic) {
  case 'v1/transactions':
  case 'v1/cards':
    break
  case 'v1/some-future-topic': // unknown topics still type-check
    break
}
const name: string | undefined = event.data.event
const registration: OnboardingEvent = verifier.constructOnboardingEvent(body, undefined)
if (registration.event_type === 'registrations.completed') console.log(registration.resource_id)

const fromRequest = verifier.constructEventFromRequest(new Headers(), body)
if (fromRequest.scheme === 'business') {
  const t: number = fromRequest.timestamp
  const e: BusinessEvent = fromRequest.event
  console.log(t, e.id)
} else {
  const e: OnboardingEvent = fromRequest.event
  console.log(e.event_type)
}

try {
  verifier.verify(body, header)
} catch (err) {
  if (err instanceof WebhookVerificationError) {
    const code: ErrorCode = err.code
    console.log(code, err.message, err.scheme)
  }
}
const codes: readonly ErrorCode[] = ERROR_CODES

const app = express()
app.post('/webhooks/qonto', express.raw({ type: 'application/json' }), qontoWebhook({ secret: 'x', schemes: 'business' }), (req, res) => {
  const e = req.qontoEvent
  if (e !== undefined && 'type' in e) console.log(e.type)
  res.sendStatus(204)
})

async function edge(request: Request): Promise<Response> {
  const v = new web.Verifier('secret')
  const { event } = await v.constructEventFromRequestAsync(request.headers, await request.text())
  const h: string = await web.signAsync('secret', 'x', { scheme: 'onboarding' })
  return new Response(JSON.stringify({ id: event.id, h }))
}

// @ts-expect-error: a parsed object is not a body
verifier.verify({ test: 'data' }, header)
// @ts-expect-error: tolerance is seconds or 'disabled'
new Verifier('s', { tolerance: '300' })
// @ts-expect-error: the web entry has no synchronous verify
new web.Verifier('s').verify(body, header)
// @ts-expect-error: the web entry is async
const sync: { secretIndex: number } = new web.Verifier('s').verifyAsync(body, header)
// @ts-expect-error: schemes is 'business', 'onboarding' or 'both'
qontoWebhook({ secret: 'x', schemes: 'any' })

export { accepted, streamed, streamedOnboarding, webStreamed, index, timestamp, none, name, codes, app, edge, sync }
