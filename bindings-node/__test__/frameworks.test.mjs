// Every framework example of examples/node/ run for real, with the cases of framework-cases.mjs:
// Express 5 (the tour's receiver, as a process) and Express 4 (loopback), Fastify (fastify.inject), Koa (loopback), Hono (app.request), the
// Next.js App Router route handlers (their POST called with Requests, and served on loopback by
// nextjs/serve.mjs, the stand-in for `next start`: not a Next build), NestJS (a Nest app on loopback). The examples read their secrets from the environment, set here first.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire, register } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { get as httpGet } from 'node:http'
import { createServer } from 'node:net'

import { SECRET, ONBOARDING_SECRET, LIMIT, conformance, post, event, eventOfSize, business } from './framework-cases.mjs'
import { qontoWebhook, verifyWebRequest, qontoWebHandler, Verifier, WebhookRequestError, WebhookVerificationError } from '../index.mjs'
import * as web from '../web.mjs'

process.env.QONTO_WEBHOOK_SECRET = SECRET
process.env.QONTO_ONBOARDING_SECRET = ONBOARDING_SECRET
// The ES module examples import 'qonto-webhooks' and their framework as your project does: the
// hooks of examples/node/local-package.mjs resolve them to this package and its dev dependencies.
register(new URL('../../examples/node/local-package-hooks.mjs', import.meta.url))

const examples = fileURLToPath(new URL('../../examples/node/', import.meta.url))
const require = createRequire(import.meta.url)

const servers = []
const children = []
after(() => {
  for (const c of children) c.kill()
  for (const s of servers) {
    s.closeAllConnections()
    s.close()
  }
})

/** Starts a node:http server (or anything with listen(port, host)) on loopback; resolves to its base URL. */
async function listen(server) {
  servers.push(server)
  if (!server.listening) await once(server, 'listening')
  return `http://127.0.0.1:${server.address().port}`
}

const loopback = (base) => (path, body, headers) => post(base + path, body, headers)

async function fromResponse(res) {
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: res.status, headers: Object.fromEntries(res.headers), json, text }
}

/** Starts an example as a process (as examples/tour.py does: the port as the last argument); resolves to { base, child }. */
async function startReceiver(args) {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise((resolve) => probe.close(resolve))
  const child = spawn(process.execPath, [...args, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
  children.push(child)
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('listening') && resolve())
    child.on('exit', (code) => reject(new Error(`${args.at(-1)} exited (${code})`)))
  })
  return `http://127.0.0.1:${port}`
}

test('Express 5: the example (examples/node/express_receiver.js, started as the tour starts it) answers every case over loopback', async () => {
  await conformance(loopback(await startReceiver([join(examples, 'express_receiver.js')])))
})

test('Express 4: the example (webhook routes before express.json()) answers every case over loopback', async () => {
  const app = require(join(examples, 'express4_receiver.js'))
  assert.equal(require('express4/package.json').version.split('.')[0], '4')
  // The example's require('express') is Express 4 (examples/node/local-package.js maps it).
  assert.ok(require.cache[require.resolve('express4')], 'the example did not load Express 4')
  const base = await listen(app.listen(0, '127.0.0.1'))
  await conformance(loopback(base))
  // The app's other routes still parse JSON.
  const echo = await post(`${base}/api/echo`, '{"a":1}', { 'content-type': 'application/json' })
  assert.deepEqual(echo.json, { a: 1 })
})

for (const [major, id] of [
  ['4', 'express4'],
  ['5', 'express'],
]) {
  test(`Express ${major}: express.json() mounted globally before the webhook route`, async () => {
    const express = require(id)
    const seen = []
    const app = express()
    app.use(express.json())
    app.post('/webhooks', (req, res, next) => {
      seen.push(req.body)
      next()
    }, qontoWebhook({ secret: SECRET }), (req, res) => res.json({ id: req.qontoEvent.id }))
    const kept = express()
    kept.use(express.json({ verify: (req, res, buf) => { req.rawBody = buf } }))
    kept.post('/webhooks', qontoWebhook({ secret: SECRET }), (req, res) => res.json({ id: req.qontoEvent.id, parsed: req.body.id }))
    const base = await listen(app.listen(0, '127.0.0.1'))
    const keptBase = await listen(kept.listen(0, '127.0.0.1'))

    // Another content type: the parser skips it (Express 4 leaves req.body = {}, 5 undefined), and
    // the middleware reads the raw stream: it verifies.
    const body = event()
    const skipped = await post(`${base}/webhooks`, body, { ...business(body), 'content-type': 'text/plain' })
    assert.equal(skipped.status, 200, skipped.text)
    assert.equal(skipped.json.id, JSON.parse(body).id)
    assert.deepEqual(seen.at(-1), major === '4' ? {} : undefined)
    // A tampered one of that type is refused as such, not as body_already_parsed.
    const tampered = await post(`${base}/webhooks`, body + ' ', { ...business(body), 'content-type': 'text/plain' })
    assert.equal(tampered.json.error, 'signature_mismatch')

    // application/json: the parser consumed it, and the error says so and what to do.
    const parsed = await post(`${base}/webhooks`, body, business(body))
    assert.equal(parsed.status, 400)
    assert.equal(parsed.json.error, 'body_already_parsed')
    assert.match(parsed.json.message, /req\.body is an object \(Object\)/)
    assert.match(parsed.json.message, /express\.raw\(\{ type: 'application\/json' \}\)/)

    // The parser keeping the raw bytes (express.json's verify hook sets req.rawBody): verified.
    const ok = await post(`${keptBase}/webhooks`, body, business(body))
    assert.equal(ok.status, 200, ok.text)
    assert.deepEqual(ok.json, { id: JSON.parse(body).id, parsed: JSON.parse(body).id })
    const bad = await post(`${keptBase}/webhooks`, body.replace('tx-1', 'tx-9'), business(body))
    assert.equal(bad.json.error, 'signature_mismatch')
  })
}

