// Types of qonto-webhooks (the native entry). The native addon's own generated declarations are
// in binding.d.ts; this file describes the public API of index.js / index.mjs.

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
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

/** A rejected webhook or secret. `code` is stable; `message` says what was wrong and what to do. */
export declare class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError'
  /** The stable code, e.g. 'signature_mismatch'. */
  readonly code: ErrorCode
  /** The scheme whose check failed; undefined for `invalid_secret`. */
  readonly scheme: Scheme | undefined
}

/** Node's lower-cased IncomingHttpHeaders, a Fetch `Headers`, or any object of header values. */
export type RequestHeaders = IncomingHttpHeaders | Headers | Record<string, string | string[] | undefined>

/**
 * Verifies Qonto webhooks with one or more secrets (rotation: put the new secret first). Build it
 * once at start-up and reuse it.
 *
 * @throws WebhookVerificationError `invalid_secret` when the secret is missing or empty, or more than 8 are given.
 * @throws TypeError when a secret is not a string, Buffer or Uint8Array.
 */
export declare class Verifier {
  constructor(secret: Bytes | Bytes[], options?: VerifierOptions)
  /** The replay window in seconds, or 'disabled'. */
  readonly tolerance: number | ToleranceDisabled
  /** What `verifyRequest` accepts: 'business' (the default), 'onboarding' or 'both'. */
  readonly schemes: Schemes
  /** How many secrets this verifier holds. */
  readonly secretCount: number
  /**
   * Verifies a business webhook (`X-Qonto-Signature`). `body` must be the raw request body.
   * @throws WebhookVerificationError with the reason's code; TypeError on wrong argument types.
   */
  verify(body: Bytes, header: HeaderValue, options?: VerifyOptions): BusinessVerified
  /** Verifies an onboarding webhook (`Qonto-SHA256-Signature`): no timestamp, so no replay window. */
  verifyOnboarding(body: Bytes, header: HeaderValue): OnboardingVerified
  /**
   * Starts verifying a business webhook whose body arrives in pieces; the header and the window
   * are checked now (same errors as `verify`), the signature by `finish()`.
   */
  start(header: HeaderValue, options?: VerifyOptions): Incremental<BusinessVerified>
  /** Starts verifying an onboarding webhook whose body arrives in pieces. */
  startOnboarding(header: HeaderValue): Incremental<OnboardingVerified>
  /**
   * `verify`, then `JSON.parse` of the body (a SyntaxError if it is not JSON): a `QontoEvent`, which
   * `switch (event.type)` narrows to each topic's typed event. `E` overrides the type (unchecked).
   */
  constructEvent<E = QontoEvent>(body: Bytes, header: HeaderValue, options?: VerifyOptions): E
  /** `verifyOnboarding`, then `JSON.parse` of the body. */
  constructOnboardingEvent<E = OnboardingEvent>(body: Bytes, header: HeaderValue): E
  /**
   * Verifies a request under the schemes this verifier accepts (`options.schemes`, business only
   * by default): the configuration picks the header, never the request. With 'both', the
   * X-Qonto-Signature header wins when present. No accepted header: `missing_header`.
   */
  verifyRequest(headers: RequestHeaders, body: Bytes, options?: VerifyOptions): RequestVerified
  /** `verifyRequest`, plus the parsed body as `event`. */
  constructEventFromRequest(
    headers: RequestHeaders,
    body: Bytes,
    options?: VerifyOptions,
  ): (RequestVerified & { scheme: 'business'; event: QontoEvent }) | (RequestVerified & { scheme: 'onboarding'; event: OnboardingEvent })
}

/** Signs a body as Qonto does, for your tests: returns the header value. */
export declare function sign(secret: Bytes, body: Bytes, options?: SignOptions): string

/** A verification in progress: `update(chunk)` for each piece of the raw body, then `finish()` once. */
export declare class Incremental<R extends BusinessVerified | OnboardingVerified> {
  private constructor()
  /** Feeds the next piece of the raw body. */
  update(chunk: Bytes): this
  /** Checks the signature over everything fed. Throws WebhookVerificationError (`signature_mismatch`), or an Error with code ERR_INVALID_STATE when called twice. */
  finish(): R
}

/** @deprecated The former name of `Incremental` (the same class): use `Incremental`. */
export type IncrementalVerification<R extends BusinessVerified | OnboardingVerified> = Incremental<R>
/** @deprecated The former name of `Incremental` (the same class): use `Incremental`. */
export declare const IncrementalVerification: typeof Incremental

/** `secret`, `tolerance`, `schemes` (business only by default: mount one middleware per scheme, each with its secret), `limit`, `idempotency`. */
export interface QontoWebhookOptions extends VerifierOptions {
  /** The subscription's webhook secret(s). Required: a missing secret throws when the middleware is created. */
  secret: Bytes | Bytes[]
  /** Largest body read when no body parser ran, in bytes (default 1 MiB). */
  limit?: number
  /**
   * Handle each event once (off by default): an IdempotencyGuard, `true` for a guard over a new
   * MemoryStore (this process only), or a guard's options (`{ store: new RedisStore(client) }`).
   * A handled event's redelivery gets 200 `{ duplicate: true, id }`, one being handled 409
   * `duplicate_in_progress` with Retry-After; a store failure 503 `idempotency_store_unavailable`;
   * a body without a string `id` 400 `invalid_payload`. The claim is completed when the response
   * finishes with a 2xx, and released otherwise (so Qonto's retry is handled).
   */
  idempotency?: IdempotencyGuard | IdempotencyGuardOptions | boolean
}

