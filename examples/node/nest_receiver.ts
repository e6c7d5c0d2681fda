// Qonto webhook endpoints with NestJS (its Express platform): Nest's body parser is off, so the
// package's Express middleware, applied to the webhook routes, reads the bytes Qonto signed itself,
// verifies them and puts the event on the request; the app's other routes parse JSON under /api.
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 npx ts-node examples/node/nest_receiver.ts
//
// (Compiled with experimentalDecorators and emitDecoratorMetadata, as Nest projects are.)
// snippet:start nest
import 'reflect-metadata'
import { Body, Controller, HttpCode, MiddlewareConsumer, Module, NestModule, Post, Req, RequestMethod } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { json } from 'express'
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

// The rest of the app, with parsed JSON bodies.
@Controller('api')
export class ApiController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown) {
    return body
  }
}

@Module({ controllers: [WebhooksController, ApiController] })
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
  // bodyParser: false: no parser runs before the webhook routes, so the middleware reads the raw
  // body (1 MiB at most) and answers every refusal itself. The other routes get their JSON parser
  // under their own prefix.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: false })
  app.use('/api', json())
  return app
}
// snippet:end nest

if (require.main === module) {
  const port = Number(process.env.PORT || process.argv[2] || 8080)
  createApp()
    .then((app) => app.listen(port, '127.0.0.1'))
    .then(() => console.log(`listening on http://127.0.0.1:${port}/webhooks and /webhooks/onboarding`))
}
