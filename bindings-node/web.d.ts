// Types of qonto-webhooks/web: the WebCrypto entry. Same names as the native entry; every method
// that computes an HMAC returns a Promise. Needs no Node.js types.

import type {
  ErrorCode,
  Scheme,
  Bytes,
  HeaderValue,
  VerifierOptions,
  VerifyOptions,
  BusinessVerified,
  OnboardingVerified,
  RequestVerified,
  BusinessEvent,
  OnboardingEvent,
  SignOptions,
} from './types.js'

export type * from './types.js'

/** A rejected webhook or secret (the web entry's own class). */
export declare class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError'
  readonly code: ErrorCode
  readonly scheme: Scheme | undefined
}

/** A Fetch `Headers` or a plain object of header values. */
export type RequestHeaders = { get(name: string): string | null } | Record<string, string | string[] | undefined>

/** Verifies Qonto webhooks on WebCrypto; the constructor checks the secrets synchronously. */
export declare class Verifier {
  constructor(secret: Bytes | Bytes[], options?: VerifierOptions)
  readonly tolerance: number | null
  verify(body: Bytes, header: HeaderValue, options?: VerifyOptions): Promise<BusinessVerified>
  verifyOnboarding(body: Bytes, header: HeaderValue): Promise<OnboardingVerified>
  /** Header and window checked now (throws synchronously); the pieces are checked by `await finish()`. */
  start(header: HeaderValue, options?: VerifyOptions): IncrementalVerification<BusinessVerified>
  startOnboarding(header: HeaderValue): IncrementalVerification<OnboardingVerified>
  constructEvent<E = BusinessEvent>(body: Bytes, header: HeaderValue, options?: VerifyOptions): Promise<E>
  constructOnboardingEvent<E = OnboardingEvent>(body: Bytes, header: HeaderValue): Promise<E>
  verifyRequest(headers: RequestHeaders, body: Bytes, options?: VerifyOptions): Promise<RequestVerified>
  constructEventFromRequest(
    headers: RequestHeaders,
    body: Bytes,
    options?: VerifyOptions,
  ): Promise<(RequestVerified & { scheme: 'business'; event: BusinessEvent }) | (RequestVerified & { scheme: 'onboarding'; event: OnboardingEvent })>
}

/** A verification in progress (web entry): WebCrypto has no incremental HMAC, so pieces are kept until `finish()`. */
export declare class IncrementalVerification<R extends BusinessVerified | OnboardingVerified> {
  private constructor()
  update(chunk: Bytes): this
  finish(): Promise<R>
}

export declare function sign(secret: Bytes, body: Bytes, options?: SignOptions): Promise<string>

export declare const ERROR_CODES: readonly ErrorCode[]
export declare const BUSINESS_HEADER: 'X-Qonto-Signature'
export declare const ONBOARDING_HEADER: 'Qonto-SHA256-Signature'
export declare const DEFAULT_TOLERANCE: number
export declare const MAX_SECRETS: number
export declare const MAX_HEADER_LEN: number

declare const qontoWebhooksWeb: {
  Verifier: typeof Verifier
  WebhookVerificationError: typeof WebhookVerificationError
  sign: typeof sign
  ERROR_CODES: typeof ERROR_CODES
  BUSINESS_HEADER: typeof BUSINESS_HEADER
  ONBOARDING_HEADER: typeof ONBOARDING_HEADER
  DEFAULT_TOLERANCE: number
  MAX_SECRETS: number
  MAX_HEADER_LEN: number
}
export default qontoWebhooksWeb
