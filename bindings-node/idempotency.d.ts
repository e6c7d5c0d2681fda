// Types of the idempotency guard (idempotency.mjs / idempotency.cjs), exported by both entries:
// 'qonto-webhooks' and 'qonto-webhooks/web'. No Node.js types here.

import type { Scheme } from './types.js'

/** What a claim found: 'claimed' (handle the event), 'processing' (another delivery is handling it), 'done' (already handled). */
export type ClaimState = 'claimed' | 'processing' | 'done'

/** What a store's `claim` resolves to: a token only for 'claimed'. */
export type StoreClaim = { state: 'claimed'; token: string } | { state: 'processing' | 'done'; token: null }

/**
 * Where the guard remembers events: three atomic operations on `"<scheme>:<id>"` keys (a store may
 * add its own prefix). Durations are in seconds.
 */
export interface IdempotencyStore {
  /** If the key is absent or expired: record it as processing for `lease` seconds with a fresh token ('claimed'); else its state. */
  claim(key: string, lease: number): Promise<StoreClaim>
  /** If the key is still this token's claim: mark it done for `ttl` seconds; otherwise nothing. */
  complete(key: string, token: string, ttl: number): Promise<void>
  /** If the key is still this token's claim: delete it, so the next delivery is handled; otherwise nothing. */
  release(key: string, token: string): Promise<void>
}

/** A guard's claim of one event. */
export type Claim = { state: 'claimed'; token: string; key: string; id: string } | { state: 'processing' | 'done'; token: null; key: string; id: string }

/** The codes of IdempotencyError. */
export type IdempotencyErrorCode = 'invalid_payload' | 'idempotency_store_unavailable'

/** 'invalid_payload': the event has no non-empty string `id`; 'idempotency_store_unavailable': the store failed (its error is `cause`). */
export declare class IdempotencyError extends Error {
  readonly name: 'IdempotencyError'
  readonly code: IdempotencyErrorCode
}

export interface MemoryStoreOptions {
  /** Entries kept at most (default 100000): then the expired ones go first, then the oldest. An evicted id can be handled again. */
  maxEntries?: number
  /** The time in milliseconds (default Date.now): for tests. */
  clock?: () => number
}

/** The default store: in this process only (not shared between processes, workers or machines). */
export declare class MemoryStore implements IdempotencyStore {
  constructor(options?: MemoryStoreOptions)
  /** Entries held, expired ones included until swept. */
  readonly size: number
  readonly maxEntries: number
  claim(key: string, lease: number): Promise<StoreClaim>
  complete(key: string, token: string, ttl: number): Promise<void>
  release(key: string, token: string): Promise<void>
}

/** The parts of a node-redis v4+ client (`createClient()` of the `redis` package) that RedisStore uses. */
export interface NodeRedisClient {
  readonly isOpen: boolean
  readonly isReady: boolean
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<unknown>
  get(key: string): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** The parts of an ioredis client that RedisStore uses. */
export interface IoRedisClient {
  readonly status: string
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>
  get(key: string): Promise<unknown>
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>
}

export interface RedisStoreOptions {
  /** Put before every key (default 'qonto-webhooks:idempotency:'). */
  prefix?: string
}

/**
 * A store in Redis, shared by every process using the same server and prefix. Takes a client you
 * created and connected (node-redis v4+ or ioredis); a client that is not ready fails at once.
 */
export declare class RedisStore implements IdempotencyStore {
  constructor(client: NodeRedisClient | IoRedisClient, options?: RedisStoreOptions)
  readonly prefix: string
  claim(key: string, lease: number): Promise<StoreClaim>
  complete(key: string, token: string, ttl: number): Promise<void>
  release(key: string, token: string): Promise<void>
}

export interface IdempotencyGuardOptions {
  /** Default: a new MemoryStore. */
  store?: IdempotencyStore
  /** Seconds an event stays 'processing' after its claim (default 60); also the 409's Retry-After. */
  lease?: number
  /** Seconds an event stays 'done' after it was handled (default 7 days). */
  ttl?: number
}

/**
 * Handles each verified event once: `claim(scheme, event)` after the signature check; on
 * 'claimed', handle it, then `complete(claim)`, or `release(claim)` if handling failed.
 */
export declare class IdempotencyGuard {
  constructor(options?: IdempotencyGuardOptions)
  readonly store: IdempotencyStore
  readonly lease: number
  readonly ttl: number
  /** @throws IdempotencyError (a rejected Promise): 'invalid_payload' or 'idempotency_store_unavailable'. */
  claim(scheme: Scheme, event: unknown): Promise<Claim>
  complete(claim: Claim & { state: 'claimed' }): Promise<void>
  release(claim: Claim & { state: 'claimed' }): Promise<void>
}

/** `"<scheme>:<id>"`; throws IdempotencyError 'invalid_payload' when the event has no non-empty string `id`. */
export declare function idempotencyKey(scheme: Scheme, event: unknown): string

/** 60 (seconds). */
export declare const DEFAULT_LEASE: number
/** 604800 (7 days, in seconds). */
export declare const DEFAULT_TTL: number