test('Fastify: the example (qonto-webhooks/fastify in the webhook scopes) answers every case through fastify.inject', async () => {
  const app = require(join(examples, 'fastify_receiver.js'))
  await app.ready()
  const send = async (url, payload, headers) => {
    const res = await app.inject({ method: 'POST', url, payload, headers })
    let json
    try {
      json = res.json()
    } catch {}
    return { status: res.statusCode, headers: res.headers, json, text: res.body }
  }
  await conformance(send)
  // The parser is encapsulated: the app's other route still gets parsed JSON.
  const echo = await send('/api/echo', '{"a":1}', { 'content-type': 'application/json' })
  assert.deepEqual(echo.json, { a: 1 })
  await app.close()
})

test('Fastify: the plugin on a loopback server, and its option errors', async () => {
  const Fastify = require('fastify')
  const fastifyPlugin = require('../lib/fastify.js')
  const app = Fastify()
  app.register(async (scope) => {
    await scope.register(fastifyPlugin, { secret: SECRET, limit: 64 })
    scope.post('/webhooks', async (request) => ({ id: request.qontoEvent.id }))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${app.server.address().port}`
  const small = JSON.stringify({ id: 'e1' })
  assert.deepEqual((await post(`${base}/webhooks`, small, business(small))).json, { id: 'e1' })
  const big = event()
  const over = await post(`${base}/webhooks`, big, business(big))
  assert.equal(over.status, 413)
  assert.equal(over.json.error, 'body_too_large')
  await app.close()

  const broken = Fastify()
  broken.register(fastifyPlugin, {})
  await assert.rejects(broken.ready(), (err) => err.code === 'invalid_secret')
  // Registered again in a child scope, or twice in one scope: its routes would run two hooks (the
  // outer one refusing the inner one's scheme, or claiming the event first): refused at start-up.
  const twice = (err) => err.code === 'ERR_QONTO_REGISTERED_TWICE' && /already registered/.test(err.message)
  const nested = Fastify()
  nested.register(fastifyPlugin, { secret: SECRET })
  nested.register(async (scope) => scope.register(fastifyPlugin, { secret: SECRET, schemes: 'onboarding' }))
  await assert.rejects(nested.ready(), twice)
  const same = Fastify()
  same.register(async (scope) => {
    scope.register(fastifyPlugin, { secret: SECRET })
    scope.register(fastifyPlugin, { secret: SECRET })
  })
  await assert.rejects(same.ready(), twice)
  // Sibling scopes, one endpoint each (the example's layout), share the request decorators.
  const siblings = Fastify()
  siblings.register(async (scope) => scope.register(fastifyPlugin, { secret: SECRET }))
  siblings.register(async (scope) => scope.register(fastifyPlugin, { secret: SECRET, schemes: 'onboarding' }))
  await siblings.ready()
  await siblings.close()
})

test('Koa: the example (qonto-webhooks/koa) answers every case over loopback', async () => {
  const app = require(join(examples, 'koa_receiver.js'))
  const base = await listen(app.listen(0, '127.0.0.1'))
  await conformance(loopback(base))
})

test('Koa: a body parser that keeps rawBody is verified; one that consumed the body is body_already_parsed', async () => {
  const Koa = require('koa')
  const { qontoWebhook: koaWebhook } = require('../lib/koa.js')
  const verify = koaWebhook({ secret: SECRET })
  const app = new Koa()
  app.use(async (ctx, next) => {
    // What koa-bodyparser does: the parsed body, and (when kept) the raw text.
    const chunks = []
    for await (const c of ctx.req) chunks.push(c)
    const text = Buffer.concat(chunks).toString('utf8')
    ctx.request.body = JSON.parse(text)
    if (ctx.path === '/kept') ctx.request.rawBody = text
    await next()
  })
  app.use((ctx, next) => verify(ctx, next))
  app.use((ctx) => {
    ctx.body = { id: ctx.state.qontoEvent.id }
  })
  const base = await listen(app.listen(0, '127.0.0.1'))
  const body = event()
  assert.equal((await post(`${base}/kept`, body, business(body))).json.id, JSON.parse(body).id)
  const parsed = await post(`${base}/parsed`, body, business(body))
  assert.equal(parsed.status, 400)
  assert.equal(parsed.json.error, 'body_already_parsed')
  assert.match(parsed.json.message, /koa-bodyparser/)
})

test('Hono: the example (qontoWebHandler given c.req.raw) answers every case through app.request', async () => {
  const { app } = await import(pathToFileURL(join(examples, 'hono_receiver.mjs')))
  await conformance(async (path, body, headers) => fromResponse(await app.request(path, { method: 'POST', body, headers })))
})

test('Hono: the example started as a process (node --import local-package.mjs), served by @hono/node-server on loopback', async () => {
  await conformance(loopback(await startReceiver(['--import', join(examples, 'local-package.mjs'), join(examples, 'hono_receiver.mjs')])))
})

test('Next.js: the App Router route handlers (examples/node/nextjs/app), their POST called with real Requests, answer every case', async () => {
  const routes = {
    '/webhooks': await import(pathToFileURL(join(examples, 'nextjs/app/webhooks/route.mjs'))),
    '/webhooks/onboarding': await import(pathToFileURL(join(examples, 'nextjs/app/webhooks/onboarding/route.mjs'))),
  }
  await conformance(async (path, body, headers) => {
    // Next.js calls a route's POST with the Request and a context ({ params }).
    const request = new Request(`http://localhost${path}`, { method: 'POST', body, headers })
    return fromResponse(await routes[path].POST(request, { params: Promise.resolve({}) }))
  })
})

