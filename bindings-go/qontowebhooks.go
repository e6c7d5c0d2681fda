// Package qontowebhooks verifies Qonto webhook signatures through libqonto_webhooks, the C ABI
// of the qonto-webhooks Rust library (linked statically with cgo).
//
// Business API webhooks carry X-Qonto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">, checked against a replay window (300 s by default). Onboarding API webhooks
// carry Qonto-SHA256-Signature: <hex HMAC-SHA256 of the body>, with no timestamp and so no
// replay window: deduplicate them on the event id.
//
// The two schemes' MACs overlap (the business MAC of (t, body) is the onboarding MAC of the body
// "<t>.<body>"), so an endpoint accepts only the schemes it is configured for: business only by
// default, WithSchemes(SchemesOnboarding) or WithSchemes(SchemesBoth) otherwise. The request's
// headers never pick the scheme.
//
// Build the library first (cargo build --release -p qonto-webhooks-c); the package links
// ../target/release/libqonto_webhooks.a.
//
//	v, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
//	if err != nil { ... }
//	defer v.Close()
//	http.Handle("/webhooks", v.Middleware(handler))
//
// Every failure is an *Error whose Code is the stable code shared by every binding; compare it
// with errors.Is against the sentinels (ErrSignatureMismatch, ErrTimestampTooOld, ...).
package qontowebhooks

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: -L${SRCDIR}/../target/release -l:libqonto_webhooks.a -lpthread -ldl -lm
#include <stdlib.h>
#include <string.h>
#include "qonto_webhooks.h"

typedef struct {
  qw_status status;
  size_t secret_index;
  uint64_t timestamp;
  qw_scheme scheme;
  char *msg;  // on failure: the detailed message, malloc'ed (free it), or NULL
} go_qw_result;

// The detailed message of the failure just recorded on this thread, malloc'ed, or NULL. It is
// fetched in the same C call as the failure: the message is per thread, and a goroutine may
// change threads between two cgo calls.
static char *go_qw_message(void) {
  size_t len = qw_last_error_message(NULL, 0);
  if (len == 0) return NULL;
  char *msg = malloc(len + 1);
  if (msg != NULL) qw_last_error_message(msg, len + 1);
  return msg;
}

enum { GO_QW_BUSINESS = 0, GO_QW_ONBOARDING = 1, GO_QW_REQUEST = 2 };  // goBusiness, ...

// One verification, and its message when it fails. For GO_QW_REQUEST, header is the business
// header and header2 the onboarding one; a NULL pointer is an absent header.
static go_qw_result go_qw_verify(const qw_verifier *v, const uint8_t *body, size_t body_len,
                                 const uint8_t *header, size_t header_len,
                                 const uint8_t *header2, size_t header2_len, uint64_t now,
                                 int mode) {
  qw_verified out;
  go_qw_result r = {0, 0, 0, 0, NULL};
  switch (mode) {
    case GO_QW_ONBOARDING:
      r.status = qw_verify_onboarding(v, body, body_len, header, header_len, &out);
      break;
    case GO_QW_REQUEST:
      r.status = qw_verify_request(v, body, body_len, header, header_len, header2, header2_len,
                                   now, &out);
      break;
    default:
      r.status = qw_verify(v, body, body_len, header, header_len, now, &out);
  }
  if (r.status == QW_STATUS_OK) {
    r.secret_index = out.secret_index;
    r.timestamp = out.timestamp;
    r.scheme = out.scheme;
  } else {
    r.msg = go_qw_message();
  }
  return r;
}

// Builds and configures a verifier in one call (the configuring calls must precede sharing).
static qw_status go_qw_verifier_new(const qw_bytes *secrets, size_t n, uint64_t tolerance,
                                    int no_window, uint32_t schemes, qw_verifier **out,
                                    char *msg, size_t msg_len) {
  qw_verifier *v = NULL;
  qw_status status = qw_verifier_new(secrets, n, tolerance, &v);
  if (status == QW_STATUS_OK && no_window) status = qw_verifier_disable_tolerance(v);
  if (status == QW_STATUS_OK) status = qw_verifier_set_schemes(v, schemes);
  if (status != QW_STATUS_OK) {
    qw_last_error_message(msg, msg_len);
    qw_verifier_free(v);
    return status;
  }
  *out = v;
  return status;
}

