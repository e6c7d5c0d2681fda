package qontowebhooks

import (
	"bytes"
	"container/heap"
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultLease is how long a claim stays "processing" before another delivery may claim the
// event again (the handler is presumed dead): 60 s.
const DefaultLease = 60 * time.Second

// DefaultTTL is how long a completed event is remembered: 7 days, which covers Qonto's retries.
const DefaultTTL = 7 * 24 * time.Hour

// DefaultMaxEntries is how many entries a MemoryStore holds by default.
const DefaultMaxEntries = 100_000

// ClaimState is what Store.Claim found.
type ClaimState int

const (
	// Claimed: the event was not there (or its entry had expired); it is now "processing" under
	// the Claim's Token, and the caller processes it.
	Claimed ClaimState = iota + 1
	// Processing: another delivery of the event holds the claim (its lease has not expired).
	Processing
	// Done: the event was processed (its TTL has not expired).
	Done
)

// String is "claimed", "processing" or "done".
func (s ClaimState) String() string {
	switch s {
	case Claimed:
		return "claimed"
	case Processing:
		return "processing"
	case Done:
		return "done"
	}
	return fmt.Sprintf("ClaimState(%d)", int(s))
}

// Claim is the answer of Store.Claim. Token is set when State is Claimed: pass it to Complete or
// Release, which act only while the entry is still this claim.
type Claim struct {
	State ClaimState
	Token string
}

// Store remembers event keys for the idempotency guard. The three steps:
//
//   - Claim(ctx, key, lease): atomically, if key is absent or its entry expired, record it as
//     processing until now+lease with a fresh random token and return Claimed and the token;
//     otherwise Processing or Done. The first claim wins; concurrent claims lose.
//   - Complete(ctx, key, token, ttl): the handler succeeded; the entry becomes done until now+ttl,
//     only if it is still the claim with that token (otherwise nothing happens).
//   - Release(ctx, key, token): the handler failed; the entry is deleted if it is still the claim
//     with that token, so the next delivery is processed.
//
// An error means the store could not answer: the middleware then answers 503
// idempotency_store_unavailable and does not call the handler. Implementations must be safe for
// concurrent use. MemoryStore is one process's; for several processes, implement Store over a
// shared store. Over Redis (a sketch with github.com/redis/go-redis/v9, which this module does not
// depend on):
//
//	type RedisStore struct {
//		Client *redis.Client
//		Prefix string // e.g. "qonto-webhooks:idempotency:"
//	}
//
//	// Both compare the stored value with "processing:<token>" first, atomically.
//	var completeScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
//	  return redis.call("SET", KEYS[1], "done", "PX", ARGV[2]) end return 0`)
//	var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
//	  return redis.call("DEL", KEYS[1]) end return 0`)
//
//	func (s RedisStore) Claim(ctx context.Context, key string, lease time.Duration) (qontowebhooks.Claim, error) {
//		token := rand.Text() // crypto/rand
//		// SET key "processing:<token>" NX PX <lease ms>
//		ok, err := s.Client.SetNX(ctx, s.Prefix+key, "processing:"+token, lease).Result()
//		if err != nil {
//			return qontowebhooks.Claim{}, err
//		}
//		if ok {
//			return qontowebhooks.Claim{State: qontowebhooks.Claimed, Token: token}, nil
//		}
//		value, err := s.Client.Get(ctx, s.Prefix+key).Result()
//		switch {
//		case err == redis.Nil: // expired in between: Qonto retries
//			return qontowebhooks.Claim{State: qontowebhooks.Processing}, nil
//		case err != nil:
//			return qontowebhooks.Claim{}, err
//		case value == "done":
//			return qontowebhooks.Claim{State: qontowebhooks.Done}, nil
//		}
//		return qontowebhooks.Claim{State: qontowebhooks.Processing}, nil
//	}
//
//	func (s RedisStore) Complete(ctx context.Context, key, token string, ttl time.Duration) error {
//		return completeScript.Run(ctx, s.Client, []string{s.Prefix + key},
//			"processing:"+token, ttl.Milliseconds()).Err()
//	}
//
//	func (s RedisStore) Release(ctx context.Context, key, token string) error {
//		return releaseScript.Run(ctx, s.Client, []string{s.Prefix + key}, "processing:"+token).Err()
//	}
type Store interface {
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	Complete(ctx context.Context, key, token string, ttl time.Duration) error
	Release(ctx context.Context, key, token string) error
}

// newToken is a fresh random claim token (128 bits, hex).
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("qontowebhooks: no random token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// MemoryStore is a Store in this process's memory: safe for concurrent use (one lock), bounded
// (WithMaxEntries, DefaultMaxEntries by default). When it is full, a new key first makes room by
// dropping the expired entries, then the oldest ones (in the order they were claimed): an evicted
// event id can be processed again. Expiry is checked when a key is accessed or inserted. It
// forgets everything when the process stops, and is not shared between processes: use a shared
// store (see Store) when several processes receive webhooks.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[string]*memoryEntry
	order   *list.List  // keys, oldest claim first
	expiry  expiryQueue // the entries, soonest expiry first
	max     int
	now     func() time.Time
}

type memoryEntry struct {
	key     string
	token   string // "" when done
	expires time.Time
	elem    *list.Element
	index   int // in expiry
}

// expiryQueue is a min-heap of entries by expiry (container/heap).
type expiryQueue []*memoryEntry

func (q expiryQueue) Len() int           { return len(q) }
func (q expiryQueue) Less(i, j int) bool { return q[i].expires.Before(q[j].expires) }
func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *expiryQueue) Push(x any) {
	e := x.(*memoryEntry)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *expiryQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// MemoryStoreOption configures a MemoryStore.
type MemoryStoreOption func(*MemoryStore) error

// WithMaxEntries sets how many entries a MemoryStore holds (default DefaultMaxEntries).
func WithMaxEntries(n int) MemoryStoreOption {
	return func(s *MemoryStore) error {
		if n <= 0 {
			return fmt.Errorf("qontowebhooks: max entries %d is not positive", n)
		}
		s.max = n
		return nil
	}
}

// WithStoreClock sets the clock a MemoryStore's leases and TTLs run on (default time.Now; for
// tests).
func WithStoreClock(now func() time.Time) MemoryStoreOption {
	return func(s *MemoryStore) error {
		if now == nil {
			return errors.New("qontowebhooks: nil clock")
		}
		s.now = now
		return nil
	}
}

// NewMemoryStore makes an empty MemoryStore (WithMaxEntries, WithStoreClock).
func NewMemoryStore(opts ...MemoryStoreOption) (*MemoryStore, error) {
	s := &MemoryStore{entries: map[string]*memoryEntry{}, order: list.New(), max: DefaultMaxEntries,
		now: time.Now}
	for _, opt := range opts {
		if err := opt(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Len is the number of entries held, expired ones not yet dropped included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

func (s *MemoryStore) remove(e *memoryEntry) {
	delete(s.entries, e.key)
	s.order.Remove(e.elem)
	heap.Remove(&s.expiry, e.index)
}

// live is key's entry if it has not expired at now; an expired one is dropped.
func (s *MemoryStore) live(key string, now time.Time) *memoryEntry {
	e := s.entries[key]
	if e != nil && !now.Before(e.expires) {
		s.remove(e)
		return nil
	}
	return e
}

// Claim implements Store. lease must be positive.
func (s *MemoryStore) Claim(_ context.Context, key string, lease time.Duration) (Claim, error) {
	if lease <= 0 {
		return Claim{}, fmt.Errorf("qontowebhooks: lease %v is not positive", lease)
	}
	token, err := newToken()
	if err != nil {
		return Claim{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e := s.live(key, now); e != nil {
		if e.token == "" {
			return Claim{State: Done}, nil
		}
		return Claim{State: Processing}, nil
	}
	// Make room: the expired entries first, then the oldest.
	for len(s.entries) >= s.max && len(s.expiry) > 0 && !now.Before(s.expiry[0].expires) {
		s.remove(s.expiry[0])
	}
	for len(s.entries) >= s.max {
		s.remove(s.entries[s.order.Front().Value.(string)])
	}
	e := &memoryEntry{key: key, token: token, expires: now.Add(lease)}
	e.elem = s.order.PushBack(key)
	heap.Push(&s.expiry, e)
	s.entries[key] = e
	return Claim{State: Claimed, Token: token}, nil
}

// Complete implements Store. ttl must be positive.
func (s *MemoryStore) Complete(_ context.Context, key, token string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("qontowebhooks: ttl %v is not positive", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e := s.live(key, now); e != nil && token != "" && e.token == token {
		e.token = ""
		e.expires = now.Add(ttl)
		heap.Fix(&s.expiry, e.index)
	}
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.live(key, s.now()); e != nil && token != "" && e.token == token {
		s.remove(e)
	}
	return nil
}

// IdempotencyGuard runs the three steps of a Store with the guard's lease and TTL, on the keys of
// IdempotencyKey. The middleware uses one (WithIdempotency); use one by hand around your own
// processing, e.g. with a queue: Claim, enqueue, Complete after the enqueue succeeded (Release if
// it failed), and answer 2xx. It is safe for concurrent use.
type IdempotencyGuard struct {
	store Store
	lease time.Duration
	ttl   time.Duration
}

// GuardOption configures an IdempotencyGuard.
type GuardOption func(*IdempotencyGuard) error

// WithLease sets how long a claim stays processing (default DefaultLease, 60 s): longer than
// the handler takes. The middleware's 409 carries it as Retry-After (whole seconds).
func WithLease(d time.Duration) GuardOption {
	return func(g *IdempotencyGuard) error {
		if d <= 0 {
			return fmt.Errorf("qontowebhooks: lease %v is not positive", d)
		}
		g.lease = d
		return nil
	}
}

// WithTTL sets how long a processed event is remembered (default DefaultTTL, 7 days).
func WithTTL(d time.Duration) GuardOption {
	return func(g *IdempotencyGuard) error {
		if d <= 0 {
			return fmt.Errorf("qontowebhooks: ttl %v is not positive", d)
		}
		g.ttl = d
		return nil
	}
}

// NewIdempotencyGuard makes a guard over store (WithLease, WithTTL).
func NewIdempotencyGuard(store Store, opts ...GuardOption) (*IdempotencyGuard, error) {
	if store == nil {
		return nil, errors.New("qontowebhooks: nil idempotency store")
	}
	g := &IdempotencyGuard{store: store, lease: DefaultLease, ttl: DefaultTTL}
	for _, opt := range opts {
		if err := opt(g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Lease is the guard's lease.
func (g *IdempotencyGuard) Lease() time.Duration { return g.lease }

// TTL is the guard's TTL.
func (g *IdempotencyGuard) TTL() time.Duration { return g.ttl }

// Claim claims key (from IdempotencyKey) for the guard's lease.
func (g *IdempotencyGuard) Claim(ctx context.Context, key string) (Claim, error) {
	return g.store.Claim(ctx, key, g.lease)
}

// Complete marks key done for the guard's TTL, if token still holds the claim.
func (g *IdempotencyGuard) Complete(ctx context.Context, key, token string) error {
	return g.store.Complete(ctx, key, token, g.ttl)
}

// Release drops the claim on key, if token still holds it, so the next delivery is processed.
func (g *IdempotencyGuard) Release(ctx context.Context, key, token string) error {
	return g.store.Release(ctx, key, token)
}

// errNoID is the middleware's 400 invalid_payload.
var errNoID = withMessage(ErrInvalidPayload, "the event has no string `id` to deduplicate on")

// eventID is the body's top-level JSON string "id", when it is a non-empty string.
func eventID(body []byte) (string, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || dec.More() {
		return "", errNoID
	}
	raw, ok := fields["id"]
	var id string
	if !ok || len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &id) != nil || id == "" {
		return "", errNoID
	}
	return id, nil
}

// IdempotencyKey is the guard's key for a verified body: "<scheme>:<id>" ("business:..." or
// "onboarding:..."), id being the body's top-level JSON string "id" (the event's id), so the two
// schemes' ids never meet. It fails with ErrInvalidPayload (code "invalid_payload") when the body
// has no non-empty string id.
func IdempotencyKey(scheme Scheme, body []byte) (string, error) {
	if scheme != SchemeBusiness && scheme != SchemeOnboarding {
		return "", fmt.Errorf("qontowebhooks: invalid scheme %v", scheme)
	}
	id, err := eventID(body)
	if err != nil {
		return "", err
	}
	return scheme.String() + ":" + id, nil
}

// WithIdempotency makes the verifier's Middleware deduplicate verified deliveries on their
// event id (IdempotencyKey), through store (a MemoryStore, or your own Store over a shared one),
// with the guard's options (WithLease, default 60 s; WithTTL, default 7 days). After the
// signature check (an unverified body never reaches the store):
//
//   - the first delivery of an event claims it and the handler runs; a 2xx answer completes the
//     claim (the event is done for the TTL); a non-2xx answer, a failed write to the client or a
//     panic releases it (the panic goes on), so Qonto's retry is processed;
//   - a delivery of a done event gets 200 {"duplicate": true, "id": "<id>"}, handler not called;
//   - a delivery while another holds the claim gets 409 duplicate_in_progress with Retry-After
//     (the lease, in seconds), handler not called: Qonto retries it, and the event is not lost
//     if the first attempt fails;
//   - a store error gets 503 idempotency_store_unavailable, handler not called;
//   - a body with no non-empty top-level string "id" gets 400 invalid_payload, handler not called.
//
// Without it, the middleware does not deduplicate. VerifyRequest, Verify and the other calls are
// not affected.
func WithIdempotency(store Store, opts ...GuardOption) Option {
	return func(c *config) error {
		g, err := NewIdempotencyGuard(store, opts...)
		if err != nil {
			return err
		}
		c.guard = g
		return nil
	}
}
