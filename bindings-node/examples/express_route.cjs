// The root README's Express example, as it is shown there (between the snippet comments), run by
// __test__/readme.test.mjs: an Express app whose one route takes verified Qonto webhooks.
'use strict'

const queue = [] // what the application does with a verified event (the test reads it)

// snippet:start express
const express = require('express')
const { qontoWebhook } = require('qonto-webhooks') // or: import { qontoWebhook } from 'qonto-webhooks'

const app = express()
app.post('/webhooks/qonto',                                   // no body parser: the middleware reads the raw bytes
  qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET }), // a bad request gets 400 { error, message }
  (req, res) => { queue.push(req.qontoEvent); res.sendStatus(204) })
// snippet:end express

module.exports = { app, queue }
