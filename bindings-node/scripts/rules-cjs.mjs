// Writes the CommonJS copies of the package's shared ES modules: rules.cjs from rules.mjs (the
// pure-JS fallback, fallback.js, requires it), idempotency.cjs from idempotency.mjs (index.js
// requires it) and http.cjs from http.mjs (lib/ requires it): the same text with `export` removed,
// imports of the package's other shared modules turned into requires of their .cjs, and a
// module.exports list added. The .mjs
// files are the one source; `node scripts/rules-cjs.mjs --check` fails when a copy is not what
// this makes.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const MODULES = ['rules', 'idempotency', 'http']

export function generate(text, name = 'rules') {
  const names = []
  // The one import the shared modules may have: the generated contract (contract.cjs beside it).
  text = text.replace(/^import \* as (\w+) from '\.\/contract\.mjs'$/m, "const $1 = require('./contract.cjs')")
  // And named imports of another shared module (http.mjs imports the idempotency guard).
  text = text.replace(/^import \{([^}]*)\} from '\.\/(\w+)\.mjs'$/gm, "const {$1} = require('./$2.cjs')")
  const body = text.replace(/^export (const|function|async function|class) ([A-Za-z_$][\w$]*)/gm, (_, kind, id) => {
    names.push(id)
    return `${kind} ${id}`
  })
  if (/^export /m.test(body)) throw new Error(`${name}.mjs: only \`export const|function|async function|class NAME\` is supported`)
  return (
    `'use strict'\n// Generated from ${name}.mjs by scripts/rules-cjs.mjs: do not edit, edit ${name}.mjs.\n` +
    body +
    `\nmodule.exports = { ${names.join(', ')} }\n`
  )
}

let stale = false
for (const name of MODULES) {
  const source = fileURLToPath(new URL(`../${name}.mjs`, import.meta.url))
  const target = fileURLToPath(new URL(`../${name}.cjs`, import.meta.url))
  const wanted = generate(readFileSync(source, 'utf8'), name)
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(target, 'utf8')
    } catch {}
    if (current !== wanted) {
      console.error(`${name}.cjs is not generated from the current ${name}.mjs: run \`node scripts/rules-cjs.mjs\``)
      stale = true
    }
  } else {
    writeFileSync(target, wanted)
  }
}
if (stale) process.exit(1)