test('Next.js: next.config.mjs keeps the package out of the bundle, and its pageExtensions make the .mjs files routes', async () => {
  const { default: config } = await import(pathToFileURL(join(examples, 'nextjs/next.config.mjs')))
  assert.ok(config.serverExternalPackages.includes('qonto-webhooks'), 'serverExternalPackages lists qonto-webhooks')
  const { findRoutes } = await import(pathToFileURL(join(examples, 'nextjs/serve.mjs')))
  const app = join(examples, 'nextjs/app')
  // The routes Next.js finds under app/ with this configuration: one endpoint per scheme, at the
  // paths every receiver of the tour serves.
  assert.deepEqual([...findRoutes(app, config.pageExtensions).keys()].sort(), ['/webhooks', '/webhooks/onboarding'])
  // With Next's default extensions (js, jsx, ts, tsx), none: route.mjs would not be a route.
  assert.equal(findRoutes(app, ['tsx', 'ts', 'jsx', 'js']).size, 0)
})

test('Next.js: the app served by nextjs/serve.mjs (the stand-in for next start), started as the tour starts it, answers every case over loopback', async () => {
  const base = await startReceiver(['--import', join(examples, 'local-package.mjs'), join(examples, 'nextjs/serve.mjs')])
  await conformance(loopback(base))
  // The stand-in routes as Next does: no route, 404; a method the route does not export, 405.
  assert.equal((await post(`${base}/webhooks/qonto`, '{}', {})).status, 404)
  const get = await new Promise((resolve, reject) => httpGet(`${base}/webhooks`, resolve).on('error', reject))
  get.resume()
  assert.equal(get.statusCode, 405)
  assert.equal(get.headers.allow, 'POST')
})

