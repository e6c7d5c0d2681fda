// The cases every framework example answers alike (the one HTTP vocabulary: the contract's
// statuses, { error, message }, a redelivery 200 { duplicate: true, id }), run by
// frameworks.test.mjs over each example through its framework's own client or a loopback server.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { randomUUID } from 'node:crypto'

import { sign, ERROR_CODES } from '../index.mjs'
import * as contract from '../contract.mjs'

export const SECRET = 'whsec_frameworks_business_secret'
export const ONBOARDING_SECRET = 'frameworks_onboarding_secret'
export const LIMIT = 1024 * 1024

const now = () => Math.floor(Date.now() / 1000)

export function event(extra = {}) {
  return JSON.stringify({
    id: randomUUID(),
    subscription_id: 's',
    organization_id: 'o',
    membership_id: 'm',
    type: 'v1/transactions',
    created_at: '2026-11-29T00:00:00Z',
    data: { event: 'transactions.created', id: 'tx-1' },
    ...extra,
  })
}

/** A body of exactly `size` bytes that is a JSON event. */
export function eventOfSize(size) {
  const base = event({ padding: '' })
  return base.replace('"padding":""', `"padding":"${'x'.repeat(size - Buffer.byteLength(base))}"`)
}

export const business = (body, options) => ({ 'content-type': 'application/json', 'x-qonto-signature': sign(SECRET, body, options) })
export const onboarding = (body) => ({
  'content-type': 'application/json',
  'qonto-sha256-signature': sign(ONBOARDING_SECRET, body, { scheme: 'onboarding' }),
})

/**
 * A POST over loopback with node:http (fetch gives up on a request whose body the server stopped
 * reading; the answer still came): resolves to { status, headers, json }.
 */
export function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    let answered = false
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json
        try {
          json = JSON.parse(text)
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, json, text })
      })
      res.on('error', reject)
    })
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    req.end(body)
  })
}

function refused(res, code, label) {
  assert.equal(res.status, code in contract.HTTP_STATUS ? contract.HTTP_STATUS[code] : contract.VERIFICATION_STATUS, `${label}: ${res.text ?? JSON.stringify(res.json)}`)
  assert.match(String(res.headers['content-type']), /^application\/json/, label)
  assert.equal(res.json.error, code, label)
  assert.equal(typeof res.json.message, 'string', label)
  assert.ok(res.json.message.length > 0, label)
  if (!ERROR_CODES.includes(code)) assert.ok(code in contract.HTTP_STATUS, `${code} is a contract code`)
}

/**
 * Every case, through `send(path, body, headers)` → { status, headers (lower-case names), json }.
 * `skip` names the cases a set-up answers otherwise (said where it is called).
 */
export async function conformance(send, { skip = [] } = {}) {
  const body = event()
  const accepted = await send('/webhooks', body, business(body))
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json))
  assert.deepEqual(accepted.json, { received: true, id: JSON.parse(body).id, scheme: 'business' })

  const again = await send('/webhooks', body, business(body))
  assert.equal(again.status, 200)
  assert.deepEqual(again.json, { duplicate: true, id: JSON.parse(body).id })

  const onb = event()
  const o = await send('/webhooks/onboarding', onb, onboarding(onb))
  assert.equal(o.status, 200, JSON.stringify(o.json))
  assert.equal(o.json.scheme, 'onboarding')
  // Each endpoint takes its own scheme only.
  const other = event()
  refused(await send('/webhooks/onboarding', other, business(other)), 'missing_header', 'business header at the onboarding endpoint')
  refused(await send('/webhooks', other, onboarding(other)), 'missing_header', 'onboarding header at the business endpoint')

  const tampered = event()
  refused(await send('/webhooks', tampered.replace('tx-1', 'tx-2'), business(tampered)), 'signature_mismatch', 'tampered')
  refused(await send('/webhooks', tampered, { 'content-type': 'application/json' }), 'missing_header', 'unsigned')
  refused(await send('/webhooks', tampered, { 'content-type': 'application/json', 'x-qonto-signature': 'v1=zz' }), 'malformed_header', 'malformed')
  refused(await send('/webhooks', tampered, business(tampered, { timestamp: now() - 3600 })), 'timestamp_too_old', 'stale')
  refused(await send('/webhooks', tampered, { ...business(tampered), 'x-qonto-signature': sign('wrong', tampered) }), 'signature_mismatch', 'wrong secret')
  if (!skip.includes('not_json')) refused(await send('/webhooks', 'not json', business('not json')), 'invalid_payload', 'signed, not JSON')
  const noId = JSON.stringify({ type: 'v1/transactions', data: {} })
  refused(await send('/webhooks', noId, business(noId)), 'invalid_payload', 'no string id')

  // Whatever the Content-Type says, the raw bytes are verified.
  const plain = event()
  const p = await send('/webhooks', plain, { ...business(plain), 'content-type': 'text/plain' })
  assert.equal(p.status, 200, `text/plain: ${JSON.stringify(p.json)}`)

  if (!skip.includes('limit')) {
    const atLimit = eventOfSize(LIMIT)
    const big = await send('/webhooks', atLimit, business(atLimit))
    assert.equal(big.status, 200, `1 MiB: ${JSON.stringify(big.json)}`)
    const over = eventOfSize(LIMIT + 1)
    refused(await send('/webhooks', over, business(over)), 'body_too_large', '1 MiB + 1')
  }
}
