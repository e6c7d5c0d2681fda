// Types shared by the native entry (index.d.ts) and the WebCrypto entry (web.d.ts). No Node.js
// types here, so edge projects without @types/node can use them.

import type { IdempotencyGuard, IdempotencyGuardOptions } from './idempotency.js'

/** The stable error codes, the same strings in every binding of this library. */
export type ErrorCode =
  | 'invalid_secret'
  | 'missing_header'
  | 'malformed_header'
  | 'missing_timestamp'
  | 'missing_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'signature_mismatch'

/** Qonto's two signature schemes. */
export type Scheme = 'business' | 'onboarding'

/**
 * Which webhooks an endpoint accepts in `verifyRequest` and the middleware: `'business'` (the
 * default), `'onboarding'`, or `'both'` (the business header wins when present). The request
 * never picks the scheme: a business webhook's signature is also the onboarding signature of the
 * body `t.body`, so an endpoint that took either could be fed a stale business webhook as an
 * onboarding one. Give each scheme its own endpoint and secret.
 */
export type Schemes = 'business' | 'onboarding' | 'both'

/** The one `tolerance` value that switches the replay window off. */
export type ToleranceDisabled = 'disabled'

/** Bytes as received: a Buffer, any typed array or DataView, an ArrayBuffer, or a string (its UTF-8 bytes). */
export type Bytes = string | Uint8Array | ArrayBufferView | ArrayBuffer

/** A header as `req.headers[...]` gives it; an array (a repeated header) is joined with ",". */
export type HeaderValue = string | string[] | undefined | null

export interface VerifierOptions {
  /**
   * The replay window in seconds (default 300, also when undefined). `'disabled'` switches it off:
   * only for re-verifying archived events. A negative number is a RangeError.
   */
  tolerance?: number | ToleranceDisabled
  /** Which webhooks `verifyRequest` (and the middleware) accept: 'business' by default. */
  schemes?: Schemes
}

export interface VerifyOptions {
  /** The current time in unix seconds; defaults to the system clock. */
  now?: number
}

export interface Verified {
  /** Index of the first secret, in the order given, that matched. */
  secretIndex: number
  /** The header's `t` in unix seconds; null for onboarding webhooks (they carry no timestamp). */
  timestamp: number | null
}

export interface BusinessVerified extends Verified {
  timestamp: number
}

export interface OnboardingVerified extends Verified {
  timestamp: null
}

export type RequestVerified = ({ scheme: 'business' } & BusinessVerified) | ({ scheme: 'onboarding' } & OnboardingVerified)

/** The 12 business topics Qonto lists; unknown topics still type-check as strings. */
export type KnownTopic =
  | 'v1/transactions'
  | 'v1/accounts'
  | 'v1/organizations'
  | 'v1/memberships'
  | 'v1/consent-revocations'
  | 'v1/cards'
  | 'v1/payment-links'
  | 'v1/payment-links-connections'
  | 'v1/beneficiaries'
  | 'v1/client-invoices'
  | 'v1/terminal-payments'
  | 'v1/clients'
export type Topic = KnownTopic | (string & {})

/** A business webhook (`v1/...` topics). Fields beyond these pass through untouched. */
export interface BusinessEvent<D extends Record<string, unknown> = Record<string, unknown>> {
  /** Event id (UUID): deduplicate on it. */
  id: string
  subscription_id: string
  organization_id: string
  membership_id: string
  /** The topic, e.g. 'v1/transactions'. */
  type: Topic
  /** RFC 3339 date-time. */
  created_at: string
  /** The payload; `data.event` names the event (e.g. 'created' or 'transactions.created'), absent for some topics. */
  data: { event?: string } & D
  [field: string]: unknown
}

/** Onboarding event names Qonto documents; unknown names still type-check as strings. */
export type KnownOnboardingEventType =
  | 'registrations.pending'
  | 'registrations.user_started'
  | 'registrations.contract_signed'
  | 'registrations.completed'
  | 'organizations.deleted'
  | 'registrations.submitted'
  | 'registrations.capital_deposit_activated'
  | 'registrations.capital_deposit_request_signed'
  | 'registrations.capital_deposit_certificate_signed'
  | 'registrations.capital_deposit_statement_ready'
export type OnboardingEventType = KnownOnboardingEventType | (string & {})

/** An onboarding webhook: flat; fetch the registration yourself. */
export interface OnboardingEvent {
  id: string
  event_type: OnboardingEventType
  resource_type: string
  resource_id: string
  created_at: string
  [field: string]: unknown
}

/**
 * Where a Fetch integration's verifier comes from: a secret (and the verifier's options), or a
 * `Verifier` you built (`V`: the entry's own class; each entry exports this as `VerifierSource`).
 */
export type VerifierSourceOf<V> =
  | ({ secret: Bytes | Bytes[]; verifier?: undefined } & VerifierOptions)
  | { verifier: V; secret?: undefined; tolerance?: undefined; schemes?: undefined }

/** `verifyWebRequest`'s options (each entry's `WebRequestOptions`): `limit` in bytes (default 1 MiB), `now` in unix seconds (tests). */
export type WebRequestOptionsOf<V> = VerifierSourceOf<V> & { limit?: number; now?: number }

/** `qontoWebHandler`'s options (each entry's `WebHandlerOptions`): `verifyWebRequest`'s without `now`, plus `idempotency`. */
export type WebHandlerOptionsOf<V> = VerifierSourceOf<V> & {
  limit?: number
  idempotency?: IdempotencyGuard | IdempotencyGuardOptions | boolean
}

/** The HTTP layer's own refusal codes (the contract's `http.codes` that a request can get). */
export type WebhookRequestErrorCode = 'body_too_large' | 'body_unreadable' | 'body_already_parsed' | 'invalid_payload'

/** A request refused by the HTTP layer (not by the signature check): `status` is the answer's (413 for `body_too_large`, else 400). */
export declare class WebhookRequestError extends Error {
  readonly name: 'WebhookRequestError'
  readonly code: WebhookRequestErrorCode
  readonly status: number
}

export interface SignOptions {
  /** Unix seconds for `t` (business scheme); defaults to now. */
  timestamp?: number
  /** Default 'business' (the X-Qonto-Signature value); 'onboarding' gives the Qonto-SHA256-Signature value. */
  scheme?: Scheme
}

