// ES module entry: re-exports the CommonJS module, so `import` and `require` share one
// WebhookVerificationError class (instanceof works whichever way it was loaded).
import qontoWebhooks from './index.js'

export const {
  implementation,
  Verifier,
  Incremental,
  IncrementalVerification,
  WebhookVerificationError,
  sign,
  diagnose,
  qontoWebhook,
  verifyWebRequest,
  qontoWebHandler,
  WebhookRequestError,
  decimalString,
  eventAction,
  ERROR_CODES,
  BUSINESS_HEADER,
  ONBOARDING_HEADER,
  DEFAULT_TOLERANCE,
  TOLERANCE_DISABLED,
  SCHEMES,
  MAX_SECRETS,
  MAX_HEADER_LEN,
  IdempotencyGuard,
  IdempotencyError,
  MemoryStore,
  RedisStore,
  idempotencyKey,
  DEFAULT_LEASE,
  DEFAULT_TTL,
} = qontoWebhooks

export default qontoWebhooks