test('NestJS: the example (bodyParser: false, the Express middleware on the webhook routes) on loopback', async () => {
  // The example is TypeScript with decorators, as Nest projects are: compiled on load by
  // examples/node/local-package.js (as the receivers tour starts it), with the options a Nest
  // project uses, its imports resolved from this package.
  require(join(examples, 'local-package.js'))
  const file = join(examples, 'nest_receiver.ts')
  const { createApp } = require(file)
  const app = await createApp()
  await app.listen(0, '127.0.0.1')
  const server = app.getHttpServer()
  servers.push(server)
  const base = `http://127.0.0.1:${server.address().port}`
  // No parser before the middleware: every case is the package's answer.
  await conformance(loopback(base))
  // The app's other routes parse JSON.
  const echo = await post(`${base}/api/echo`, '{"a":1}', { 'content-type': 'application/json' })
  assert.equal(echo.status, 200)
  assert.deepEqual(echo.json, { a: 1 })
  await app.close()

  // The same module with rawBody: true (the README's alternative): the middleware verifies
  // req.rawBody, but Nest's JSON parser runs first: a signed body that is not JSON is answered
  // by Nest (400, its own format), and so is one over its limit (413).
  const { AppModule } = require(file)
  const { NestFactory } = require('@nestjs/core')
  const raw = await NestFactory.create(AppModule, { rawBody: true, logger: false })
  raw.useBodyParser('json', { limit: '1mb' })
  await raw.listen(0, '127.0.0.1')
  servers.push(raw.getHttpServer())
  const rawBase = `http://127.0.0.1:${raw.getHttpServer().address().port}`
  await conformance(loopback(rawBase), { skip: ['not_json', 'limit'] })
  const notJson = await post(`${rawBase}/webhooks`, 'not json', business('not json'))
  assert.equal(notJson.status, 400)
  assert.equal(notJson.json.statusCode, 400)
  const atLimit = eventOfSize(LIMIT)
  assert.equal((await post(`${rawBase}/webhooks`, atLimit, business(atLimit))).status, 200)
  const over = eventOfSize(LIMIT + 1)
  const tooLarge = await post(`${rawBase}/webhooks`, over, business(over))
  assert.equal(tooLarge.status, 413)
  assert.equal(tooLarge.json.statusCode, 413)
  await raw.close()
})

for (const [label, file] of [
  ['Express 4', 'express4_receiver.js'],
  ['Fastify', 'fastify_receiver.js'],
  ['Koa', 'koa_receiver.js'],
]) {
  test(`${label}: the example started as a process (as examples/tour.py would) answers every case over loopback`, async () => {
    await conformance(loopback(await startReceiver([join(examples, file)])))
  })
}

for (const [name, entry] of [
  ['main entry', { verifyWebRequest, qontoWebHandler, Verifier, WebhookRequestError, WebhookVerificationError }],
  ['web entry', web],
]) {
  test(`verifyWebRequest (${name}): the event and the verified fields, the codes, the options`, async () => {
    const body = event()
    const request = (b = body, headers = business(body)) => new Request('http://localhost/', { method: 'POST', body: b, headers })
    const result = await entry.verifyWebRequest(request(), { secret: SECRET })
    assert.equal(result.scheme, 'business')
    assert.equal(result.secretIndex, 0)
    assert.equal(typeof result.timestamp, 'number')
    assert.deepEqual(result.event, JSON.parse(body))
    const verifier = new entry.Verifier([ONBOARDING_SECRET, SECRET])
    assert.equal((await entry.verifyWebRequest(request(), { verifier })).secretIndex, 1)
    await assert.rejects(entry.verifyWebRequest(request(body + ' '), { secret: SECRET }), (err) => err instanceof entry.WebhookVerificationError && err.code === 'signature_mismatch')
    await assert.rejects(
      entry.verifyWebRequest(request(), { secret: SECRET, now: JSON.parse(JSON.stringify(result.timestamp)) + 3600 }),
      (err) => err.code === 'timestamp_too_old',
    )
    await assert.rejects(entry.verifyWebRequest(request(), { secret: SECRET, limit: 10 }), (err) => err instanceof entry.WebhookRequestError && err.code === 'body_too_large' && err.status === 413)
    await assert.rejects(entry.verifyWebRequest(request('nope', business('nope')), { secret: SECRET }), (err) => err.code === 'invalid_payload' && err.status === 400)
    const used = request()
    await used.text()
    await assert.rejects(entry.verifyWebRequest(used, { secret: SECRET }), (err) => err.code === 'body_unreadable')
    await assert.rejects(entry.verifyWebRequest(request(), { secret: SECRET, idempotency: true }), TypeError)
    await assert.rejects(entry.verifyWebRequest(request(), { verifier, secret: SECRET }), TypeError)
    await assert.rejects(entry.verifyWebRequest({}, { secret: SECRET }), TypeError)
    await assert.rejects(entry.verifyWebRequest(request(), {}), (err) => err.code === 'invalid_secret')
  })

  test(`qontoWebHandler (${name}): a handler's status settles the claim`, async () => {
    let fail = true
    const handle = entry.qontoWebHandler({ secret: SECRET, idempotency: true }, async (event, webhook) => {
      if (fail) return new Response('busy', { status: 500 })
      return Response.json({ id: event.id, scheme: webhook.scheme })
    })
    const body = event()
    const request = () => new Request('http://localhost/', { method: 'POST', body, headers: business(body) })
    assert.equal((await handle(request())).status, 500)
    fail = false
    // The failed attempt released the claim: the retry is handled.
    const ok = await fromResponse(await handle(request()))
    assert.deepEqual(ok.json, { id: JSON.parse(body).id, scheme: 'business' })
    assert.deepEqual((await fromResponse(await handle(request()))).json, { duplicate: true, id: JSON.parse(body).id })
    assert.throws(() => entry.qontoWebHandler({ secret: SECRET }, 'not a function'), TypeError)
  })
}
