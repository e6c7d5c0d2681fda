// The same types seen from an ES module (the `import` condition of the exports map).
import qontoWebhooks, { Verifier, WebhookVerificationError, type ErrorCode } from 'qonto-webhooks'
import web, { Verifier as WebVerifier } from 'qonto-webhooks/web'

const body = '{"test":"data"}'
const header = qontoWebhooks.sign('test-secret', body, { timestamp: 1704110400 })
const v: Verifier = new qontoWebhooks.Verifier('test-secret')
const t: number = v.verify(body, header, { now: 1704110400 }).timestamp
const w: WebVerifier = new web.Verifier('test-secret')
const index: Promise<number> = w.verifyAsync(body, header).then((r) => r.secretIndex)
let code: ErrorCode | undefined
try {
  v.verify(body, undefined)
} catch (err) {
  if (err instanceof WebhookVerificationError) code = err.code
}
// @ts-expect-error: not a code
const wrong: ErrorCode = 'bad_signature'

export { t, index, code, wrong }
