#!/usr/bin/env node
// Differential runner for the Node package's main entry (`require('qonto-webhooks')`): the napi-rs
// binding of the core, or with `--implementation js` (or QONTO_WEBHOOKS_IMPLEMENTATION=js) the
// package's pure-JS fallback. Prints one verdict per case (`ok <secret_index>` or the error code),
// like every runner.
//
//     node conformance/runners/node_runner.js [--implementation native|js] CASES.json
'use strict'

const fs = require('node:fs')
const path = require('node:path')

const args = process.argv.slice(2)
const flag = args.indexOf('--implementation')
if (flag >= 0) {
  process.env.QONTO_WEBHOOKS_IMPLEMENTATION = args[flag + 1]
  args.splice(flag, 2)
}
const { Verifier, WebhookVerificationError, implementation } = require(path.join(__dirname, '../../bindings-node'))
// The implementation asked for is the one that runs (index.js throws when 'native' cannot load).
const wanted = process.env.QONTO_WEBHOOKS_IMPLEMENTATION || 'native'
if (implementation !== wanted) {
  throw new Error(`asked for the ${wanted} implementation, got ${implementation}`)
}

function verdict (c) {
  const body = Buffer.from(c.body_b64, 'base64')
  try {
    // `tolerance: null` in the cases is a disabled window, which the Verifier takes only by name.
    const verifier = new Verifier(c.secrets, { tolerance: c.tolerance === null ? 'disabled' : c.tolerance })
    const verified = c.scheme === 'onboarding'
      ? verifier.verifyOnboarding(body, c.header)
      : verifier.verify(body, c.header, { now: c.now })
    return `ok ${verified.secretIndex}`
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code
    throw err // a TypeError or a crash is a bug: fail the runner, loudly
  }
}

const cases = JSON.parse(fs.readFileSync(args[0], 'utf8'))
const out = cases.map(verdict)
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
