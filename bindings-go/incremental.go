package qontowebhooks

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"time"
)

// ErrFinished is returned by an Incremental used after Finish or Close.
var ErrFinished = errors.New("qontowebhooks: incremental verification used after Finish or Close")

// Incremental is a verification in progress, for a body read in pieces: the header (and, for a
// business webhook, the replay window) is checked when it starts, before any of the body is
// read; Write feeds the raw body (it is an io.Writer: io.Copy into it); Finish gives the
// verdict for the whole body. It holds what it needs: the Verifier may be closed meanwhile. It
// is safe for concurrent use, but the body must arrive in order.
type Incremental struct {
	mu sync.Mutex
	s  *state
}

func newIncremental(s *state) *Incremental {
	inc := &Incremental{s: s}
	runtime.SetFinalizer(inc, (*Incremental).Close)
	return inc
}

// Write feeds the next piece of the raw body. It never fails but after Finish or Close.
func (inc *Incremental) Write(p []byte) (int, error) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.s == nil {
		return 0, ErrFinished
	}
	inc.s.update(p)
	return len(p), nil
}

// Finish gives the verdict for the body written: a Result, or an *Error (ErrSignatureMismatch).
// It ends the verification, whatever it returns.
func (inc *Incremental) Finish() (Result, error) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.s == nil {
		return Result{}, ErrFinished
	}
	s := inc.s
	inc.s = nil
	runtime.SetFinalizer(inc, nil)
	return s.finish()
}

// Close abandons the verification (nothing is verified). It is idempotent, and a no-op after
// Finish.
func (inc *Incremental) Close() error {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.s != nil {
		inc.s.free()
		inc.s = nil
		runtime.SetFinalizer(inc, nil)
	}
	return nil
}

func (v *Verifier) start(first, second optHeader, now int64, mode int) (*Incremental, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.eng == nil {
		return nil, ErrClosed
	}
	s, err := v.eng.start(first, second, unixSeconds(now), mode)
	if err != nil {
		return nil, err
	}
	return newIncremental(s), nil
}

// Start starts verifying a business webhook (X-Qonto-Signature) whose body is read in pieces,
// against the verifier's clock. The header and the window are checked now: a stale or malformed
// header fails here, before the body is read.
func (v *Verifier) Start(header string) (*Incremental, error) {
	return v.start(present(header), optHeader{}, v.clock().Unix(), goBusiness)
}

// StartAt is Start at an explicit time.
func (v *Verifier) StartAt(header string, now time.Time) (*Incremental, error) {
	return v.start(present(header), optHeader{}, now.Unix(), goBusiness)
}

// StartOnboarding starts verifying an onboarding webhook (Qonto-SHA256-Signature) whose body is
// read in pieces.
func (v *Verifier) StartOnboarding(header string) (*Incremental, error) {
	return v.start(present(header), optHeader{}, 0, goOnboarding)
}

// StartHeaders starts verifying a request from the two signature header values it may carry
// (nil: absent), under the schemes this verifier accepts, as VerifyHeaders does.
func (v *Verifier) StartHeaders(business, onboarding *string) (*Incremental, error) {
	return v.start(optional(business), optional(onboarding), v.clock().Unix(), goRequest)
}

// feed copies r into inc and finishes it; a read error abandons the verification and is
// returned as is.
func feed(inc *Incremental, r io.Reader) (Result, error) {
	if _, err := io.Copy(inc, r); err != nil {
		_ = inc.Close()
		return Result{}, err
	}
	return inc.Finish()
}

// VerifyReader verifies a business webhook whose raw body is read from r (to its end), without
// holding the body in memory: the header and the window are checked before r is read. A read
// error is returned as is (not an *Error). No limit applies: bound r yourself
// (io.LimitReader, http.MaxBytesReader) when it comes from the network.
func (v *Verifier) VerifyReader(r io.Reader, header string) (Result, error) {
	inc, err := v.Start(header)
	if err != nil {
		return Result{}, err
	}
	return feed(inc, r)
}

// VerifyReaderAt is VerifyReader at an explicit time.
func (v *Verifier) VerifyReaderAt(r io.Reader, header string, now time.Time) (Result, error) {
	inc, err := v.StartAt(header, now)
	if err != nil {
		return Result{}, err
	}
	return feed(inc, r)
}

// VerifyOnboardingReader verifies an onboarding webhook whose raw body is read from r.
func (v *Verifier) VerifyOnboardingReader(r io.Reader, header string) (Result, error) {
	inc, err := v.StartOnboarding(header)
	if err != nil {
		return Result{}, err
	}
	return feed(inc, r)
}
