// Installs the package as users do: `npm pack`, then `npm i --offline <tarball>` into a fresh
// temporary project, then `require` and `import` it and verify the official vector.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

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
console.log('verified')
`

test('npm pack, install the tarball offline in a fresh project, require and import it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qonto-webhooks-pack-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: pkg, encoding: 'utf8' })
  const [{ filename, files }] = JSON.parse(out.slice(out.indexOf('[')))
  const packed = files.map((f) => f.path)
  for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'types.d.ts', 'binding.js', 'web.mjs', 'web.d.ts', 'package.json']) {
    assert.ok(packed.includes(f), `${f} is not in the tarball`)
  }
  assert.ok(packed.some((f) => f.endsWith('.node')), 'no native addon in the tarball')
  assert.ok(!packed.some((f) => f.startsWith('src/') || f.startsWith('__test__/')), 'sources or tests in the tarball')

  const project = join(dir, 'app')
  execFileSync('mkdir', ['-p', project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  execFileSync(npm, ['i', '--offline', '--no-audit', '--no-fund', join(dir, filename)], { cwd: project, encoding: 'utf8' })
  assert.ok(readdirSync(join(project, 'node_modules', 'qonto-webhooks')).includes('index.js'))

  writeFileSync(join(project, 'cjs.cjs'), CHECK("const m = require('qonto-webhooks')"))
  writeFileSync(join(project, 'esm.mjs'), CHECK("import * as m from 'qonto-webhooks'"))
  writeFileSync(
    join(project, 'web.mjs'),
    `import * as m from 'qonto-webhooks/web'
const v = await new m.Verifier('test-secret').verifyAsync('{"test":"data"}', 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805', { now: 1704110400 })
if (v.secretIndex !== 0) throw new Error('web entry failed')
console.log('verified')`,
  )
  for (const file of ['cjs.cjs', 'esm.mjs', 'web.mjs']) {
    assert.equal(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }).trim(), 'verified', file)
  }

  // The bare name is the native, synchronous entry under every export condition (node's
  // --conditions flag resolves as edge runtimes and bundlers do): the WebCrypto entry, async, is
  // reachable only as qonto-webhooks/web.
  writeFileSync(
    join(project, 'which.mjs'),
    `import * as m from 'qonto-webhooks'
const r = new m.Verifier('test-secret').verify('{"test":"data"}', 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805', { now: 1704110400 })
const v = await r
if (v.secretIndex !== 0) throw new Error('verification failed')
console.log(r instanceof Promise ? 'web' : 'native')`,
  )
  const which = (...flags) => execFileSync(process.execPath, [...flags, 'which.mjs'], { cwd: project, encoding: 'utf8' }).trim()
  assert.equal(which(), 'native')
  for (const condition of ['workerd', 'edge-light', 'worker', 'deno', 'browser']) {
    assert.equal(which(`--conditions=${condition}`), 'native', condition)
  }
})
