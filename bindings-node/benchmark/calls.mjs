// One call at 256 B against the ring floor, timed alike (benches/RESULTS.md, Python section, the
// table "Node, timed the same way"): a `for` loop of 200,000 calls, best of 7 rounds, the floor's
// binary (the benches' `instructions` example) timed as (run of N - run of 1) / (N - 1).
//
//     cargo build --release -p qonto-webhooks-benches --example instructions
//     node bindings-node/benchmark/calls.mjs [FLOOR_BIN]
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const qw = require('../index.js')
const floorBin = process.argv[2] ?? fileURLToPath(new URL('../../target/release/examples/instructions', import.meta.url))

const SECRET = 'whsec_public_example_secret_0123456789abcdef'
const body = Buffer.from(JSON.stringify({ id: 'x', pad: 'a'.repeat(256) }).slice(0, 256))
const v = new qw.Verifier(SECRET)
const header = qw.sign(SECRET, body)
const onboarding = qw.sign(SECRET, body, { scheme: 'onboarding' })
const t = Number(header.slice(2, header.indexOf(',')))

const cases = {
  'verify(body, header)': (n) => { for (let i = 0; i < n; i++) v.verify(body, header) },
  'verify(body, header, { now })': (n) => { for (let i = 0; i < n; i++) v.verify(body, header, { now: t }) },
  'verifyOnboarding(body, header)': (n) => { for (let i = 0; i < n; i++) v.verifyOnboarding(body, onboarding) },
}
const rust = (impl, scheme, k) => {
  const start = process.hrtime.bigint()
  execFileSync(floorBin, [impl, scheme, '256', String(k)])
  return Number(process.hrtime.bigint() - start)
}
const RUST = [
  ['floor business', 'a-ring-floor', 'business'],
  ['core business', 'qonto-webhooks', 'business'],
  ['floor onboarding', 'a-ring-floor', 'onboarding'],
  ['core onboarding', 'qonto-webhooks', 'onboarding'],
]

const n = 200_000
const best = {}
for (const run of Object.values(cases)) run(20_000) // warm-up
for (let round = 0; round < 7; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const start = process.hrtime.bigint()
    run(n)
    const per = Number(process.hrtime.bigint() - start) / n
    best[name] = Math.min(best[name] ?? per, per)
  }
  for (const [name, impl, scheme] of RUST) {
    const per = (rust(impl, scheme, n) - rust(impl, scheme, 1)) / (n - 1)
    best[name] = Math.min(best[name] ?? per, per)
  }
}
for (const [name, ns] of Object.entries(best)) console.log(`${ns.toFixed(0).padStart(6)} ns  ${name}`)
console.log(
  `verify / floor: ${(best['verify(body, header)'] / best['floor business']).toFixed(2)}x; ` +
    `verifyOnboarding / floor: ${(best['verifyOnboarding(body, header)'] / best['floor onboarding']).toFixed(2)}x`,
)
