#!/usr/bin/env node
// Differential runner for the Node package's WebCrypto entry (`qonto-webhooks/web`: its own
// JavaScript parser over `crypto.subtle`, async). Prints one verdict per case (`ok <secret_index>`
// or the error code), like every runner.
//
//     node conformance/runners/web_runner.mjs CASES.json
import { readFileSync } from 'node:fs'
import { Verifier, WebhookVerificationError } from '../../bindings-node/web.mjs'

async function verdict (c) {
  const body = Uint8Array.from(Buffer.from(c.body_b64, 'base64'))
  try {
    // `tolerance: null` in the cases is a disabled window, which the Verifier takes only by name.
    const verifier = new Verifier(c.secrets, { tolerance: c.tolerance === null ? 'disabled' : c.tolerance })
    const verified = c.scheme === 'onboarding'
      ? await verifier.verifyOnboardingAsync(body, c.header)
      : await verifier.verifyAsync(body, c.header, { now: c.now })
    return `ok ${verified.secretIndex}`
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code
    throw err // a TypeError or a crash is a bug: fail the runner, loudly
  }
}

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const out = []
for (const c of cases) out.push(await verdict(c))
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
