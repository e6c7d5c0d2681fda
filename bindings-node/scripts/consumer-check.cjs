// Run in a consumer project by consumer-test.sh: the installed qonto-webhooks reports the wanted
// implementation and passes every shared vector and request case (copied into DATA).
//     node consumer-check.cjs native|js DATA
'use strict'
const { readFileSync } = require('node:fs')
const { join } = require('node:path')
const { createRequire } = require('node:module')

const [wanted, data] = process.argv.slice(2)
const local = createRequire(join(process.cwd(), 'package.json'))
const qw = local('qonto-webhooks')
if (qw.implementation !== wanted) throw new Error(`implementation is ${qw.implementation}, wanted ${wanted}`)

function outcome(run) {
  try {
    const r = run()
    return `ok ${r.secretIndex}` + (r.scheme ? ` ${r.scheme}` : '')
  } catch (err) {
    if (err instanceof qw.WebhookVerificationError) return err.code
    throw err
  }
}

let n = 0
for (const v of JSON.parse(readFileSync(join(data, 'vectors.json'), 'utf8'))) {
  const body = Buffer.from(v.body_b64, 'base64')
  const got = outcome(() => {
    const verifier = new qw.Verifier(v.secrets, { tolerance: v.tolerance ?? 'disabled' })
    return v.scheme === 'onboarding' ? verifier.verifyOnboarding(body, v.header) : verifier.verify(body, v.header, { now: v.now })
  })
  const want = v.expect === 'ok' ? `ok ${v.secret_index}` : v.expect
  if (got !== want) throw new Error(`vector ${v.name}: ${got}, wanted ${want}`)
  n++
}
let m = 0
for (const c of JSON.parse(readFileSync(join(data, 'requests.json'), 'utf8'))) {
  const headers = {}
  if (c.business !== null) headers['x-qonto-signature'] = c.business
  if (c.onboarding !== null) headers['qonto-sha256-signature'] = c.onboarding
  const got = outcome(() =>
    new qw.Verifier(c.secrets, { tolerance: c.tolerance ?? 'disabled', schemes: c.schemes }).verifyRequest(headers, Buffer.from(c.body_b64, 'base64'), { now: c.now }),
  )
  const want = c.expect === 'ok' ? `ok ${c.secret_index} ${c.scheme}` : c.expect
  if (got !== want) throw new Error(`request case ${c.name}: ${got}, wanted ${want}`)
  m++
}
if (n < 17 || m < 20) throw new Error(`too few cases: ${n} vectors, ${m} request cases`)
console.log(`${wanted}: ${n} vectors and ${m} request cases passed`)
