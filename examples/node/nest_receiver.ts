// Qonto webhook endpoints with NestJS (its Express platform): the app keeps the raw body
// (`NestFactory.create(AppModule, { rawBody: true })` sets `req.rawBody`), and the package's
// Express middleware, applied to the webhook routes, verifies it and puts the event on the request.
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 npx ts-node examples/node/nest_receiver.ts
//
// (Compiled with experimentalDecorators and emitDecoratorMetadata, as Nest projects are.)
// snippet:start nest
import 'reflect-metadata'
import { Controller, HttpCode, MiddlewareConsumer, Module, NestModule, Post, Req, RequestMethod } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { qontoWebhook, IdempotencyGuard, MemoryStore } from 'qonto-webhooks'
import type { QontoWebhookRequest } from 'qonto-webhooks'

const guard = new IdempotencyGuard({ store: new MemoryStore() })

@Controller('webhooks')
export class WebhooksController {
  // Reached only by a verified event, once per event id: queue it and answer within Qonto's 1 s.
  @Post()
  @HttpCode(200)
  business(@Req() req: QontoWebhookRequest) {
    return { received: true, id: req.qontoEvent!.id, scheme: req.qontoWebhook!.scheme }
  }

  @Post('onboarding')
  @HttpCode(200)
  onboarding(@Req() req: QontoWebhookRequest) {
    return { received: true, id: req.qontoEvent!.id, scheme: req.qontoWebhook!.scheme }
  }
}

@Module({ controllers: [WebhooksController] })
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    // Each route verifies its scheme with its secret; a refused request gets 400 { error, message }.
    consumer
      .apply(qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET!, idempotency: guard }))
      .forRoutes({ path: 'webhooks', method: RequestMethod.POST })
    consumer
      .apply(qontoWebhook({ secret: process.env.QONTO_ONBOARDING_SECRET!, schemes: 'onboarding', idempotency: guard }))
      .forRoutes({ path: 'webhooks/onboarding', method: RequestMethod.POST })
  }
}

export async function createApp() {
  // rawBody: true keeps the bytes Qonto signed as req.rawBody beside the parsed req.body. Nest's
  // JSON parser still runs first: a malformed JSON body or one over its limit (raised to 1 MiB
  // here) is answered by Nest, in its own format, before the middleware.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true, logger: false })
  app.useBodyParser('json', { limit: '1mb' })
  return app
}
// snippet:end nest

if (require.main === module) {
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  createApp()
    .then((app) => app.listen(port, '127.0.0.1'))
    .then(() => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
