// The resolve hook local-package.mjs registers (see there): 'qonto-webhooks' and its subpaths to
// the repository's package, as its package.json `exports` map them for `import`; any other bare
// name not found from the example's folder, from the package's folder (its dev dependencies).
import { readFileSync } from 'node:fs'

const pkg = new URL('../../bindings-node/', import.meta.url)
const { exports: entries } = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8'))

export async function resolve(specifier, context, next) {
  if (specifier === 'qonto-webhooks' || specifier.startsWith('qonto-webhooks/')) {
    const entry = entries['.' + specifier.slice('qonto-webhooks'.length)]
    if (entry !== undefined) {
      const file = typeof entry === 'string' ? entry : entry.import || entry.default
      return { url: new URL(file, pkg).href, shortCircuit: true }
    }
  }
  try {
    return await next(specifier, context)
  } catch (err) {
    if (/^[@a-z]/i.test(specifier) && !specifier.startsWith('node:')) {
      try {
        return await next(specifier, { ...context, parentURL: new URL('package.json', pkg).href })
      } catch {}
    }
    throw err
  }
}