static qw_status go_qw_sign(const uint8_t *secret, size_t secret_len, const uint8_t *body,
                            size_t body_len, uint64_t timestamp, int onboarding, uint8_t *out,
                            size_t out_cap, size_t *out_len, char *msg, size_t msg_len) {
  qw_status status =
      onboarding ? qw_sign_onboarding(secret, secret_len, body, body_len, out, out_cap, out_len)
                 : qw_sign(secret, secret_len, body, body_len, timestamp, out, out_cap, out_len);
  if (status != QW_STATUS_OK) qw_last_error_message(msg, msg_len);
  return status;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// The headers that carry the signatures.
const (
	BusinessHeader   = "X-Qonto-Signature"
	OnboardingHeader = "Qonto-SHA256-Signature"
)

// DefaultTolerance is the replay window of a new Verifier: Qonto documents 5 minutes.
const DefaultTolerance = C.QW_DEFAULT_TOLERANCE_SECS * time.Second

// MaxSecrets is the most secrets one Verifier holds.
const MaxSecrets = C.QW_MAX_SECRETS

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

func sentinel(status C.qw_status) *Error {
	return &Error{
		Code:    C.GoString(C.qw_status_code(C.uint32_t(status))),
		Message: C.GoString(C.qw_status_message(C.uint32_t(status))),
	}
}

// One sentinel per stable code, for errors.Is.
var (
	ErrInvalidSecret     = sentinel(C.QW_STATUS_INVALID_SECRET)
	ErrMissingHeader     = sentinel(C.QW_STATUS_MISSING_HEADER)
	ErrMalformedHeader   = sentinel(C.QW_STATUS_MALFORMED_HEADER)
	ErrMissingTimestamp  = sentinel(C.QW_STATUS_MISSING_TIMESTAMP)
	ErrMissingSignature  = sentinel(C.QW_STATUS_MISSING_SIGNATURE)
	ErrTimestampTooOld   = sentinel(C.QW_STATUS_TIMESTAMP_TOO_OLD)
	ErrTimestampInFuture = sentinel(C.QW_STATUS_TIMESTAMP_IN_FUTURE)
	ErrSignatureMismatch = sentinel(C.QW_STATUS_SIGNATURE_MISMATCH)
	// ErrInternal is a bug in the library (a panic caught at the C boundary): please report it.
	ErrInternal = sentinel(C.QW_STATUS_INTERNAL_ERROR)
)

// ErrClosed is returned by a Verifier used after Close.
var ErrClosed = errors.New("qontowebhooks: verifier used after Close")

// msgLen bounds the detailed messages of construction and signing (the longest is about 330
// bytes); a verification's message comes malloc'ed, whatever its length.
const msgLen = 1024

// verifyHook, when set (by tests only), runs before each C verification.
var verifyHook func()

// What go_qw_verify verifies (its GO_QW_* modes).
const (
	goBusiness   = 0 // qw_verify
	goOnboarding = 1 // qw_verify_onboarding
	goRequest    = 2 // qw_verify_request
)

func newError(status C.qw_status, msg []byte) *Error {
	e := sentinel(status)
	if n := cLen(msg); n > 0 {
		e.Message = string(msg[:n])
	}
	return e
}

func cLen(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}

// Scheme is one of Qonto's two signature schemes.
type Scheme int

const (
	// SchemeBusiness: X-Qonto-Signature: t=...,v1=..., with a replay window.
	SchemeBusiness Scheme = C.QW_SCHEME_BUSINESS
	// SchemeOnboarding: Qonto-SHA256-Signature: <hex>, no timestamp and no window.
	SchemeOnboarding Scheme = C.QW_SCHEME_ONBOARDING
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
	SchemesBusiness Schemes = C.QW_SCHEMES_BUSINESS
	// SchemesOnboarding accepts onboarding webhooks only (Qonto-SHA256-Signature).
	SchemesOnboarding Schemes = C.QW_SCHEMES_ONBOARDING
	// SchemesBoth verifies the business header when present and not blank, else the onboarding
	// one. Use a different secret for each scheme (they are separate registrations at Qonto):
	// with one secret for both, a captured business webhook replays as an onboarding one.
	SchemesBoth Schemes = C.QW_SCHEMES_BOTH
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
	ptr       *C.qw_verifier
	clock     func() time.Time
	bodyLimit int64
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
// WithoutTolerance, WithBodyLimit, WithClock).
func NewVerifierWithOptions(secrets [][]byte, opts ...Option) (*Verifier, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	raw, free := cSecrets(secrets)
	defer free()
	var ptr *C.qw_verifier
	var msg [msgLen]byte
	noWindow := C.int(0)
	if cfg.noWindow {
		noWindow = 1
	}
	status := C.go_qw_verifier_new(raw, C.size_t(len(secrets)), C.uint64_t(cfg.tolerance), noWindow,
		C.uint32_t(cfg.schemes), &ptr, (*C.char)(unsafe.Pointer(&msg[0])), msgLen)
	if status != C.QW_STATUS_OK {
		return nil, newError(status, msg[:])
	}
	v := &Verifier{ptr: ptr, clock: cfg.clock, bodyLimit: cfg.bodyLimit}
	runtime.SetFinalizer(v, (*Verifier).Close)
	return v, nil
}

func newConfig(opts []Option) (config, error) {
	cfg := config{tolerance: C.QW_DEFAULT_TOLERANCE_SECS, bodyLimit: DefaultBodyLimit, clock: time.Now}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// cSecrets copies the secrets into C memory (cgo forbids passing Go memory holding Go pointers);
// free wipes and frees it.
func cSecrets(secrets [][]byte) (raw *C.qw_bytes, free func()) {
	n := len(secrets)
	if n > MaxSecrets+1 {
		n = MaxSecrets + 1 // the library rejects the count anyway
	}
	if n == 0 {
		return nil, func() {}
	}
	raw = (*C.qw_bytes)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.qw_bytes{}))))
	entries := unsafe.Slice(raw, n)
	for i := range entries {
		if len(secrets[i]) > 0 {
			data := C.CBytes(secrets[i])
			entries[i] = C.qw_bytes{data: (*C.uint8_t)(data), len: C.size_t(len(secrets[i]))}
		}
	}
	return raw, func() {
		for _, e := range entries {
			if e.data != nil {
				C.memset(unsafe.Pointer(e.data), 0, e.len)
				C.free(unsafe.Pointer(e.data))
			}
		}
		C.free(unsafe.Pointer(raw))
	}
}

