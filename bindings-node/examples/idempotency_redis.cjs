// The README's Express route with a RedisStore ("Duplicate deliveries"), as it is shown there
// (between the snippet comments), run by __test__/readme.test.mjs against a redis-server of its own.
'use strict'

const queue = [] // what the application does with a verified event (the test reads it)

// snippet:start redis
const express = require('express')
const { createClient } = require('redis')
const { qontoWebhook, RedisStore } = require('qonto-webhooks')

const redis = createClient({ url: process.env.REDIS_URL })
redis.on('error', (err) => console.error('redis:', err.message)) // it reconnects; meanwhile 503
redis.connect()

const app = express()
app.post('/webhooks/qonto',
  express.raw({ type: 'application/json' }),
  qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET, idempotency: { store: new RedisStore(redis) } }),
  (req, res) => {
    queue.push(req.qontoEvent)
    res.sendStatus(204)
  })
// snippet:end redis

module.exports = { app, queue, redis }
