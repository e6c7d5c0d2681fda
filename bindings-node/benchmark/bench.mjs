// Ours (the native addon, and the pure-JS fallback used where no native package matches) vs the
// usual alternatives, same run, same inputs (a business webhook header `t=<now>,v1=<hex>` over
// bodies of 256 B, 1 KiB, 16 KiB and 1 MiB):
//   (a) the hand-written check most guides show: createHmac(...).digest('hex') + timingSafeEqual
//   (b) the `stripe` package's signature check (same header form, same HMAC)
//   (c) the `standardwebhooks` package's verify (its own scheme, for reference)
// Writes the mean time per verification of each as JSON, DIR/node.json (DIR/node-<harness>.json
// for another harness) when given a DIR, else to stdout; prints the file's name.
// benches/render.py makes the table, with our speed-up over each.
//
// The harness is mitata: it times batches of calls, so reading the clock is not part of each
// sample. tinybench (BENCH_HARNESS=tinybench) times every call on its own, which adds the same
// few tens of nanoseconds to each contender and so lowers the ratios of a sub-microsecond call.
// BENCH_TIME_MS is the time per contender and size (default: 400 for tinybench, mitata's own
// otherwise). BENCH_HARNESS=cputime reads process.cpuUsage() around batches of calls and keeps
// the best of 7 batches per contender, the contenders taking turns: on a busy machine (other
// processes on the cores) it still compares the contenders' own work, where wall-clock means
// include the time the process waited.
import crypto from 'node:crypto'
import os from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { measure } from 'mitata'
import { Bench } from 'tinybench'
import Stripe from 'stripe'
import { Webhook } from 'standardwebhooks'
import { Verifier, sign } from 'qonto-webhooks'

const SECRET = 'whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA='
const SIZES = [256, 1024, 16 * 1024, 1024 * 1024]
const HARNESS = process.env.BENCH_HARNESS ?? 'mitata'
const TIME_MS = process.env.BENCH_TIME_MS === undefined ? undefined : Number(process.env.BENCH_TIME_MS)

const verifier = new Verifier(SECRET)

// A second instance of the package, with the pure-JS implementation (QONTO_WEBHOOKS_IMPLEMENTATION
// is read when the module loads).
const require = createRequire(import.meta.url)
const entry = require.resolve('qonto-webhooks')
delete require.cache[entry]
const saved = process.env.QONTO_WEBHOOKS_IMPLEMENTATION
process.env.QONTO_WEBHOOKS_IMPLEMENTATION = 'js'
const pure = require('qonto-webhooks')
if (saved === undefined) delete process.env.QONTO_WEBHOOKS_IMPLEMENTATION
else process.env.QONTO_WEBHOOKS_IMPLEMENTATION = saved
if (pure.implementation !== 'js') throw new Error('the pure-JS implementation did not load')
const pureVerifier = new pure.Verifier(SECRET)
const stripe = new Stripe('sk_test_bench_only')
const standard = new Webhook(Buffer.from('bench-secret-for-standard-webhooks').toString('base64'))

// (a) what most guides show.
function handWritten(body, header, secret) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')))
  const age = Math.floor(Date.now() / 1000) - Number(parts.t)
  if (age > 300) throw new Error('too old')
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex')
  const a = Buffer.from(expected)
  const b = Buffer.from(parts.v1)
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new Error('mismatch')
}

function body(size) {
  const fill = 'x'.repeat(size)
  const json = JSON.stringify({ id: '0193e5a8', type: 'v1/transactions', data: { event: 'created', note: '' } })
  return Buffer.from(json.replace('"note":""', `"note":"${fill.slice(0, size - json.length)}"`))
}

const rows = []
for (const size of SIZES) {
  const payload = body(size)
  const header = sign(SECRET, payload)
  const id = 'msg_bench'
  const date = new Date()
  const standardHeaders = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': standard.sign(id, date, payload.toString()),
  }
  // Every contender must accept its input, or the comparison means nothing.
  verifier.verify(payload, header)
  pureVerifier.verify(payload, header)
  handWritten(payload, header, SECRET)
  stripe.webhooks.signature.verifyHeader(payload, header, SECRET, 300)
  standard.verify(payload.toString(), standardHeaders)

  const payloadText = payload.toString()
  const contenders = {
    'qonto-webhooks': () => verifier.verify(payload, header),
    'qonto-webhooks, pure JS': () => pureVerifier.verify(payload, header),
    '(a) createHmac + timingSafeEqual': () => handWritten(payload, header, SECRET),
    '(b) stripe verifyHeader': () => stripe.webhooks.signature.verifyHeader(payload, header, SECRET, 300),
    '(c) standardwebhooks verify': () => standard.verify(payloadText, standardHeaders),
  }
  const mean = {} // µs
  if (HARNESS === 'tinybench') {
    const time = (TIME_MS ?? 400) * (size >= 1024 * 1024 ? 2 : 1)
    const bench = new Bench({ time, warmupTime: 100 })
    for (const [name, fn] of Object.entries(contenders)) bench.add(name, fn)
    await bench.run()
    for (const t of bench.tasks) mean[t.name] = t.result.latency.mean * 1000
  } else if (HARNESS === 'cputime') {
    const calls = Math.max(20, Math.round((4 * 1024 * 1024) / size))
    for (const name of Object.keys(contenders)) mean[name] = Infinity
    for (let round = 0; round < 7; round++) {
      for (const [name, fn] of Object.entries(contenders)) {
        const start = process.cpuUsage()
        for (let i = 0; i < calls; i++) fn()
        const used = process.cpuUsage(start)
        mean[name] = Math.min(mean[name], (used.user + used.system) / calls)
      }
    }
  } else {
    const opts = TIME_MS === undefined ? {} : { min_cpu_time: TIME_MS * 1e6 }
    for (const [name, fn] of Object.entries(contenders)) mean[name] = (await measure(fn, opts)).avg / 1000
  }
  rows.push({ size, mean })
}

// The benchmarks' common JSON (benches/collect.py describes it); benches/render.py prints the
// table and the ratios.
const label = (n) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`)
// One file per harness: mitata's is 'node'; the others' do not replace it.
const doc = {
  bench: HARNESS === 'mitata' ? 'node' : `node-${HARNESS}`,
  date: new Date().toISOString().slice(0, 10),
  machine: {
    cpu: os.cpus()[0].model,
    cores: os.cpus().length,
    load_average: os.loadavg().map((x) => Math.round(x * 100) / 100),
    os: os.type(),
    runtime: `Node ${process.version}`,
  },
  params: { harness: HARNESS, statistic: HARNESS === 'cputime' ? 'best of 7 batches, CPU time' : 'mean', time_ms: TIME_MS ?? null },
  rows: rows.flatMap(({ size, mean }) =>
    Object.entries(mean).map(([contender, value]) => ({ case: label(size), size, contender, value, unit: 'µs' })),
  ),
  notes: [],
}
const dir = process.argv[2]
if (dir === undefined) {
  console.log(JSON.stringify(doc, null, 1))
} else {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${doc.bench}.json`), `${JSON.stringify(doc, null, 1)}\n`)
  console.log(join(dir, `${doc.bench}.json`))
}
