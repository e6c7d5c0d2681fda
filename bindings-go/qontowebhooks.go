// Package qontowebhooks verifies Qonto webhook signatures. With cgo, on a platform whose
// prebuilt libqonto_webhooks.a the module carries (linux/amd64), it calls the qonto-webhooks
// Rust library through its C ABI (Implementation is "native"); otherwise (CGO_ENABLED=0, or
// another platform) it runs a pure-Go implementation of the same contract on crypto/hmac,
// crypto/sha256 and crypto/subtle (Implementation is "go"). Both give the same results, codes
// and messages: the shared test vectors run against each.
//
// Business API webhooks carry X-Qonto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">, checked against a replay window (300 s by default). Onboarding API webhooks
// carry Qonto-SHA256-Signature: <hex HMAC-SHA256 of the body>, with no timestamp and so no
// replay window: deduplicate them on the event id (WithIdempotency does it in the middleware).
//
// The two schemes' MACs overlap (the business MAC of (t, body) is the onboarding MAC of the body
// "<t>.<body>"), so an endpoint accepts only the schemes it is configured for: business only by
// default, WithSchemes(SchemesOnboarding) or WithSchemes(SchemesBoth) otherwise. The request's
// headers never pick the scheme.
//
//	v, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
//	if err != nil { ... }
//	defer v.Close()
//	http.Handle("/webhooks", v.Middleware(handler))
//
// Qonto retries a delivery until it gets a 2xx, so one event can arrive more than once:
// WithIdempotency makes the middleware let each event id through once, after the signature check
// (a MemoryStore, or your own Store over a shared one such as Redis):
//
//	store, err := qontowebhooks.NewMemoryStore()
//	v, err := qontowebhooks.NewVerifierWithOptions(secrets, qontowebhooks.WithIdempotency(store))
//
// Every failure is an *Error whose Code is the stable code shared by every binding; compare it
// with errors.Is against the sentinels (ErrSignatureMismatch, ErrTimestampTooOld, ...).
package qontowebhooks

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// DefaultTolerance is the replay window of a new Verifier: Qonto documents 5 minutes.
const DefaultTolerance = defaultToleranceSecs * time.Second

// Error is why a webhook (or a secret) was rejected. Code is the stable code, the same string in
// every binding ("signature_mismatch", ...); Message says what was wrong and what to do, and
// never contains a secret or an expected signature.
//
// errors.Is(err, ErrSignatureMismatch) compares codes, so it holds for every *Error with that
// code, whatever its message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "qontowebhooks: " + e.Message }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func sentinel(code, message string) *Error { return &Error{Code: code, Message: message} }

// contractSentinel is the sentinel of one of the contract's codes, with the core's description
// (contract.go, generated from contract.json).
func contractSentinel(code string) *Error {
	for _, e := range contractErrors {
		if e.code == code {
			return sentinel(e.code, e.description)
		}
	}
	panic("qontowebhooks: " + code + " is not a code of contract.json")
}

// One sentinel per stable code, for errors.Is. Their messages are the core's descriptions.
var (
	ErrInvalidSecret     = contractSentinel("invalid_secret")
	ErrMissingHeader     = contractSentinel("missing_header")
	ErrMalformedHeader   = contractSentinel("malformed_header")
	ErrMissingTimestamp  = contractSentinel("missing_timestamp")
	ErrMissingSignature  = contractSentinel("missing_signature")
	ErrTimestampTooOld   = contractSentinel("timestamp_too_old")
	ErrTimestampInFuture = contractSentinel("timestamp_in_future")
	ErrSignatureMismatch = contractSentinel("signature_mismatch")
	// ErrInternal is a bug in the library (a panic caught at the C boundary): please report it.
	ErrInternal = sentinel("internal_error", "internal error: a panic was caught at the C boundary (a bug in qonto-webhooks)")
)

// withMessage is a copy of the sentinel with a detailed message.
func withMessage(sentinel *Error, message string) *Error {
	return &Error{Code: sentinel.Code, Message: message}
}

