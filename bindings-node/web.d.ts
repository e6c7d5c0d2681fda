// Types of qonto-webhooks/web: the WebCrypto entry, reachable only under this name. Every method
// that computes an HMAC returns a Promise and is named so (verifyAsync, constructEventAsync,
// finishAsync, signAsync, ...); the native entry's synchronous names are absent from these types
// (at run time they throw a TypeError at once). Needs no Node.js types.

import type {
  ErrorCode,
  Scheme,
  Schemes,
  ToleranceDisabled,
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
  VerifierSourceOf,
  WebRequestOptionsOf,
  WebHandlerOptionsOf,
  WebhookRequestError,
} from './types.js'
import type { QontoEvent, decimalString, eventAction } from './payloads.js'

export type * from './types.js'
export type * from './idempotency.js'
export type * from './payloads.js'
export { decimalString, eventAction } from './payloads.js'
export { IdempotencyGuard, IdempotencyError, MemoryStore, RedisStore, idempotencyKey, DEFAULT_LEASE, DEFAULT_TTL } from './idempotency.js'
import type {
  IdempotencyGuard,
  IdempotencyGuardOptions,
  IdempotencyError,
  MemoryStore,
  RedisStore,
  idempotencyKey,
} from './idempotency.js'

/** A rejected webhook or secret (the web entry's own class). */
export declare class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError'
  readonly code: ErrorCode
  readonly scheme: Scheme | undefined
}

/** A Fetch `Headers` or a plain object of header values. */
export type RequestHeaders = { get(name: string): string | null } | Record<string, string | string[] | undefined>

/**
 * Verifies Qonto webhooks on WebCrypto. The constructor checks the secrets and options
 * synchronously; each method copies the body and checks the header and the window at the call,
 * then resolves after the HMAC.
 */
export declare class Verifier {
  constructor(secret: Bytes | Bytes[], options?: VerifierOptions)
  /** The replay window in seconds, or 'disabled'. */
  readonly tolerance: number | ToleranceDisabled
  /** What `verifyRequestAsync` accepts: 'business' (the default), 'onboarding' or 'both'. */
  readonly schemes: Schemes
  verifyAsync(body: Bytes, header: HeaderValue, options?: VerifyOptions): Promise<BusinessVerified>
  verifyOnboardingAsync(body: Bytes, header: HeaderValue): Promise<OnboardingVerified>
  /** Header and window checked now (throws synchronously); the pieces are checked by `await finishAsync()`. */
  start(header: HeaderValue, options?: VerifyOptions): Incremental<BusinessVerified>
  startOnboarding(header: HeaderValue): Incremental<OnboardingVerified>
  /** `verifyAsync`, then `JSON.parse`: a `QontoEvent` (`E` overrides the type, unchecked). */
  constructEventAsync<E = QontoEvent>(body: Bytes, header: HeaderValue, options?: VerifyOptions): Promise<E>
  constructOnboardingEventAsync<E = OnboardingEvent>(body: Bytes, header: HeaderValue): Promise<E>
  /** Under the configured schemes (business only by default): the configuration picks the header, never the request. */
  verifyRequestAsync(headers: RequestHeaders, body: Bytes, options?: VerifyOptions): Promise<RequestVerified>
  constructEventFromRequestAsync(
    headers: RequestHeaders,
    body: Bytes,
    options?: VerifyOptions,
  ): Promise<(RequestVerified & { scheme: 'business'; event: QontoEvent }) | (RequestVerified & { scheme: 'onboarding'; event: OnboardingEvent })>
}

/** A verification in progress (web entry): WebCrypto has no incremental HMAC, so copies of the pieces are kept until `finishAsync()`. */
export declare class Incremental<R extends BusinessVerified | OnboardingVerified> {
  private constructor()
  update(chunk: Bytes): this
  finishAsync(): Promise<R>
}

/** @deprecated The former name of `Incremental` (the same class): use `Incremental`. */
export type IncrementalVerification<R extends BusinessVerified | OnboardingVerified> = Incremental<R>
/** @deprecated The former name of `Incremental` (the same class): use `Incremental`. */
export declare const IncrementalVerification: typeof Incremental

export declare function signAsync(secret: Bytes, body: Bytes, options?: SignOptions): Promise<string>

/** A Fetch `Request` verified: `constructEventFromRequestAsync`'s result (`{ scheme, secretIndex, timestamp, event }`). */
export type WebRequestVerified = Awaited<ReturnType<Verifier['constructEventFromRequestAsync']>>

/** Where the verifier comes from: a secret (and the verifier's options), or a Verifier of this entry. */
export type VerifierSource = VerifierSourceOf<Verifier>
/** The options of `verifyWebRequest`: the verifier, `limit` (bytes, default 1 MiB), `now` (unix seconds, for tests). */
export type WebRequestOptions = WebRequestOptionsOf<Verifier>
/** The options of `qontoWebHandler`: `verifyWebRequest`'s (without `now`), plus `idempotency`. */
export type WebHandlerOptions = WebHandlerOptionsOf<Verifier>
export { WebhookRequestError } from './types.js'

/** Verifies a Fetch `Request` (body read with `limit`, headers), then parses it; async, as in the main entry. */
export declare function verifyWebRequest(request: Request, options: WebRequestOptions): Promise<WebRequestVerified>

/** A Fetch handler: verifies, applies the idempotency guard, answers refusals and redeliveries as JSON, else returns `handler`'s Response. */
export declare function qontoWebHandler(
  options: WebHandlerOptions,
  handler: (event: WebRequestVerified['event'], webhook: RequestVerified, request: Request) => Response | Promise<Response>,
): (request: Request) => Promise<Response>

export declare const ERROR_CODES: readonly ErrorCode[]
export declare const BUSINESS_HEADER: 'X-Qonto-Signature'
export declare const ONBOARDING_HEADER: 'Qonto-SHA256-Signature'
export declare const DEFAULT_TOLERANCE: number
export declare const TOLERANCE_DISABLED: ToleranceDisabled
export declare const SCHEMES: readonly Schemes[]
export declare const MAX_SECRETS: number
export declare const MAX_HEADER_LEN: number

declare const qontoWebhooksWeb: {
  Verifier: typeof Verifier
  Incremental: typeof Incremental
  /** @deprecated Use `Incremental`. */
  IncrementalVerification: typeof Incremental
  WebhookVerificationError: typeof WebhookVerificationError
  signAsync: typeof signAsync
  verifyWebRequest: typeof verifyWebRequest
  qontoWebHandler: typeof qontoWebHandler
  WebhookRequestError: typeof WebhookRequestError
  decimalString: typeof decimalString
  eventAction: typeof eventAction
  ERROR_CODES: typeof ERROR_CODES
  BUSINESS_HEADER: typeof BUSINESS_HEADER
  ONBOARDING_HEADER: typeof ONBOARDING_HEADER
  DEFAULT_TOLERANCE: number
  TOLERANCE_DISABLED: typeof TOLERANCE_DISABLED
  SCHEMES: typeof SCHEMES
  MAX_SECRETS: number
  MAX_HEADER_LEN: number
  IdempotencyGuard: typeof IdempotencyGuard
  IdempotencyError: typeof IdempotencyError
  MemoryStore: typeof MemoryStore
  RedisStore: typeof RedisStore
  idempotencyKey: typeof idempotencyKey
  DEFAULT_LEASE: number
  DEFAULT_TTL: number
}
export default qontoWebhooksWeb
