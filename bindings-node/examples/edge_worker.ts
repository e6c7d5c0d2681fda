// The README's edge runtime handler ("Edge runtimes": a Cloudflare Worker's module syntax, also
// Deno's and Bun's `export default { fetch }`), as it is shown there (between the snippet
// comments). __test__/readme.test.mjs type-checks it, compiles it to JavaScript and calls fetch.

// snippet:start edge
import { Verifier, WebhookVerificationError } from 'qonto-webhooks/web'

let verifier: Verifier | undefined // built once per isolate, from the first request's environment

export default {
  async fetch(request: Request, env: { QONTO_WEBHOOK_SECRET: string }): Promise<Response> {
    verifier ??= new Verifier(env.QONTO_WEBHOOK_SECRET) // business webhooks only (the default)
    try {
      const { event } = await verifier.constructEventFromRequestAsync(request.headers, await request.arrayBuffer())
      console.log(event.id)
      return new Response(null, { status: 204 })
    } catch (err) {
      if (err instanceof WebhookVerificationError) return Response.json({ error: err.code }, { status: 400 })
      throw err
    }
  },
}
// snippet:end edge
