// The private module index.js verifies with, under the implementation this run asked for
// (QONTO_WEBHOOKS_IMPLEMENTATION; test.sh runs the suite once with 'native', once with 'js'): the
// native addon (binding.js) or the pure-JS fallback (fallback.js), which offer the same functions.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export const IMPLEMENTATION = process.env.QONTO_WEBHOOKS_IMPLEMENTATION === 'js' ? 'js' : 'native'
export const engine = require(IMPLEMENTATION === 'js' ? '../fallback.js' : '../binding.js')

/**
 * `skip` for a test that does not depend on the implementation (the type declarations, the
 * packaging, which installs both itself): run once, in the native run; a reason in the other.
 */
export const ONCE =
  IMPLEMENTATION === 'js' ? 'independent of the implementation (types, packaging): run once, in the native run' : false

/** `skip` for a test of the native addon itself: a reason under the fallback, false otherwise. */
export const NATIVE_ONLY =
  IMPLEMENTATION === 'js' ? 'tests the native addon itself (src/fast.rs, handles); this run is the pure-JS fallback' : false
