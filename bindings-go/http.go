package qontowebhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	body, err := readBody(r, v.bodyLimit)
	if err != nil {
		return Result{}, err
	}
	return v.verify(body, headerValue(r, BusinessHeader), headerValue(r, OnboardingHeader),
		v.clock().Unix(), goRequest)
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

// Middleware passes on only webhooks whose signature verifies under the schemes this verifier
// accepts (WithSchemes; business only by default), with the body intact and the Result in the
// request's context (ResultFromContext). Otherwise the handler is not called and the answer is
// JSON {"error": <code>, "message": <what was wrong>}: 400 with the verification's code (Qonto
// retries non-2xx deliveries), 413 body_too_large for a body over the verifier's limit
// (WithBodyLimit, 1 MiB by default) or an http.MaxBytesReader limit, 400 body_unreadable when
// the body cannot be read, 503 verifier_closed after Close.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, err := v.VerifyRequest(r)
		if err != nil {
			var e *Error
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &e):
				reply(w, http.StatusBadRequest, e.Code, e.Message)
			case errors.Is(err, ErrBodyTooLarge):
				reply(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf(
					"the request body is over the %d-byte limit (Qonto's events are a few KiB; "+
						"WithBodyLimit raises it)", v.bodyLimit))
			case errors.As(err, &tooLarge):
				reply(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf(
					"the request body is over the %d-byte limit of http.MaxBytesReader", tooLarge.Limit))
			case errors.Is(err, ErrClosed):
				reply(w, http.StatusServiceUnavailable, "verifier_closed", err.Error())
			default:
				reply(w, http.StatusBadRequest, "body_unreadable",
					"the request body could not be read: "+err.Error())
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), resultKey{}, result)))
	})
}
