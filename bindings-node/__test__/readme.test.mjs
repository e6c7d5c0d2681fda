// The README examples run as shown: the root README's (examples/express_route.cjs; its Next.js
// route is examples/node/nextjs, run by frameworks.test.mjs) and this package's README's (examples/idempotency_*.cjs, and the
// TypeScript ones, examples/idempotency_fetch.ts and examples/edge_worker.ts, type-checked, then
// compiled to JavaScript and imported). Each file holds its block between snippet comments
// (.ci/snippets.py copies them into the READMEs and fails when a README differs). Each gets a
// signed webhook, then tampered, other-secret or replayed ones; a verified event must reach the
// application whole, once.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

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

/** Compiles examples/<name> (TypeScript) to an ES module in a temporary directory, the package's
 * own entries in place of its bare specifiers, and imports it. */
async function importTypeScript(name) {
  const source = readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8')
  let { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
  for (const [specifier, entry] of [['qonto-webhooks/web', '../web.mjs'], ['qonto-webhooks', '../index.mjs']]) {
    outputText = outputText.replaceAll(`from '${specifier}'`, `from '${new URL(entry, import.meta.url).href}'`)
  }
  const file = join(mkdtempSync(join(tmpdir(), 'qw-readme-')), name.replace(/\.ts$/, '.mjs'))
  writeFileSync(file, outputText)
  return import(pathToFileURL(file).href)
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** A throw-away redis-server on a free loopback port (the binary from .ci/redis.sh, as
 * idempotency-redis.test.mjs starts it): { url, stop }. */
async function startRedis() {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const binary = process.env.QONTO_WEBHOOKS_REDIS_SERVER || execFileSync('bash', [`${root}.ci/redis.sh`], { encoding: 'utf8' }).trim()
  const port = await freePort()
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
    proc.on('error', reject)
    proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)))
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = once(proc, 'exit')
      proc.kill('SIGKILL')
      await exited
    },
  }
}

