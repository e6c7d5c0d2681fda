'use strict'
// The error a rejected webhook (or secret) throws, and the conversion of the implementation's
// errors into it.

const { native } = require('./native.js')

/** Every stable error code, in the order of their frozen numbers (1 to 8). */
const ERROR_CODES = Object.freeze(native.errorCodes())
const CODE_SET = new Set(ERROR_CODES)

/**
 * A rejected webhook, or a rejected secret. `code` is one of ERROR_CODES, the same string in every
 * binding of this library; `message` says what was wrong and what to do. Neither ever contains
 * the secret or the expected signature.
 */
class WebhookVerificationError extends Error {
  constructor(code, message, scheme) {
    super(message)
    this.name = 'WebhookVerificationError'
    /** The stable code, e.g. 'signature_mismatch'. */
    this.code = code
    /** 'business' or 'onboarding': the scheme whose check failed (undefined for a secret). */
    this.scheme = scheme
  }
}

/** An error the implementation threw: a WebhookVerificationError for a code, a TypeError for a wrong argument. */
function convert(err, scheme) {
  if (err !== null && typeof err === 'object' && CODE_SET.has(err.code)) {
    return new WebhookVerificationError(err.code, err.message, err.code === 'invalid_secret' ? undefined : scheme)
  }
  if (err !== null && typeof err === 'object' && err.code === 'InvalidArg') {
    return new TypeError(err.message)
  }
  return err
}

module.exports = { ERROR_CODES, WebhookVerificationError, convert }
