// Installs the package as users do, from the artifacts `dist.sh` makes (the napi-rs layout: the
// main package plus the linux-x64-gnu platform package, as `npm pack` tarballs, with the addon
// already built here): into a fresh temporary project, offline, the platform package reached
// through the main package's optionalDependencies; then `require` and `import` it and verify the
// official vector. Installed without optional dependencies, it runs on the pure-JS fallback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { ONCE } from './engine.mjs'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const { version, napi } = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: pkg, encoding: 'utf8' }))

/** A fresh project depending on the main tarball, the platform package resolved to its tarball. */
function project(dir, name, dist) {
  const root = join(dir, name)
  mkdirSync(root)
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      private: true,
      dependencies: { 'qonto-webhooks': `file:${join(dist, `qonto-webhooks-${version}.tgz`)}` },
      overrides: { 'qonto-webhooks-linux-x64-gnu': `file:${join(dist, `qonto-webhooks-linux-x64-gnu-${version}.tgz`)}` },
    }),
  )
  return root
}

const listing = (tarball) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''))
const manifest = (tarball) => JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }))

const CHECK = (load) => `
const official = {
  body: '{"test":"data"}',
  header: 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805',
}
${load}
const verified = new m.Verifier('test-secret').verify(Buffer.from(official.body), official.header, { now: 1704110400 })
if (verified.secretIndex !== 0 || verified.timestamp !== 1704110400) throw new Error('bad result ' + JSON.stringify(verified))
let code
try { new m.Verifier('test-secret').verify(official.body + ' ', official.header, { now: 1704110400 }) } catch (e) { code = e instanceof m.WebhookVerificationError && e.code }
if (code !== 'signature_mismatch') throw new Error('bad error ' + code)
console.log('verified ' + m.implementation)
`