let express
before(async () => {
  // The examples read the secret from the environment when they load, as an application would.
  process.env.QONTO_WEBHOOK_SECRET = SECRET
  express = createRequire(import.meta.url)('../examples/express_route.cjs')
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

// ---- README.md (this package's): "Duplicate deliveries" and "Edge runtimes" -----------------------

const ONBOARDING_SECRET = 'readme_test_onboarding_secret'
const ONBOARDING_EVENT = {
  id: 'ob-1',
  event_type: 'registrations.pending',
  resource_type: 'registration',
  resource_id: 'r1',
  created_at: '2022-08-29T13:17:32Z',
}

async function listen(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

const postTo = (url, headers, body) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

test('README idempotency route: each event once per scheme, a replay answered as a duplicate', async () => {
  process.env.QONTO_ONBOARDING_SECRET = ONBOARDING_SECRET
  const { app, queue } = createRequire(import.meta.url)('../examples/idempotency_express.cjs')
  const server = await listen(app)
  try {
    const business = { 'x-qonto-signature': signed() }
    assert.equal((await postTo(`${server.base}/webhooks/qonto`, business, BODY)).status, 204)
    const again = await postTo(`${server.base}/webhooks/qonto`, business, BODY)
    assert.equal(again.status, 200)
    assert.deepEqual(await again.json(), { duplicate: true, id: EVENT.id })
    const onboardingBody = JSON.stringify(ONBOARDING_EVENT)
    const onboarding = { 'qonto-sha256-signature': sign(ONBOARDING_SECRET, onboardingBody, { scheme: 'onboarding' }) }
    assert.equal((await postTo(`${server.base}/webhooks/qonto-onboarding`, onboarding, onboardingBody)).status, 204)
    const replay = await postTo(`${server.base}/webhooks/qonto-onboarding`, onboarding, onboardingBody)
    assert.deepEqual(await replay.json(), { duplicate: true, id: ONBOARDING_EVENT.id })
    // The other scheme's header at each endpoint: refused before the guard.
    assert.equal((await postTo(`${server.base}/webhooks/qonto`, onboarding, onboardingBody)).status, 400)
    assert.deepEqual(queue, [EVENT, ONBOARDING_EVENT])
  } finally {
    await server.close()
  }
})

test('README Redis route: the guard keeps its keys in Redis; a second app on the same Redis sees the duplicate', async () => {
  const redisServer = await startRedis()
  const require = createRequire(import.meta.url)
  const path = require.resolve('../examples/idempotency_redis.cjs')
  process.env.REDIS_URL = redisServer.url
  const apps = []
  try {
    for (let i = 0; i < 2; i++) {
      delete require.cache[path] // two processes' worth of the same app
      const loaded = require(path)
      while (!loaded.redis.isReady) await new Promise((resolve) => setTimeout(resolve, 10))
      apps.push({ ...loaded, server: await listen(loaded.app) })
    }
    const header = { 'x-qonto-signature': signed() }
    assert.equal((await postTo(`${apps[0].server.base}/webhooks/qonto`, header, BODY)).status, 204)
    const second = await postTo(`${apps[1].server.base}/webhooks/qonto`, header, BODY)
    assert.deepEqual(await second.json(), { duplicate: true, id: EVENT.id })
    assert.deepEqual(apps[0].queue, [EVENT])
    assert.deepEqual(apps[1].queue, [])
    assert.equal(await apps[0].redis.get(`qonto-webhooks:idempotency:business:${EVENT.id}`), 'done')
  } finally {
    for (const a of apps) {
      await a.server.close()
      await a.redis.quit()
    }
    await redisServer.stop()
  }
})

test('README TypeScript examples type-check (strict, bundler resolution, as Next.js and Workers build them)', () => {
  const files = ['idempotency_fetch.ts', 'edge_worker.ts'].map((f) => fileURLToPath(new URL(`../examples/${f}`, import.meta.url)))
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    skipLibCheck: true,
  })
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  assert.deepEqual(diagnostics, [])
})

test('README Fetch route with the guard by hand: 204, then a duplicate; refused requests never claim', async () => {
  const { POST, queue } = await importTypeScript('idempotency_fetch.ts')
  const request = (header, body = BODY) =>
    new Request('https://example.com/api/webhooks/qonto', { method: 'POST', headers: { 'x-qonto-signature': header }, body })
  assert.equal((await POST(request(signed(), BODY.replace('tx-1', 'tx-2')))).status, 400)
  const first = await POST(request(signed()))
  assert.equal(first.status, 204)
  const again = await POST(request(signed()))
  assert.equal(again.status, 200)
  assert.deepEqual(await again.json(), { duplicate: true, id: EVENT.id })
  const noId = JSON.stringify({ type: 'v1/transactions' })
  const invalid = await POST(request(sign(SECRET, noId, { timestamp: Math.floor(Date.now() / 1000) }), noId))
  assert.equal(invalid.status, 400)
  assert.equal((await invalid.json()).error, 'invalid_payload')
  assert.deepEqual(queue, [EVENT])
})

test('README edge handler: the event from the result, 400 with the code otherwise', async () => {
  const worker = (await importTypeScript('edge_worker.ts')).default
  const env = { QONTO_WEBHOOK_SECRET: SECRET }
  const request = (header, body = BODY) =>
    new Request('https://example.com/webhooks/qonto', { method: 'POST', headers: { 'x-qonto-signature': header }, body })
  const logged = []
  const log = console.log
  console.log = (...args) => logged.push(args)
  try {
    assert.equal((await worker.fetch(request(signed()), env)).status, 204)
    const refused = await worker.fetch(request(signed('whsec_another_secret')), env)
    assert.equal(refused.status, 400)
    assert.deepEqual(await refused.json(), { error: 'signature_mismatch' })
  } finally {
    console.log = log
  }
  assert.deepEqual(logged, [[EVENT.id]])
})
