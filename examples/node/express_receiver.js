// A Qonto webhook endpoint with Express 5: the raw body (express.raw), the package's middleware,
// deduplication of the event id, a fast answer.
//
//     QONTO_WEBHOOK_SECRET=whsec_... node examples/node/express_receiver.js 8080
//     qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
'use strict'

// In your project these two lines are `require('express')` and `require('qonto-webhooks')`;
// here both come from the repository's Node package (express is one of its dev dependencies).
const { createRequire } = require('node:module')
const packageDir = require('node:path').join(__dirname, '../../bindings-node')
const express = createRequire(`${packageDir}/package.json`)('express')
const { qontoWebhook } = require(packageDir)

const app = express()
const seen = new Set() // event ids already processed: keep them in your database

app.post('/webhooks',
  // The signature covers the raw bytes: no express.json() on this route.
  express.raw({ type: 'application/json' }),
  // Answers 400 { error, message } to any rejected request; finds X-Qonto-Signature or
  // Qonto-SHA256-Signature and checks the right scheme. Throws now if the secret is missing.
  qontoWebhook({ secret: process.env.QONTO_WEBHOOK_SECRET }),
  (req, res) => {
    const event = req.qontoEvent // verified, then parsed
    if (seen.has(event.id)) {
      res.status(409).json({ error: 'duplicate_event' })
      return
    }
    seen.add(event.id)
    // Queue the event here and answer within Qonto's 1 s.
    res.json({ received: true })
  })

const port = Number(process.argv[2] || 8080)
app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}/webhooks`)
})
