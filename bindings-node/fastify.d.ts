// Types of qonto-webhooks/fastify: the Fastify plugin. Needs fastify's own types (a dev or direct
// dependency of the app that uses it).
import type { FastifyPluginCallback } from 'fastify'
import type { QontoWebhookOptions, QontoWebhookRequest } from './index.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified, parsed event (null outside the plugin's scope). */
    qontoEvent: NonNullable<QontoWebhookRequest['qontoEvent']> | null
    /** Which scheme and secret matched, and the timestamp (null outside the plugin's scope). */
    qontoWebhook: NonNullable<QontoWebhookRequest['qontoWebhook']> | null
  }
}

/**
 * The plugin: register it in the scope of the webhook routes
 * (`app.register(async (scope) => { await scope.register(qontoWebhook, { secret }); scope.post(...) })`).
 * Its raw-body parser and its verification apply to that scope only. The options of `qontoWebhook`.
 */
declare const qontoWebhook: FastifyPluginCallback<QontoWebhookOptions>
export { qontoWebhook }
export default qontoWebhook
