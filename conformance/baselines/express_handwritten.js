// A BASELINE for the load comparison, not an example to copy: an Express 5 endpoint that verifies
// Qonto webhooks by hand, the way most guides show (split the header, createHmac(...).digest('hex'),
// timingSafeEqual, a 300 s window), with the same answers to a redelivery as express_receiver.js's
// idempotency guard (200 { duplicate: true, id }; a Set, without its in-progress state, lease or
// bound). It misses what the library checks: malformed items, several v1
// signatures, a repeated t, secret rotation, the header length limit, and the stable error codes.
//
//     QONTO_WEBHOOK_SECRET=whsec_... node conformance/baselines/express_handwritten.js 8080
'use strict'

const crypto = require('node:crypto')
const { createRequire } = require('node:module')
const express = createRequire(require.resolve('../../bindings-node/package.json'))('express')

const secret = process.env.QONTO_WEBHOOK_SECRET
const onboardingSecret = process.env.QONTO_ONBOARDING_SECRET || secret
const app = express()
const seen = new Set()

function safeEqualHex (expected, candidate) {
  const a = Buffer.from(expected)
  const b = Buffer.from(String(candidate))
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}

function verifyBusiness (header, body) {
  const parts = {}
  for (const item of header.split(',')) {
    const [key, value] = item.trim().split('=')
    parts[key] = value
  }
  if (!parts.t || !parts.v1) return 'malformed_header'
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return 'timestamp_outside_window'
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest('hex')
  return safeEqualHex(expected, parts.v1) ? null : 'signature_mismatch'
}

function verifyOnboarding (header, body) {
  const expected = crypto.createHmac('sha256', onboardingSecret).update(body).digest('hex')
  return safeEqualHex(expected, header.trim()) ? null : 'signature_mismatch'
}

function endpoint (verify, headerName, scheme) {
  return (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const header = req.get(headerName)
    const error = header === undefined ? 'missing_header' : verify(header, body)
    if (error) {
      res.status(400).json({ error })
      return
    }
    const event = JSON.parse(body.toString('utf8'))
    const key = `${scheme}:${event.id}`
    if (seen.has(key)) {
      res.json({ duplicate: true, id: event.id })
      return
    }
    seen.add(key)
    res.json({ received: true })
  }
}

// One scheme per endpoint, as express_receiver.js: never let the request's header pick it.
app.post('/webhooks', express.raw({ type: 'application/json' }), endpoint(verifyBusiness, 'X-Qonto-Signature', 'business'))
app.post('/webhooks/onboarding', express.raw({ type: 'application/json' }), endpoint(verifyOnboarding, 'Qonto-SHA256-Signature', 'onboarding'))

const port = Number(process.argv[2] || 8080)
app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}/webhooks`)
})