/** What the middleware puts on the request. */
export interface QontoWebhookRequest {
  /** The verified, parsed event. */
  qontoEvent?: QontoEvent | OnboardingEvent
  /** Which scheme and secret matched, and the timestamp. */
  qontoWebhook?: RequestVerified
}

/**
 * Express / Connect middleware, to mount after `express.raw({ type: 'application/json' })`.
 * Sets `req.qontoEvent` and `req.qontoWebhook`, or answers 400 `{ error, message }`; with
 * `idempotency`, answers a redelivery itself (200 duplicate, 409, 503) without calling next().
 */
export declare function qontoWebhook(
  options: QontoWebhookOptions,
): (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: (err?: unknown) => void) => void

/** A Fetch `Request` verified: `constructEventFromRequest`'s result (`{ scheme, secretIndex, timestamp, event }`). */
export type WebRequestVerified = ReturnType<Verifier['constructEventFromRequest']>

/** Where an integration's verifier comes from: a secret (and the verifier's options), or a Verifier you built. */
export type VerifierSource = VerifierSourceOf<Verifier>
/** The options of `verifyWebRequest`: the verifier, `limit` (bytes, default 1 MiB), `now` (unix seconds, for tests). */
export type WebRequestOptions = WebRequestOptionsOf<Verifier>
/** The options of `qontoWebHandler`: `verifyWebRequest`'s (without `now`), plus `idempotency` (as `qontoWebhook`'s). */
export type WebHandlerOptions = WebHandlerOptionsOf<Verifier>
export { WebhookRequestError } from './types.js'

/**
 * Verifies a Fetch `Request` (Next.js App Router route handlers, Hono's `c.req.raw`, Bun, Deno):
 * reads its raw body (`limit`, default 1 MiB) and headers, verifies under the configured schemes,
 * parses. Rejects with a `WebhookVerificationError` (answer 400) or a `WebhookRequestError` (its `status`).
 */
export declare function verifyWebRequest(request: Request, options: WebRequestOptions): Promise<WebRequestVerified>

/**
 * A Fetch handler `(request) => Promise<Response>`: verifies as `verifyWebRequest`, applies the
 * idempotency guard, then returns `handler(event, webhook, request)`; refusals, redeliveries (200
 * `{ duplicate: true, id }`) and store failures are answered as JSON `{ error, message }` with the
 * contract's statuses. A 2xx from the handler completes the claim; anything else, or a throw, releases it.
 */
export declare function qontoWebHandler(
  options: WebHandlerOptions,
  handler: (event: WebRequestVerified['event'], webhook: RequestVerified, request: Request) => Response | Promise<Response>,
): (request: Request) => Promise<Response>

/** A known mistake `diagnose` can find. */
export type MistakeCode =
  | 'secret_base64'
  | 'secret_prefix'
  | 'secret_whitespace'
  | 'body_reserialized'
  | 'body_trailing_newline'
  | 'body_line_endings'
  | 'body_signed_without_timestamp'
  | 'wrong_scheme'
  | 'timestamp_milliseconds'
  | 'clock_skew'
  | 'wrong_secret'

export interface DiagnoseOptions {
  /** Which scheme the header belongs to (default 'business'). */
  scheme?: Scheme
  /** Unix seconds (default: the clock). */
  now?: number
  /** The window in seconds (default 300, also when undefined or null); 'disabled' switches it off. */
  tolerance?: number | ToleranceDisabled
}

export interface Diagnosis {
  /** Whether the webhook verifies as given. */
  ok: boolean
  secretIndex: number | null
  /** The verification's error code, when it fails. */
  code: ErrorCode | null
  message: string | null
  /** Whether a known mistake (other than a wrong secret) explains the failure. */
  explained: boolean
  /** The explanations, most specific first; empty when it verifies. */
  findings: { mistake: MistakeCode; message: string }[]
}

/**
 * When a webhook does not verify, says which known mistake explains it (secret decoded or
 * stripped, body re-serialised, newline or CRLF, the other scheme, milliseconds, clock skew,
 * wrong secret). For debugging; never reveals the secret or the expected signature.
 * @throws TypeError on wrong argument types.
 */
export declare function diagnose(
  secret: Bytes | Bytes[],
  body: Bytes,
  header: HeaderValue,
  options?: DiagnoseOptions,
): Diagnosis

/**
 * Which implementation verifies: 'native' (the Rust core, through the platform package's addon) or
 * 'js' (the pure-JS fallback on node:crypto, used where no native package matches this platform,
 * or when QONTO_WEBHOOKS_IMPLEMENTATION=js). Same API, codes and messages either way.
 */
export declare const implementation: 'native' | 'js'
export declare const ERROR_CODES: readonly ErrorCode[]
export declare const BUSINESS_HEADER: 'X-Qonto-Signature'
export declare const ONBOARDING_HEADER: 'Qonto-SHA256-Signature'
export declare const DEFAULT_TOLERANCE: number
export declare const TOLERANCE_DISABLED: ToleranceDisabled
export declare const SCHEMES: readonly Schemes[]
export declare const MAX_SECRETS: number
export declare const MAX_HEADER_LEN: number

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request extends QontoWebhookRequest {}
  }
}

declare const qontoWebhooks: {
  implementation: typeof implementation
  Verifier: typeof Verifier
  Incremental: typeof Incremental
  /** @deprecated Use `Incremental`. */
  IncrementalVerification: typeof Incremental
  WebhookVerificationError: typeof WebhookVerificationError
  sign: typeof sign
  diagnose: typeof diagnose
  qontoWebhook: typeof qontoWebhook
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
export default qontoWebhooks