// ErrClosed is returned by a Verifier used after Close.
var ErrClosed = errors.New("qontowebhooks: verifier used after Close")

// verifyHook, when set (by tests only), runs before each verification.
var verifyHook func()

// What a verification verifies.
const (
	goBusiness   = 0 // the business scheme, X-Qonto-Signature
	goOnboarding = 1 // the onboarding scheme, Qonto-SHA256-Signature
	goRequest    = 2 // the request's headers, under the verifier's schemes
)

// Scheme is one of Qonto's two signature schemes.
type Scheme int

const (
	// SchemeBusiness: X-Qonto-Signature: t=...,v1=..., with a replay window.
	SchemeBusiness Scheme = 0
	// SchemeOnboarding: Qonto-SHA256-Signature: <hex>, no timestamp and no window.
	SchemeOnboarding Scheme = 1
)

// String is "business" or "onboarding".
func (s Scheme) String() string {
	switch s {
	case SchemeBusiness:
		return "business"
	case SchemeOnboarding:
		return "onboarding"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// Schemes is what an endpoint accepts in VerifyRequest and Middleware (WithSchemes). The zero
// value, SchemesBusiness, is the default.
type Schemes int

const (
	// SchemesBusiness accepts business webhooks only (X-Qonto-Signature). The default.
	SchemesBusiness Schemes = 0
	// SchemesOnboarding accepts onboarding webhooks only (Qonto-SHA256-Signature).
	SchemesOnboarding Schemes = 1
	// SchemesBoth verifies the business header when present and not blank, else the onboarding
	// one. Use a different secret for each scheme (they are separate registrations at Qonto):
	// with one secret for both, a captured business webhook replays as an onboarding one.
	SchemesBoth Schemes = 2
)

// String is "business", "onboarding" or "both": the spelling every binding takes.
func (s Schemes) String() string {
	switch s {
	case SchemesBusiness:
		return "business"
	case SchemesOnboarding:
		return "onboarding"
	case SchemesBoth:
		return "both"
	}
	return fmt.Sprintf("Schemes(%d)", int(s))
}

// ParseSchemes reads "business", "onboarding" or "both" (exactly; e.g. from configuration).
func ParseSchemes(name string) (Schemes, error) {
	for _, s := range []Schemes{SchemesBusiness, SchemesOnboarding, SchemesBoth} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("qontowebhooks: unknown schemes %q: use \"business\", \"onboarding\" or \"both\"", name)
}

// Result is a successful verification.
type Result struct {
	// SecretIndex is the index of the first secret, in the order given, that matches.
	SecretIndex int
	// Timestamp is the header's t for a business webhook; the zero Time for onboarding.
	Timestamp time.Time
	// Scheme is the scheme the webhook was verified under.
	Scheme Scheme
}

// Option configures a Verifier.
type Option func(*config) error

type config struct {
	tolerance uint64 // seconds, when window
	noWindow  bool   // WithoutTolerance
	schemes   Schemes
	bodyLimit int64
	clock     func() time.Time
	guard     *IdempotencyGuard
}

// DefaultBodyLimit is the largest body VerifyRequest and Middleware read by default (1 MiB;
// Qonto's events are a few KiB).
const DefaultBodyLimit = 1 << 20

// WithTolerance sets the replay window (whole seconds; default 300 s). 0 is a strict window.
func WithTolerance(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("qontowebhooks: negative tolerance %v", d)
		}
		c.tolerance = uint64(d / time.Second)
		c.noWindow = false
		return nil
	}
}

// WithoutTolerance disables the replay window: only for re-verifying archived events (a live
// endpoint without a window accepts replays forever). No WithTolerance value does this.
func WithoutTolerance() Option {
	return func(c *config) error {
		c.noWindow = true
		return nil
	}
}

