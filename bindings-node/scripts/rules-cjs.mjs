// Writes rules.cjs, the CommonJS copy of rules.mjs that the pure-JS fallback (fallback.js)
// requires: the same text with `export` removed and a module.exports list added. rules.mjs is the
// one source; `node scripts/rules-cjs.mjs --check` fails when rules.cjs is not what this makes.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('../rules.mjs', import.meta.url))
const target = fileURLToPath(new URL('../rules.cjs', import.meta.url))

export function generate(text) {
  const names = []
  const body = text.replace(/^export (const|function|class) ([A-Za-z_$][\w$]*)/gm, (_, kind, name) => {
    names.push(name)
    return `${kind} ${name}`
  })
  if (/^export /m.test(body)) throw new Error('rules.mjs: only `export const|function|class NAME` is supported')
  return (
    "'use strict'\n// Generated from rules.mjs by scripts/rules-cjs.mjs: do not edit, edit rules.mjs.\n" +
    body +
    `\nmodule.exports = { ${names.join(', ')} }\n`
  )
}

const wanted = generate(readFileSync(source, 'utf8'))
if (process.argv.includes('--check')) {
  let current = ''
  try {
    current = readFileSync(target, 'utf8')
  } catch {}
  if (current !== wanted) {
    console.error('rules.cjs is not generated from the current rules.mjs: run `node scripts/rules-cjs.mjs`')
    process.exit(1)
  }
} else {
  writeFileSync(target, wanted)
}
