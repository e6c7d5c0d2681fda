// The root README's Node examples run as shown: examples/express_route.cjs and
// examples/fetch_route.mjs hold them between snippet comments (.ci/snippets.py copies them into
// the README and fails when the README differs). Each gets a signed webhook, a tampered one and
// one signed with another secret; a verified event must reach the application whole, with its id.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { sign } from '../index.mjs'

const SECRET = 'whsec_readme_test_secret'
const EVENT = {
  id: '0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
  subscription_id: 's1',
  organization_id: 'o1',
  membership_id: 'm1',
  type: 'v1/transactions',
  created_at: '2025-03-02T09:00:00.123Z',
  data: { event: 'transactions.created', id: 'tx-1' },
}
const BODY = JSON.stringify(EVENT)
const signed = (secret = SECRET) => sign(secret, BODY, { timestamp: Math.floor(Date.now() / 1000) })

let express
let fetchRoute
before(async () => {
  // The examples read the secret from the environment when they load, as an application would.
  process.env.QONTO_WEBHOOK_SECRET = SECRET
  express = createRequire(import.meta.url)('../examples/express_route.cjs')
  fetchRoute = await import('../examples/fetch_route.mjs')
})

test('the README Express route: 204 for a signed webhook (the event queued), 400 with the code otherwise', async () => {
  const server = await new Promise((resolve) => {
    const s = express.app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const url = `http://127.0.0.1:${server.address().port}/webhooks/qonto`
    const post = (header, body = BODY) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-qonto-signature': header }, body })
    const ok = await post(signed())
    assert.equal(ok.status, 204)
    assert.equal(express.queue.length, 1)
    assert.deepEqual(express.queue[0], EVENT)
    for (const [header, body, code] of [
      [signed(), BODY + ' ', 'signature_mismatch'],
      [signed('whsec_another_secret'), BODY, 'signature_mismatch'],
      ['t=1,v1=00', BODY, 'malformed_header'],
    ]) {
      const res = await post(header, body)
      assert.equal(res.status, 400)
      assert.equal((await res.json()).error, code)
    }
    assert.equal(express.queue.length, 1, 'a refused request reached the handler')
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

test('the README Fetch API route: the event (not the verification result) is what it queues and answers', async () => {
  const request = (header, body = BODY) =>
    new Request('https://example.com/api/webhooks/qonto', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qonto-signature': header },
      body,
    })
  const ok = await fetchRoute.POST(request(signed()))
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { received: EVENT.id, scheme: 'business' })
  assert.equal(fetchRoute.queue.length, 1)
  assert.deepEqual(fetchRoute.queue[0], EVENT)
  for (const [header, body, code] of [
    [signed(), BODY.replace('tx-1', 'tx-2'), 'signature_mismatch'],
    [signed('whsec_another_secret'), BODY, 'signature_mismatch'],
    ['', BODY, 'missing_header'],
  ]) {
    const res = await fetchRoute.POST(request(header, body))
    assert.equal(res.status, 400)
    assert.deepEqual(await res.json(), { error: code })
  }
  assert.equal(fetchRoute.queue.length, 1, 'a refused request was queued')
})
