// For the examples of this folder only: `require('qonto-webhooks')` (and its subpaths) resolves to
// the repository's Node package, and the frameworks to its dev dependencies, so the examples show
// the requires of your project. Each example loads this first (a line the READMEs leave out).
'use strict'
const Module = require('node:module')
const path = require('node:path')

const pkg = path.join(__dirname, '../../bindings-node')
const { exports: entries } = require(path.join(pkg, 'package.json'))
const resolve = Module._resolveFilename

// nest_receiver.ts is TypeScript with decorators: `node -r ./examples/node/local-package.js
// examples/node/nest_receiver.ts` compiles it on load with the package's TypeScript (transpile
// only, with the options of a Nest project), as `npx ts-node` does in a Nest project.
Module._extensions['.ts'] = function (module, filename) {
  const ts = require(require.resolve('typescript', { paths: [pkg] }))
  const { outputText } = ts.transpileModule(require('node:fs').readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true },
    fileName: filename,
  })
  module._compile(outputText, filename)
}

Module._resolveFilename = function (request, parent, ...rest) {
  // express4_receiver.js is about Express 4: the package's dev dependency `express4`.
  if (request === 'express' && parent && path.basename(parent.filename || '') === 'express4_receiver.js') request = 'express4'
  if (request === 'qonto-webhooks' || request.startsWith('qonto-webhooks/')) {
    const entry = entries['.' + request.slice('qonto-webhooks'.length)]
    if (entry !== undefined) return path.join(pkg, typeof entry === 'string' ? entry : entry.require || entry.default)
  }
  try {
    return resolve.call(this, request, parent, ...rest)
  } catch (err) {
    // Not found from the example's folder: from the package's (its dev dependencies).
    try {
      return require.resolve(request, { paths: [pkg] })
    } catch {
      throw err
    }
  }
}
