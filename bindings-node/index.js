'use strict'
// qonto-webhooks: verify Qonto webhook signatures in Node.js.
//
// The verification itself (parsing, the replay window, the constant-time HMAC check) runs in the
// Rust core through the native addon loaded by binding.js, or, where no native package matches this
// platform (or QONTO_WEBHOOKS_IMPLEMENTATION=js), in the pure-JS implementation of fallback.js on
// node:crypto, which offers the same private functions with the same results. This file assembles
// the public API from lib/, one concern a file:
//   lib/native.js    which implementation: the addon or the fallback
//   lib/errors.js    WebhookVerificationError, ERROR_CODES, the implementation's errors converted
//   lib/args.js      the checks and conversions of arguments (bodies, headers, secrets, options)
//   lib/verifier.js  Verifier, Incremental, sign, diagnose, and their results
//   lib/express.js   the qontoWebhook middleware (Express, NestJS), over lib/receive.js and http.cjs
//   lib/fetch.js     verifyWebRequest and qontoWebHandler, for a Fetch Request (Next.js, Hono, ...)
//   (lib/fastify.js and lib/koa.js are the subpath entries qonto-webhooks/fastify and /koa)
// index.mjs re-exports this module, so CommonJS and ES modules share one WebhookVerificationError
// class.

const { implementation } = require('./lib/native.js')
const { ERROR_CODES, WebhookVerificationError } = require('./lib/errors.js')
const args = require('./lib/args.js')
const { Verifier, Incremental, sign, diagnose } = require('./lib/verifier.js')
const { qontoWebhook } = require('./lib/express.js')
const { verifyWebRequest, qontoWebHandler, WebhookRequestError } = require('./lib/fetch.js')
const idempotency = require('./idempotency.cjs')
const payloads = require('./payloads.cjs')

module.exports = {
  implementation,
  Verifier,
  Incremental,
  /** @deprecated The former name of Incremental (the same class). */
  IncrementalVerification: Incremental,
  WebhookVerificationError,
  sign,
  diagnose,
  qontoWebhook,
  verifyWebRequest,
  qontoWebHandler,
  WebhookRequestError,
  decimalString: payloads.decimalString,
  eventAction: payloads.eventAction,
  ERROR_CODES,
  BUSINESS_HEADER: args.BUSINESS_HEADER,
  ONBOARDING_HEADER: args.ONBOARDING_HEADER,
  DEFAULT_TOLERANCE: args.DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED: args.TOLERANCE_DISABLED,
  SCHEMES: args.SCHEMES,
  MAX_SECRETS: args.MAX_SECRETS,
  MAX_HEADER_LEN: args.MAX_HEADER_LEN,
  IdempotencyGuard: idempotency.IdempotencyGuard,
  IdempotencyError: idempotency.IdempotencyError,
  MemoryStore: idempotency.MemoryStore,
  RedisStore: idempotency.RedisStore,
  idempotencyKey: idempotency.idempotencyKey,
  DEFAULT_LEASE: idempotency.DEFAULT_LEASE,
  DEFAULT_TTL: idempotency.DEFAULT_TTL,
}
// `import qontoWebhooks from` in TypeScript's CommonJS output reads `.default`.
module.exports.default = module.exports
