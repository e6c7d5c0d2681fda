// The README's Express route with the idempotency guard ("Duplicate deliveries"), as it is shown
// there (between the snippet comments), run by __test__/readme.test.mjs.
'use strict'

const queue = [] // what the application does with a verified event (the test reads it)

// snippet:start idempotency
const express = require('express')
const { qontoWebhook, IdempotencyGuard, MemoryStore } = require('qonto-webhooks')

// One guard for the app. A MemoryStore lives in this process; with several processes or
// machines, use a RedisStore (below). `idempotency: true` is the same guard with a new MemoryStore.
const guard = new IdempotencyGuard({ store: new MemoryStore() }) // lease 60 s, ttl 7 days

const app = express()
app.post('/webhooks/qonto',
  express.raw({ type: 'application/json' }),
  qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: guard }),
  (req, res) => {
    queue.push(req.qontoEvent) // once per event id
    res.sendStatus(204)
  })

app.post('/webhooks/qonto-onboarding',
  express.raw({ type: 'application/json' }),
  qontoWebhook({ secret: process.env.QONTO_ONBOARDING_SECRET, schemes: 'onboarding', idempotency: guard }),
  (req, res) => {
    queue.push(req.qontoEvent) // a replayed onboarding webhook never gets here twice
    res.sendStatus(204)
  })
// snippet:end idempotency

module.exports = { app, queue }
