// Type-checked by conditions.test.mjs under every export condition (`customConditions`: none,
// workerd, edge-light, worker, deno, browser) and both module resolutions (bundler, node16): the
// bare import is the synchronous native entry whatever the condition, and the WebCrypto entry
// (`qonto-webhooks/web`) has no synchronous name that returns a Promise.
import { Verifier, WebhookVerificationError, type BusinessVerified, type RequestVerified } from 'qonto-webhooks'
import { Verifier as WebVerifier, signAsync } from 'qonto-webhooks/web'

const forged = '{"forged":true}'
const header = `t=1735689600,v1=${'0'.repeat(64)}`

// The snippet: a rejection is an exception, caught here, under every condition.
const verifier = new Verifier('secret')
let rejected = false
try {
  const verified: BusinessVerified = verifier.verify(forged, header, { now: 1735689600 })
  const request: RequestVerified = verifier.verifyRequest({ 'x-qonto-signature': header }, forged)
  console.log(verified.timestamp, request.scheme)
} catch (err) {
  rejected = err instanceof WebhookVerificationError
}

const web = new WebVerifier('secret', { schemes: 'both', tolerance: 'disabled' })
const later: Promise<BusinessVerified> = web.verifyAsync(forged, header)
const signed: Promise<string> = signAsync('secret', forged)

// @ts-expect-error: the web entry has no synchronous verify (it would return a Promise)
web.verify(forged, header)
// @ts-expect-error: nor verifyRequest
web.verifyRequest({}, forged)
// @ts-expect-error: nor constructEvent
web.constructEvent(forged, header)
// @ts-expect-error: an async result used as if synchronous does not type-check
const notAwaited: BusinessVerified = web.verifyAsync(forged, header)
// @ts-expect-error: nor finish() on a web incremental verification
web.start(header).update(forged).finish()
// @ts-expect-error: schemes is one of three names
new Verifier('secret', { schemes: 'all' })
// @ts-expect-error: null no longer disables the window (null means the default, which the types do not invite)
new Verifier('secret', { tolerance: null })

export { rejected, later, signed, notAwaited }
