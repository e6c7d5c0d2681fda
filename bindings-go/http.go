package qontowebhooks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
)

// readBody reads the request body and puts an identical one back, so the handler can read it.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

// VerifyRequest verifies a business webhook request: it reads the body (and puts it back for
// the handler) and checks it against the X-Qonto-Signature header. Limit the body size
// upstream (http.MaxBytesReader) if the endpoint is public.
func (v *Verifier) VerifyRequest(r *http.Request) (Result, error) {
	body, err := readBody(r)
	if err != nil {
		return Result{}, err
	}
	return v.Verify(body, r.Header.Get(BusinessHeader))
}

// VerifyOnboardingRequest is VerifyRequest for onboarding webhooks (Qonto-SHA256-Signature).
func (v *Verifier) VerifyOnboardingRequest(r *http.Request) (Result, error) {
	body, err := readBody(r)
	if err != nil {
		return Result{}, err
	}
	return v.VerifyOnboarding(body, r.Header.Get(OnboardingHeader))
}

type resultKey struct{}

// ResultFromContext returns the Result the middleware stored in a verified request's context.
func ResultFromContext(ctx context.Context) (Result, bool) {
	r, ok := ctx.Value(resultKey{}).(Result)
	return r, ok
}

// Middleware passes on only business webhooks whose signature verifies, with the body intact
// and the Result in the request's context (ResultFromContext). A rejected webhook gets
// 400 Bad Request with the error's code as the body (Qonto retries non-2xx deliveries); a body
// over an http.MaxBytesReader limit gets 413, a closed verifier 503.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return v.middleware(next, v.VerifyRequest)
}

// OnboardingMiddleware is Middleware for onboarding webhooks.
func (v *Verifier) OnboardingMiddleware(next http.Handler) http.Handler {
	return v.middleware(next, v.VerifyOnboardingRequest)
}

func (v *Verifier) middleware(next http.Handler, verify func(*http.Request) (Result, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, err := verify(r)
		if err != nil {
			var e *Error
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &e):
				http.Error(w, e.Code, http.StatusBadRequest)
			case errors.As(err, &tooLarge):
				http.Error(w, "body_too_large", http.StatusRequestEntityTooLarge)
			case errors.Is(err, ErrClosed):
				http.Error(w, "verifier_closed", http.StatusServiceUnavailable)
			default:
				http.Error(w, "unreadable_body", http.StatusBadRequest)
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), resultKey{}, result)))
	})
}
