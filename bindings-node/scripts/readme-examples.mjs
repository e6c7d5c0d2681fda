// Runs every Node example of the given READMEs against the qonto-webhooks installed in the current
// directory (a consumer project made by consumer-test.sh), so the docs cannot drift from the
// package. Each ```js / ```ts block is one of three kinds, each driven with a signed webhook
// (expected: accepted) and a tampered one (expected: 400 with the code):
//   - Express: the block builds `app`; it is started on a free port and fed over HTTP, each route
//     with its scheme's header ('onboarding' in the path: Qonto-SHA256-Signature);
//   - a Fetch route handler (`export async function POST`), called with a Request;
//   - a Worker (`export default { fetch }`), called with a Request and `env`.
// A block of no known kind fails the run: a new example must be made runnable here. In ```sh
// blocks, the `node -e` lines run and must print the implementation wanted. A block taken from a
// framework example of examples/node/ (its snippet marker says so) is skipped: those need their
// framework, and __test__/frameworks.test.mjs runs them. An Express block that
// requires 'redis' runs against a throw-away redis-server started here (REDIS_URL; the binary is
// $QONTO_WEBHOOKS_REDIS_SERVER, else redis-server on the PATH: missing, the run fails).
//
//     node readme-examples.mjs --implementation native|js --deps DIR README.md...
// DIR holds node_modules with express and typescript (third-party only: qonto-webhooks itself
// must resolve from the current directory, which is checked).
import { execFileSync, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { once } from 'node:events'

const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  const value = args[i + 1]
  args.splice(i, 2)
  return value
}
const implementation = option('--implementation')
const deps = resolve(option('--deps'))
const readmes = args
const cwd = process.cwd()
const local = createRequire(join(cwd, 'package.json'))
const thirdParty = createRequire(join(deps, 'package.json'))

const installed = local.resolve('qonto-webhooks')
if (!installed.startsWith(join(cwd, 'node_modules'))) throw new Error(`qonto-webhooks resolves to ${installed}, not this project`)
const qw = local('qonto-webhooks')
if (qw.implementation !== implementation) throw new Error(`implementation ${qw.implementation}, wanted ${implementation}`)

const SECRETS = { QONTO_WEBHOOK_SECRET: 'whsec_readme_example_business', QONTO_ONBOARDING_SECRET: 'readme_example_onboarding' }
Object.assign(process.env, SECRETS)
const BODY = JSON.stringify({
  id: 'e1',
  type: 'v1/transactions',
  data: { event: 'transactions.created', id: 'tx-1' },
  event_type: 'registrations.pending',
  resource_id: 'r-1',
})

function signed(scheme, body = BODY) {
  if (scheme === 'onboarding') return { 'qonto-sha256-signature': qw.sign(SECRETS.QONTO_ONBOARDING_SECRET, BODY, { scheme }), 'content-type': 'application/json' }
  return { 'x-qonto-signature': qw.sign(SECRETS.QONTO_WEBHOOK_SECRET, body), 'content-type': 'application/json' }
}

function blocks(text) {
  const out = []
  const re = /^```(\w+)\n([\s\S]*?)^```/gm
  for (let m; (m = re.exec(text)); ) {
    const before = text.slice(0, m.index).trimEnd().split('\n').at(-1)
    out.push({ lang: m[1], code: m[2], line: text.slice(0, m.index).split('\n').length, marker: before.match(/^<!-- snippet: (.*) -->$/)?.[1] })
  }
  return out
}

const dir = join(cwd, 'readme-examples')
mkdirSync(dir, { recursive: true })
let ran = 0

function transpile(code, file) {
  const ts = thirdParty('typescript')
  const out = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file })
  return out.outputText
}

async function expectFetch(handler, label) {
  const good = await handler(new Request('http://example.test/webhooks', { method: 'POST', headers: signed('business'), body: BODY }))
  if (good.status >= 300) throw new Error(`${label}: a signed webhook got ${good.status}`)
  const bad = await handler(new Request('http://example.test/webhooks', { method: 'POST', headers: signed('business'), body: BODY + ' ' }))
  const json = await bad.json()
  if (bad.status !== 400 || json.error !== 'signature_mismatch') throw new Error(`${label}: a tampered webhook got ${bad.status} ${JSON.stringify(json)}`)
}

