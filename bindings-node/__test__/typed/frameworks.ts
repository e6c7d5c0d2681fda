// The framework integrations' declarations as an app uses them (tsc --noEmit --strict: lint.sh).
import Fastify from 'fastify'
import qontoFastify from 'qonto-webhooks/fastify'
import { qontoWebhook as qontoKoa } from 'qonto-webhooks/koa'
import type { QontoKoaContext } from 'qonto-webhooks/koa'
import { verifyWebRequest, qontoWebHandler, Verifier, WebhookRequestError, WebhookVerificationError } from 'qonto-webhooks'
import type { WebRequestVerified, WebhookRequestErrorCode } from 'qonto-webhooks'
import * as web from 'qonto-webhooks/web'

const app = Fastify()
app.register(async (scope) => {
  await scope.register(qontoFastify, { secret: 'whsec_x', idempotency: true })
  scope.post('/webhooks', async (request) => {
    const id: string | undefined = request.qontoEvent?.id
    const scheme: 'business' | 'onboarding' | undefined = request.qontoWebhook?.scheme
    return { id, scheme }
  })
})

const koa: (ctx: QontoKoaContext, next: () => Promise<unknown>) => Promise<void> = qontoKoa({ secret: 'whsec_x', schemes: 'both' })
void koa

const verifier = new Verifier('whsec_x')
export async function POST(request: Request): Promise<Response> {
  try {
    const verified: WebRequestVerified = await verifyWebRequest(request, { verifier, limit: 4096 })
    if (verified.scheme === 'business') {
      const timestamp: number = verified.timestamp
      return Response.json({ id: verified.event.id, timestamp })
    }
    return Response.json({ id: verified.event.id })
  } catch (err) {
    if (err instanceof WebhookRequestError) {
      const code: WebhookRequestErrorCode = err.code
      return Response.json({ error: code, message: err.message }, { status: err.status })
    }
    if (err instanceof WebhookVerificationError) return Response.json({ error: err.code, message: err.message }, { status: 400 })
    throw err
  }
}

export const handle: (request: Request) => Promise<Response> = qontoWebHandler({ secret: 'whsec_x', idempotency: true }, (event, webhook) =>
  Response.json({ id: event.id, scheme: webhook.scheme }),
)
export const edge = web.qontoWebHandler({ verifier: new web.Verifier('whsec_x') }, async (event) => Response.json({ id: event.id }))
export const edgeVerified: Promise<web.WebRequestVerified> = web.verifyWebRequest(new Request('http://x/'), { secret: 'whsec_x', now: 1 })

// @ts-expect-error a verifier and a secret are exclusive
verifyWebRequest(new Request('http://x/'), { verifier, secret: 'whsec_x' })
// @ts-expect-error the web entry's verifier is not the native one
web.verifyWebRequest(new Request('http://x/'), { verifier })
// @ts-expect-error nor the native entry's the web one (it has no synchronous methods)
qontoWebHandler({ verifier: new web.Verifier('whsec_x') }, (event) => Response.json({ id: event.id }))
