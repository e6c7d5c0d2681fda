// Types of qonto-webhooks/koa: the Koa middleware. Structural, so it needs no @types/koa.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { QontoWebhookOptions, QontoWebhookRequest } from './index.js'

/** What the middleware reads and writes of Koa's context. */
export interface QontoKoaContext {
  req: IncomingMessage
  res: ServerResponse
  request: { body?: unknown; rawBody?: unknown }
  state: { qontoEvent?: QontoWebhookRequest['qontoEvent']; qontoWebhook?: QontoWebhookRequest['qontoWebhook']; [key: string]: unknown }
  status: number
  body: unknown
  set(fields: Record<string, string>): void
}

/**
 * Koa middleware: sets `ctx.state.qontoEvent` and `ctx.state.qontoWebhook`, then awaits `next()`;
 * a refused request gets the contract's status and `{ error, message }`. The options of `qontoWebhook`.
 */
export declare function qontoWebhook(options: QontoWebhookOptions): (ctx: QontoKoaContext, next: () => Promise<unknown>) => Promise<void>
export default qontoWebhook