func diagnose(scheme Scheme, secrets [][]byte, body []byte, header string, cfg config) (Diagnosis, error) {
	raw, free := cSecrets(secrets)
	defer free()
	var d *C.qw_diagnosis
	status := C.qw_diagnose(raw, C.size_t(len(secrets)), C.uint32_t(scheme), stringPtr(header),
		C.size_t(len(header)), bytesPtr(body), C.size_t(len(body)), C.uint64_t(max(cfg.clock().Unix(), 0)),
		C.uint64_t(cfg.tolerance), C.bool(cfg.noWindow), &d)
	runtime.KeepAlive(body)
	runtime.KeepAlive(header)
	if status != C.QW_STATUS_OK {
		return Diagnosis{}, sentinel(status)
	}
	defer C.qw_diagnosis_free(d)
	var out Diagnosis
	var verified C.qw_verified
	if verdict := C.qw_diagnosis_result(d, &verified); verdict == C.QW_STATUS_OK {
		out.Result = toResult(verified.secret_index, verified.timestamp, verified.scheme)
	} else {
		out.Err = sentinel(verdict)
		out.Err.Message = C.GoString(C.qw_diagnosis_message(d))
	}
	out.Explained = bool(C.qw_diagnosis_explained(d))
	n := int(C.qw_diagnosis_findings_len(d))
	for i := 0; i < n; i++ {
		out.Findings = append(out.Findings, Finding{
			Mistake: C.GoString(C.qw_diagnosis_finding_mistake(d, C.size_t(i))),
			Message: C.GoString(C.qw_diagnosis_finding_message(d, C.size_t(i))),
		})
	}
	return out, nil
}