/** A redis-server on a free loopback port, without persistence; resolves to { url, stop }. */
async function startRedis(label) {
  const binary = process.env.QONTO_WEBHOOKS_REDIS_SERVER || 'redis-server'
  const port = await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
  const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  process.on('exit', () => proc.kill('SIGKILL'))
  let log = ''
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk
      if (log.includes('Ready to accept connections')) resolve()
    }
    proc.stdout.on('data', onData)
    proc.stderr.on('data', onData)
    proc.on('error', (err) => reject(new Error(`${label}: the example needs redis-server (${binary}): ${err.message}; set QONTO_WEBHOOKS_REDIS_SERVER`)))
    proc.on('exit', (code) => reject(new Error(`${label}: redis-server exited (${code}):\n${log}`)))
  })
  return { url: `redis://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') }
}

async function runExpress(code, label, file) {
  const routes = [...code.matchAll(/app\.post\(\s*'([^']+)'/g)].map((m) => m[1])
  if (routes.length === 0) throw new Error(`${label}: no app.post route`)
  const usesRedis = /require\('redis'\)/.test(code)
  const redis = usesRedis ? await startRedis(label) : undefined
  if (redis) process.env.REDIS_URL = redis.url
  // The block as a CommonJS module that exports its app (express and redis from the third-party folder).
  const thirdPartyIds = { express: thirdParty.resolve('express'), ...(usesRedis ? { redis: thirdParty.resolve('redis') } : {}) }
  writeFileSync(
    file,
    `'use strict'\nconst queue = []\nconst require_ = require\nconst thirdParty = ${JSON.stringify(thirdPartyIds)}\n` +
      `require = (id) => (Object.hasOwn(thirdParty, id) ? require_(thirdParty[id]) : require_(id))\n` +
      `${code}\nmodule.exports = app\n`,
  )
  const app = local(file)
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    for (const route of routes) {
      const scheme = route.includes('onboarding') ? 'onboarding' : 'business'
      const url = `http://127.0.0.1:${server.address().port}${route}`
      let good = await fetch(url, { method: 'POST', headers: signed(scheme), body: BODY })
      // A Redis client still connecting answers 503 (Qonto retries): so does this, a few times.
      for (let tries = 0; usesRedis && good.status === 503 && tries < 1500; tries++) {
        await new Promise((r) => setTimeout(r, 20))
        good = await fetch(url, { method: 'POST', headers: signed(scheme), body: BODY })
      }
      if (good.status >= 300) throw new Error(`${label} ${route}: a signed webhook got ${good.status} ${await good.text()}`)
      const bad = await fetch(url, { method: 'POST', headers: signed(scheme), body: BODY + ' ' })
      const json = await bad.json()
      if (bad.status !== 400 || json.error !== 'signature_mismatch') throw new Error(`${label} ${route}: a tampered webhook got ${bad.status} ${JSON.stringify(json)}`)
    }
    if (usesRedis) {
      // Redelivered: refused through Redis, not handled again.
      const url = `http://127.0.0.1:${server.address().port}${routes[0]}`
      const again = await (await fetch(url, { method: 'POST', headers: signed('business'), body: BODY })).json()
      if (again.duplicate !== true) throw new Error(`${label}: a redelivery got ${JSON.stringify(again)}, not { duplicate: true }`)
    }
  } finally {
    server.closeAllConnections()
    server.close()
    if (redis) redis.stop()
  }
}

for (const readme of readmes) {
  for (const { lang, code, line, marker } of blocks(readFileSync(readme, 'utf8'))) {
    const label = `${basename(readme)}:${line}`
    if (lang === 'sh') {
      for (const cmd of code.split('\n').filter((l) => l.startsWith('node -e '))) {
        const script = cmd.match(/^node -e "([^"]*)"/)[1]
        const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()
        if (out !== implementation) throw new Error(`${label}: \`${cmd}\` printed ${out}, wanted ${implementation}`)
        console.log(`ok ${label} (node -e: ${out})`)
        ran++
      }
      continue
    }
    if (lang !== 'js' && lang !== 'ts') continue
    // The framework examples (Fastify, Koa, NestJS, Hono, Next.js, Express 4 and 5) need their
    // framework: __test__/frameworks.test.mjs runs the files these blocks are taken from.
    if (marker !== undefined && marker.startsWith('examples/node/')) {
      console.log(`skip ${label} (${marker}: run by __test__/frameworks.test.mjs)`)
      continue
    }
    // A block taken from a test file of the package (the typed payloads' example) is run by that
    // test, against every example payload.
    if (marker !== undefined && marker.startsWith('bindings-node/__test__/')) {
      console.log(`skip ${label} (${marker}: run by the package's tests)`)
      continue
    }
    const n = ran++
    if (/\bapp\.post\(/.test(code)) {
      await runExpress(lang === 'ts' ? transpile(code, 'x.ts') : code, label, join(dir, `example${n}.cjs`))
    } else if (/export (async )?function POST/.test(code)) {
      const file = join(dir, `example${n}.mjs`)
      // As for Express: `queue` stands for what the application does with the event, when the
      // block does not declare it itself.
      const queue = /\b(const|let|var) queue\b/.test(code) ? '' : 'const queue = []\n'
      writeFileSync(file, queue + (lang === 'ts' ? transpile(code, 'x.ts') : code))
      const mod = await import(pathToFileURL(file))
      await expectFetch(mod.POST, label)
    } else if (/export default \{[\s\S]*fetch\(/.test(code)) {
      const file = join(dir, `example${n}.mjs`)
      writeFileSync(file, `const env = process.env\n${lang === 'ts' ? transpile(code, 'x.ts') : code}`)
      const mod = await import(pathToFileURL(file))
      // A Worker's fetch(request, env, ctx): env as the runtime passes it (the secrets).
      await expectFetch((request) => mod.default.fetch(request, process.env, {}), label)
    } else {
      throw new Error(`${label}: a ${lang} example of no known kind: make it runnable in scripts/readme-examples.mjs`)
    }
    console.log(`ok ${label} (${lang})`)
  }
}
if (ran === 0) throw new Error('no example found')
console.log(`readme examples: ${ran} ran, ${implementation} implementation`)
// An example's Redis client may still try to reconnect: the run is over.
process.exit(0)
