// worker_threads verifying in parallel with the same module: every result right.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { Verifier, sign, WebhookVerificationError } = require(workerData.entry)
const verifier = new Verifier(['old-secret', 'shared-secret'])
const counts = { ok: 0, mismatch: 0, stale: 0, wrong: 0 }
for (let i = 0; i < workerData.rounds; i++) {
  const body = Buffer.from(JSON.stringify({ id: workerData.id + '-' + i, type: 'v1/transactions', data: { n: i } }))
  const t = 1735689600 + i
  const good = verifier.verify(body, sign('shared-secret', body, { timestamp: t }), { now: t })
  if (good.secretIndex === 1 && good.timestamp === t) counts.ok++
  else counts.wrong++
  for (const [header, now, code, key] of [
    [sign('nope', body, { timestamp: t }), t, 'signature_mismatch', 'mismatch'],
    [sign('shared-secret', body, { timestamp: t }), t + 301, 'timestamp_too_old', 'stale'],
  ]) {
    try {
      verifier.verify(body, header, { now })
      counts.wrong++
    } catch (err) {
      if (err instanceof WebhookVerificationError && err.code === code) counts[key]++
      else counts.wrong++
    }
  }
}
parentPort.postMessage(counts)
`

test('eight workers verify in parallel, each result right', async () => {
  const entry = new URL('../index.js', import.meta.url).pathname
  const rounds = 2000
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, id) =>
      new Promise((resolve, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { entry, rounds, id } })
        w.once('message', resolve)
        w.once('error', reject)
      }),
    ),
  )
  for (const counts of results) assert.deepEqual(counts, { ok: rounds, mismatch: rounds, stale: rounds, wrong: 0 })
})
