'use strict'
// Which implementation verifies: the native addon (the Rust core, loaded by binding.js) when it
// loads, else the pure-JS one of fallback.js on node:crypto, which offers the same private
// functions with the same results. QONTO_WEBHOOKS_IMPLEMENTATION chooses: 'js' forces the
// fallback, 'native' requires the addon (a clear error if it cannot load).

const IMPLEMENTATIONS = ['native', 'js']

/** The native addon when it loads, else the pure-JS implementation. */
function load() {
  const wanted = process.env.QONTO_WEBHOOKS_IMPLEMENTATION
  if (wanted !== undefined && wanted !== '' && !IMPLEMENTATIONS.includes(wanted)) {
    const err = new Error(
      `QONTO_WEBHOOKS_IMPLEMENTATION must be 'native' or 'js' (or unset: the native addon when it loads, else js), got ${JSON.stringify(wanted)}`,
    )
    err.code = 'ERR_QONTO_IMPLEMENTATION'
    throw err
  }
  if (wanted === 'js') return { native: require('../fallback.js'), implementation: 'js' }
  try {
    return { native: require('../binding.js'), implementation: 'native' }
  } catch (cause) {
    if (wanted === 'native') {
      const err = new Error(
        `QONTO_WEBHOOKS_IMPLEMENTATION=native, but no native addon of qonto-webhooks loads on ${process.platform}-${process.arch}: ` +
          'the platform package (e.g. qonto-webhooks-linux-x64-gnu) is an optional dependency, installed only where one is ' +
          'published for this platform and when optional dependencies are not omitted. Unset the variable to use the ' +
          "pure-JS implementation (same API and results), or install on a platform that has one. Why each candidate failed is the cause.",
      )
      err.code = 'ERR_QONTO_IMPLEMENTATION'
      // The generated loader's own summary blames npm; its cause chain holds the real reasons.
      err.cause = cause !== null && typeof cause === 'object' && cause.cause !== undefined ? cause.cause : cause
      throw err
    }
    return { native: require('../fallback.js'), implementation: 'js' }
  }
}

/** `native`: the private functions; `implementation`: 'native' or 'js'. */
module.exports = load()
