package qontowebhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// ErrBodyTooLarge is returned (wrapped) by VerifyRequest for a body over the verifier's limit
// (WithBodyLimit; 1 MiB by default). The middleware answers it with 413 body_too_large.
var ErrBodyTooLarge = errors.New("qontowebhooks: request body too large")

// readBody reads at most limit bytes of the request body and puts an identical body back, so
// the handler can read it. A longer body is ErrBodyTooLarge (what was read is not kept).
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		_ = r.Body.Close()
		return nil, fmt.Errorf("%w: Content-Length %d is over the %d-byte limit", ErrBodyTooLarge,
			r.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	_ = r.Body.Close()
	if err == nil && int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than the %d-byte limit", ErrBodyTooLarge, limit)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

// headerValue is the request's first value of name, or absent.
func headerValue(r *http.Request, name string) optHeader {
	values := r.Header.Values(name)
	if len(values) == 0 {
		return optHeader{}
	}
	return present(values[0])
}

// VerifyRequest verifies a webhook request under the schemes this verifier accepts
// (WithSchemes; business only by default): it reads the body (at most the verifier's body
// limit, WithBodyLimit, 1 MiB by default; more is ErrBodyTooLarge), puts it back for the
// handler, and checks it against the X-Qonto-Signature and/or Qonto-SHA256-Signature header as
// configured. The request's headers never pick the scheme: a business-only verifier refuses a
// request that carries only Qonto-SHA256-Signature (ErrMissingHeader).
func (v *Verifier) VerifyRequest(r *http.Request) (Result, error) {
	result, _, err := v.verifyRequest(r)
	return result, err
}

// verifyRequest is VerifyRequest, with the body.
func (v *Verifier) verifyRequest(r *http.Request) (Result, []byte, error) {
	body, err := readBody(r, v.bodyLimit)
	if err != nil {
		return Result{}, nil, err
	}
	result, err := v.verify(body, headerValue(r, BusinessHeader), headerValue(r, OnboardingHeader),
		v.clock().Unix(), goRequest)
	return result, body, err
}

type resultKey struct{}

// ResultFromContext returns the Result the middleware stored in a verified request's context.
func ResultFromContext(ctx context.Context) (Result, bool) {
	r, ok := ctx.Value(resultKey{}).(Result)
	return r, ok
}

// reply answers {"error": code, "message": message} as JSON, as the Node middleware does.
func reply(w http.ResponseWriter, status int, code, message string) {
	text, _ := json.Marshal(struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}{code, message})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(text)
}

// replyHTTP answers one of the HTTP layer's own codes with the status contract.json gives it.
func replyHTTP(w http.ResponseWriter, code, message string) {
	status, ok := httpStatus[code]
	if !ok {
		status = http.StatusInternalServerError // a code missing from the contract: a bug
	}
	reply(w, status, code, message)
}

// Middleware passes on only webhooks whose signature verifies under the schemes this verifier
// accepts (WithSchemes; business only by default), with the body intact and the Result in the
// request's context (ResultFromContext). Otherwise the handler is not called and the answer is
// JSON {"error": <code>, "message": <what was wrong>}: 400 with the verification's code (Qonto
// retries non-2xx deliveries), 413 body_too_large for a body over the verifier's limit
// (WithBodyLimit, 1 MiB by default) or an http.MaxBytesReader limit, 400 body_unreadable when
// the body cannot be read, 503 verifier_closed after Close. With WithIdempotency, each verified
// event id reaches the handler once (see WithIdempotency for the answers to duplicates).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, body, err := v.verifyRequest(r)
		if err != nil {
			var e *Error
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &e):
				reply(w, verificationStatus, e.Code, e.Message)
			case errors.Is(err, ErrBodyTooLarge):
				replyHTTP(w, "body_too_large", fmt.Sprintf(
					"the request body is over the %d-byte limit (Qonto's events are a few KiB; "+
						"WithBodyLimit raises it)", v.bodyLimit))
			case errors.As(err, &tooLarge):
				replyHTTP(w, "body_too_large", fmt.Sprintf(
					"the request body is over the %d-byte limit of http.MaxBytesReader", tooLarge.Limit))
			case errors.Is(err, ErrClosed):
				replyHTTP(w, "verifier_closed", err.Error())
			default:
				replyHTTP(w, "body_unreadable",
					"the request body could not be read: "+err.Error())
			}
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), resultKey{}, result))
		if v.guard == nil {
			next.ServeHTTP(w, r)
			return
		}
		v.guard.serve(w, r, next, result.Scheme, body)
	})
}

// serve runs next under the guard, for a verified body.
func (g *IdempotencyGuard) serve(w http.ResponseWriter, r *http.Request, next http.Handler,
	scheme Scheme, body []byte) {
	id, err := eventID(body)
	if err != nil {
		replyHTTP(w, ErrInvalidPayload.Code, errNoID.Message)
		return
	}
	key := scheme.String() + ":" + id
	claim, err := g.Claim(r.Context(), key)
	if err != nil {
		replyHTTP(w, "idempotency_store_unavailable",
			"the idempotency store did not answer, so the event was not processed; Qonto will retry it")
		return
	}
	switch claim.State {
	case Claimed:
	case Done:
		text, _ := json.Marshal(struct {
			Duplicate bool   `json:"duplicate"`
			ID        string `json:"id"`
		}{true, id})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(text)
		return
	case Processing:
		w.Header().Set("Retry-After", strconv.FormatInt(int64((g.lease+time.Second-1)/time.Second), 10))
		replyHTTP(w, "duplicate_in_progress",
			"event "+id+" is being processed by another delivery; Qonto will retry it")
		return
	default:
		replyHTTP(w, "idempotency_store_unavailable",
			fmt.Sprintf("the idempotency store answered an unknown claim state %v", claim.State))
		return
	}
	// The claim is ours: complete it on a 2xx answer, release it otherwise. The client may be
	// gone by then: the store is still told.
	ctx := context.WithoutCancel(r.Context())
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			_ = g.Release(ctx, key, claim.Token)
			panic(p)
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK // net/http's answer to a handler that wrote nothing
		}
		if status >= 200 && status < 300 && !rec.failed {
			_ = g.Complete(ctx, key, claim.Token)
		} else {
			_ = g.Release(ctx, key, claim.Token)
		}
	}()
	next.ServeHTTP(rec, r)
}

// statusRecorder sees the status the handler answers and whether writing it failed.
type statusRecorder struct {
	http.ResponseWriter
	status int  // 0 until the handler answers
	failed bool // a write to the client failed
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	if err != nil {
		s.failed = true
	}
	return n, err
}

// Flush sends what the handler wrote so far, when the ResponseWriter can (http.Flusher).
func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap is the wrapped ResponseWriter (for http.ResponseController).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