// WithSchemes sets the schemes VerifyRequest and Middleware accept (default SchemesBusiness).
// The explicit Verify and VerifyOnboarding calls are not affected: the caller names the scheme.
func WithSchemes(s Schemes) Option {
	return func(c *config) error {
		if _, err := ParseSchemes(s.String()); err != nil {
			return fmt.Errorf("qontowebhooks: invalid schemes %v", s)
		}
		c.schemes = s
		return nil
	}
}

// WithBodyLimit sets the largest body VerifyRequest and Middleware read, in bytes (default
// DefaultBodyLimit, 1 MiB); a larger one is ErrBodyTooLarge, answered 413 by the middleware.
func WithBodyLimit(bytes int64) Option {
	return func(c *config) error {
		if bytes <= 0 {
			return fmt.Errorf("qontowebhooks: body limit %d is not positive", bytes)
		}
		c.bodyLimit = bytes
		return nil
	}
}

// WithClock sets the clock business webhooks are checked against (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("qontowebhooks: nil clock")
		}
		c.clock = now
		return nil
	}
}

// Verifier verifies Qonto webhooks with one or more secrets. It is safe for concurrent use:
// build one at start-up and share it. Close frees it (a finalizer does it otherwise).
type Verifier struct {
	mu        sync.RWMutex
	eng       *engine // nil after Close
	clock     func() time.Time
	bodyLimit int64
	guard     *IdempotencyGuard // nil: no idempotency guard (WithIdempotency)
}

// NewVerifier makes a Verifier for one or more secrets (rotation: tried in order, the result
// says which matched) with the default 300-second window and the system clock. Each secret is
// used byte for byte: a whsec_... secret is passed whole, not base64-decoded.
//
// It fails with ErrInvalidSecret when there is no secret, one is empty, or there are more than
// MaxSecrets.
func NewVerifier(secrets ...[]byte) (*Verifier, error) {
	return NewVerifierWithOptions(secrets)
}

// NewVerifierWithOptions is NewVerifier with options (WithSchemes, WithTolerance,
// WithoutTolerance, WithBodyLimit, WithClock, WithIdempotency).
func NewVerifierWithOptions(secrets [][]byte, opts ...Option) (*Verifier, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	eng, err := newEngine(secrets, cfg)
	if err != nil {
		return nil, err
	}
	v := &Verifier{eng: eng, clock: cfg.clock, bodyLimit: cfg.bodyLimit, guard: cfg.guard}
	runtime.SetFinalizer(v, (*Verifier).Close)
	return v, nil
}

func newConfig(opts []Option) (config, error) {
	cfg := config{tolerance: defaultToleranceSecs, bodyLimit: DefaultBodyLimit, clock: time.Now}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Close frees the verifier. It is idempotent, and waits for verifications in progress.
func (v *Verifier) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.eng != nil {
		v.eng.free()
		v.eng = nil
		runtime.SetFinalizer(v, nil)
	}
	return nil
}

// optHeader is a header value that may be absent.
type optHeader struct {
	value   string
	present bool
}

func present(value string) optHeader { return optHeader{value, true} }

func optional(h *string) optHeader {
	if h == nil {
		return optHeader{}
	}
	return present(*h)
}

// verify runs one verification (business, onboarding or request-level).
func (v *Verifier) verify(body []byte, first, second optHeader, now int64, mode int) (Result, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.eng == nil {
		return Result{}, ErrClosed
	}
	if verifyHook != nil {
		verifyHook()
	}
	return v.eng.verify(body, first, second, unixSeconds(now), mode)
}

// unixSeconds is now as the core takes it: negative times are 0.
func unixSeconds(now int64) uint64 {
	if now < 0 {
		return 0
	}
	return uint64(now)
}

// timestampTime is a header's t as a time (t above the largest time.Unix takes is clamped).
func timestampTime(t uint64) time.Time {
	if t > 1<<63-1 {
		t = 1<<63 - 1
	}
	return time.Unix(int64(t), 0)
}

