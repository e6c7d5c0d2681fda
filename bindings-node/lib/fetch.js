'use strict'
// The Fetch `Request` integrations of the main entry (Next.js App Router route handlers, Hono,
// Remix, SvelteKit, Bun, Deno: any runtime that hands you a Request): verifyWebRequest and
// qontoWebHandler, over the synchronous native (or pure-JS) Verifier. web.mjs has the same two over
// WebCrypto; the logic is http.mjs.

const http = require('../http.cjs')
const { Verifier } = require('./verifier.js')
const { checkOptions, checkSeconds } = require('./args.js')

function config(options, name) {
  const c = http.configure(options, name, Verifier)
  if (c.guard !== undefined) {
    throw new TypeError(`${name} takes no idempotency option: use qontoWebHandler(options, handler), which answers redeliveries itself`)
  }
  return c
}

/**
 * Verifies a Fetch `Request` (`await request.arrayBuffer()`, at most `limit` bytes, and
 * `request.headers`) under the configured schemes, then parses it. Resolves to
 * `{ scheme, secretIndex, timestamp, event }`, as `constructEventFromRequest`. Rejects with a
 * WebhookVerificationError (a verification code: answer 400) or a WebhookRequestError
 * (`body_too_large`, `body_unreadable`, `invalid_payload`; its `status` is the answer's). options: `{ secret, tolerance?, schemes? }` or `{ verifier }`,
 * `limit?`, `now?`.
 */
async function verifyWebRequest(request, options) {
  const c = config(options, 'verifyWebRequest')
  const now = checkOptions(options).now === undefined ? undefined : { now: checkSeconds(options.now, 'options.now') }
  return http.receiveWebRequest(request, c.limit, (headers, bytes) => c.verifier.verifyRequest(headers, bytes, now))
}

/**
 * A Fetch handler, `(request) => Promise<Response>`: verifies (as verifyWebRequest), applies the
 * idempotency guard, then returns `handler(event, webhook, request)`'s Response; a refused request,
 * a redelivery, a store failure get the contract's answer as JSON. The options of qontoWebhook.
 */
function qontoWebHandler(options, handler) {
  const c = http.configure(options, 'qontoWebHandler', Verifier)
  return http.webHandler(c, handler, (headers, bytes) => c.verifier.verifyRequest(headers, bytes))
}

module.exports = { verifyWebRequest, qontoWebHandler, WebhookRequestError: http.WebhookRequestError }
