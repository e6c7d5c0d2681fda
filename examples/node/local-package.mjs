// For the ES module examples of this folder (hono_receiver.mjs, nextjs/): `import ... from
// 'qonto-webhooks'` (and its subpaths) resolves to the repository's Node package, and the
// frameworks to its dev dependencies, so the examples show the imports of your project. Load it
// first: `node --import ./examples/node/local-package.mjs examples/node/hono_receiver.mjs`
// (the tests register the same hooks before importing the examples).
import { register } from 'node:module'

register('./local-package-hooks.mjs', import.meta.url)