func toResult(secretIndex C.size_t, timestamp C.uint64_t, scheme C.qw_scheme) Result {
	res := Result{SecretIndex: int(secretIndex), Scheme: Scheme(scheme)}
	if res.Scheme == SchemeBusiness {
		ts := uint64(timestamp)
		if ts > math.MaxInt64 {
			ts = math.MaxInt64
		}
		res.Timestamp = time.Unix(int64(ts), 0)
	}
	return res
}

// Close frees the verifier. It is idempotent, and waits for verifications in progress.
func (v *Verifier) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ptr != nil {
		C.qw_verifier_free(v.ptr)
		v.ptr = nil
		runtime.SetFinalizer(v, nil)
	}
	return nil
}

func bytesPtr(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))) }

func stringPtr(s string) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))) }

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

// c is the header as the C ABI takes it: NULL when absent, else a non-NULL pointer (even for "").
func (h optHeader) c() (*C.uint8_t, C.size_t) {
	switch {
	case !h.present:
		return nil, 0
	case h.value == "":
		return (*C.uint8_t)(unsafe.Pointer(&emptyHeader[0])), 0
	}
	return stringPtr(h.value), C.size_t(len(h.value))
}

var emptyHeader = [1]byte{}

// verify runs one C verification (business, onboarding or request-level): the verdict and, on
// failure, the detailed message come back from the same call.
func (v *Verifier) verify(body []byte, first, second optHeader, now int64, mode int) (Result, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.ptr == nil {
		return Result{}, ErrClosed
	}
	cnow := C.uint64_t(0)
	if now > 0 {
		cnow = C.uint64_t(now)
	}
	h1, l1 := first.c()
	h2, l2 := second.c()
	if verifyHook != nil {
		verifyHook()
	}
	r := C.go_qw_verify(v.ptr, bytesPtr(body), C.size_t(len(body)), h1, l1, h2, l2, cnow, C.int(mode))
	runtime.KeepAlive(body)
	runtime.KeepAlive(first.value)
	runtime.KeepAlive(second.value)
	if r.status != C.QW_STATUS_OK {
		e := sentinel(r.status)
		if r.msg != nil {
			e.Message = C.GoString(r.msg)
			C.free(unsafe.Pointer(r.msg))
		}
		return Result{}, e
	}
	return toResult(r.secret_index, r.timestamp, r.scheme), nil
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
// body alone. There is no timestamp and so no replay window: deduplicate on the event id.
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

func sign(secret, body []byte, timestamp uint64, onboarding bool) (string, error) {
	var out [C.QW_SIGN_MAX_LEN]byte
	var n C.size_t
	var msg [msgLen]byte
	ob := C.int(0)
	if onboarding {
		ob = 1
	}
	status := C.go_qw_sign(bytesPtr(secret), C.size_t(len(secret)), bytesPtr(body),
		C.size_t(len(body)), C.uint64_t(timestamp), ob, (*C.uint8_t)(unsafe.Pointer(&out[0])),
		C.size_t(len(out)), &n, (*C.char)(unsafe.Pointer(&msg[0])), msgLen)
	if status != C.QW_STATUS_OK {
		return "", newError(status, msg[:])
	}
	return string(out[:n]), nil
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

// Version is the version of the linked libqonto_webhooks.
func Version() string { return C.GoString(C.qw_version()) }