// Verify verifies a business webhook (X-Qonto-Signature) against the verifier's clock. body is
// the raw request body, byte for byte as received: parsing the JSON and serialising it again
// breaks the signature.
func (v *Verifier) Verify(body []byte, header string) (Result, error) {
	return v.verify(body, present(header), optHeader{}, v.clock().Unix(), goBusiness)
}

// VerifyAt is Verify at an explicit time.
func (v *Verifier) VerifyAt(body []byte, header string, now time.Time) (Result, error) {
	return v.verify(body, present(header), optHeader{}, now.Unix(), goBusiness)
}

// VerifyOnboarding verifies an onboarding webhook (Qonto-SHA256-Signature): the HMAC of the
// body alone. There is no timestamp and so no replay window: deduplicate on the event id
// (WithIdempotency, IdempotencyGuard).
func (v *Verifier) VerifyOnboarding(body []byte, header string) (Result, error) {
	return v.verify(body, present(header), optHeader{}, 0, goOnboarding)
}

// VerifyHeaders verifies a request from the two signature header values it may carry (nil:
// absent), under the schemes this verifier accepts (WithSchemes; business only by default): the
// configuration picks the header, never the request. It fails with ErrMissingHeader when no
// accepted header is present, whose message says when the other scheme's header is there
// instead. VerifyRequest and Middleware call it.
func (v *Verifier) VerifyHeaders(body []byte, business, onboarding *string) (Result, error) {
	return v.verify(body, optional(business), optional(onboarding), v.clock().Unix(), goRequest)
}

// Sign returns the X-Qonto-Signature value Qonto would send for body at timestamp (for tests
// and fixtures).
func Sign(secret, body []byte, timestamp time.Time) (string, error) {
	t := timestamp.Unix()
	if t < 0 {
		return "", fmt.Errorf("qontowebhooks: timestamp %v is before 1970", timestamp)
	}
	return sign(secret, body, uint64(t), false)
}

// SignOnboarding returns the Qonto-SHA256-Signature value for body.
func SignOnboarding(secret, body []byte) (string, error) {
	return sign(secret, body, 0, true)
}

// Finding is one known mistake that explains a failed verification (Diagnose).
type Finding struct {
	// Mistake is the stable code: "secret_base64", "body_reserialized", ..., "wrong_secret".
	Mistake string
	// Message says what was found and how to fix it (never the secret or the expected signature).
	Message string
}

// Diagnosis is what Diagnose says: the verdict for the input as given and, when it fails, the
// known mistakes that explain it.
type Diagnosis struct {
	// Err is the verdict's error (an *Error matching a sentinel); nil when it verifies.
	Err *Error
	// Result is the verification when Err is nil.
	Result Result
	// Explained says whether a known mistake (other than "wrong_secret") explains the failure.
	Explained bool
	// Findings are the explanations, most specific first; empty when it verifies.
	Findings []Finding
}

// Diagnose says which known mistake explains why a webhook does not verify: it re-runs the
// verification under the mistakes developers are known to make (a secret base64-decoded or
// stripped of its whsec_ prefix, a re-serialised body, a trailing newline, the other scheme's
// header, a timestamp in milliseconds, a skewed clock, ...), with the same findings and codes as
// the CLI's diagnose and every other binding. For debugging an integration, not for the request
// path. The options that apply are WithTolerance, WithoutTolerance and WithClock.
//
// A failed verdict (an empty secret included) is in the Diagnosis; the error is for bad options
// only.
func Diagnose(scheme Scheme, secrets [][]byte, body []byte, header string, opts ...Option) (Diagnosis, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return Diagnosis{}, err
	}
	if scheme != SchemeBusiness && scheme != SchemeOnboarding {
		return Diagnosis{}, fmt.Errorf("qontowebhooks: invalid scheme %v", scheme)
	}
	return diagnose(scheme, secrets, body, header, cfg)
}

// Version is the version of the qonto-webhooks library this package implements (the linked
// libqonto_webhooks for the native implementation).
func Version() string { return version() }