test('dist.sh: the main and platform tarballs, installed offline: native with the platform package, js without', { skip: ONCE }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qonto-webhooks-pack-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const dist = join(dir, 'dist')
  execFileSync('bash', [join(pkg, 'dist.sh'), dist, '--skip-build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const main = join(dist, `qonto-webhooks-${version}.tgz`)
  const platform = join(dist, `qonto-webhooks-linux-x64-gnu-${version}.tgz`)
  assert.deepEqual(readdirSync(dist).sort(), [`qonto-webhooks-${version}.tgz`, `qonto-webhooks-linux-x64-gnu-${version}.tgz`])

  const packed = listing(main)
  for (const f of ['index.js', 'lib/native.js', 'lib/errors.js', 'lib/args.js', 'lib/verifier.js', 'lib/express.js', 'index.mjs', 'index.d.ts', 'types.d.ts', 'binding.js', 'fallback.js', 'diagnose.js', 'rules.cjs', 'rules.mjs', 'idempotency.mjs', 'idempotency.cjs', 'idempotency.d.ts', 'payloads.mjs', 'payloads.cjs', 'payloads.d.ts', 'http.mjs', 'http.cjs', 'lib/receive.js', 'lib/fetch.js', 'lib/fastify.js', 'lib/koa.js', 'fastify.d.ts', 'koa.d.ts', 'web.mjs', 'web.d.ts', 'package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.ok(packed.includes(f), `${f} is not in the main tarball`)
  }
  assert.ok(!packed.some((f) => f.endsWith('.node')), 'a native addon in the main tarball')
  assert.ok(!packed.some((f) => f.startsWith('src/') || f.startsWith('__test__/') || f.startsWith('scripts/')), 'sources or tests in the tarball')
  const m = manifest(main)
  // One platform package per napi target, all at this version; this machine's among them.
  assert.equal(Object.keys(m.optionalDependencies).length, napi.targets.length)
  assert.equal(m.optionalDependencies['qonto-webhooks-linux-x64-gnu'], version)
  for (const [name, v] of Object.entries(m.optionalDependencies)) {
    assert.match(name, /^qonto-webhooks-[a-z0-9]+-[a-z0-9]+(-[a-z]+)?$/)
    assert.equal(v, version, name)
  }
  assert.equal(m.devDependencies, undefined)
  assert.equal(m.scripts, undefined)
  assert.deepEqual(listing(platform).sort(), ['LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'package.json', 'qonto-webhooks.linux-x64-gnu.node'])
  const p = manifest(platform)
  assert.deepEqual([p.name, p.version, p.os, p.cpu, p.libc, p.main], ['qonto-webhooks-linux-x64-gnu', version, ['linux'], ['x64'], ['glibc'], 'qonto-webhooks.linux-x64-gnu.node'])

  const env = { ...process.env }
  delete env.QONTO_WEBHOOKS_IMPLEMENTATION
  const app = project(dir, 'app', dist)
  execFileSync(npm, ['i', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' })
  assert.ok(readdirSync(join(app, 'node_modules')).includes('qonto-webhooks-linux-x64-gnu'))

  writeFileSync(join(app, 'cjs.cjs'), CHECK("const m = require('qonto-webhooks')"))
  writeFileSync(join(app, 'esm.mjs'), CHECK("import * as m from 'qonto-webhooks'"))
  writeFileSync(
    join(app, 'web.mjs'),
    `import * as m from 'qonto-webhooks/web'
const v = await new m.Verifier('test-secret').verifyAsync('{"test":"data"}', 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805', { now: 1704110400 })
if (v.secretIndex !== 0) throw new Error('web entry failed')
console.log('verified')`,
  )
  for (const file of ['cjs.cjs', 'esm.mjs']) {
    assert.equal(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', env }).trim(), 'verified native', file)
  }
  assert.equal(execFileSync(process.execPath, ['web.mjs'], { cwd: app, encoding: 'utf8', env }).trim(), 'verified')

  // The framework entries load without their framework (none is installed here: they are not
  // dependencies), and verifyWebRequest works from both entries.
  assert.ok(!readdirSync(join(app, 'node_modules')).some((d) => ['express', 'fastify', 'koa', 'hono', '@nestjs'].includes(d)))
  writeFileSync(
    join(app, 'frameworks.mjs'),
    `import fastifyPlugin from 'qonto-webhooks/fastify'
import { qontoWebhook as koaMiddleware } from 'qonto-webhooks/koa'
import { verifyWebRequest, sign } from 'qonto-webhooks'
import * as web from 'qonto-webhooks/web'
if (typeof fastifyPlugin !== 'function' || typeof koaMiddleware({ secret: 'k' }) !== 'function') throw new Error('framework entries')
const body = '{"id":"e1"}'
const request = () => new Request('http://x/', { method: 'POST', body, headers: { 'x-qonto-signature': sign('k', body) } })
const a = await verifyWebRequest(request(), { secret: 'k' })
const b = await web.verifyWebRequest(request(), { secret: 'k' })
console.log(a.event.id, b.event.id)`,
  )
  assert.equal(execFileSync(process.execPath, ['frameworks.mjs'], { cwd: app, encoding: 'utf8', env }).trim(), 'e1 e1')

  // The bare name is the synchronous entry under every export condition (node's --conditions flag
  // resolves as edge runtimes and bundlers do): the WebCrypto entry, async, is reachable only as
  // qonto-webhooks/web.
  writeFileSync(
    join(app, 'which.mjs'),
    `import * as m from 'qonto-webhooks'
const r = new m.Verifier('test-secret').verify('{"test":"data"}', 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805', { now: 1704110400 })
const v = await r
if (v.secretIndex !== 0) throw new Error('verification failed')
console.log(r instanceof Promise ? 'web' : 'sync')`,
  )
  const which = (...flags) => execFileSync(process.execPath, [...flags, 'which.mjs'], { cwd: app, encoding: 'utf8', env }).trim()
  assert.equal(which(), 'sync')
  for (const condition of ['workerd', 'edge-light', 'worker', 'deno', 'browser']) {
    assert.equal(which(`--conditions=${condition}`), 'sync', condition)
  }

  // Without optional dependencies, as on a platform with no native package: the pure-JS fallback.
  const bare = project(dir, 'bare', dist)
  execFileSync(npm, ['i', '--offline', '--omit=optional', '--no-audit', '--no-fund'], { cwd: bare, encoding: 'utf8' })
  assert.ok(!readdirSync(join(bare, 'node_modules')).includes('qonto-webhooks-linux-x64-gnu'))
  writeFileSync(join(bare, 'cjs.cjs'), CHECK("const m = require('qonto-webhooks')"))
  assert.equal(execFileSync(process.execPath, ['cjs.cjs'], { cwd: bare, encoding: 'utf8', env }).trim(), 'verified js')
})
