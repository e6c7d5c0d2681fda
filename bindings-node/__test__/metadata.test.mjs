// package.json says what the README and the repository say: one Node floor, the repository's
// addresses, one version, and `files` that exist.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url))
const pkg = JSON.parse(readFileSync(here('package.json'), 'utf8'))
const readme = readFileSync(here('README.md'), 'utf8')
const cargo = readFileSync(here('../Cargo.toml'), 'utf8')

test('engines is the Node floor the README states, and the Node running the tests meets it', () => {
  const floors = [...readme.matchAll(/Node\.js (\d+) or later/g)].map((m) => m[1])
  assert.ok(floors.length > 0, 'the README states no Node floor')
  assert.deepEqual([...new Set(floors)], [floors[0]], 'the README states more than one floor')
  assert.equal(pkg.engines.node, `>=${floors[0]}`)
  assert.ok(Number(process.versions.node.split('.')[0]) >= Number(floors[0]))
})

test('repository, homepage and bugs point at the repository of Cargo.toml', () => {
  const repo = /^repository = "([^"]+)"/m.exec(cargo)[1]
  assert.equal(pkg.repository.url, `git+${repo}.git`)
  assert.equal(pkg.repository.directory, 'bindings-node')
  assert.ok(pkg.homepage.startsWith(`${repo}/tree/main/bindings-node`), pkg.homepage)
  assert.equal(pkg.bugs.url, `${repo}/issues`)
  assert.equal(pkg.license, /^license = "([^"]+)"/m.exec(cargo)[1])
})

test('one version: package.json and the Cargo workspace', () => {
  assert.equal(pkg.version, /^version = "([^"]+)"/m.exec(cargo.slice(cargo.indexOf('[workspace.package]')))[1])
})

test('files: each exists (the licenses at the repository root, copied in by dist.sh), no addon', () => {
  for (const f of pkg.files) {
    assert.ok(!f.includes('*') && !f.endsWith('.node'), `${f}: the main package lists no glob and no addon`)
    assert.ok(existsSync(here(f)) || (f.startsWith('LICENSE-') && existsSync(here(`../${f}`))), `${f} does not exist`)
  }
  for (const entry of [pkg.main, pkg.types, ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))]) {
    assert.ok(pkg.files.includes(entry.replace(/^\.\//, '')) || entry === './package.json', `${entry} is exported but not in files`)
  }
})
