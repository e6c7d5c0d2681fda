package qontowebhooks_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"
)

// The root README's Go block, as shown there (between the snippet comments; .ci/snippets.py
// copies it into the README and fails when the README differs).

// snippet:start readme
import qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go" // native on linux/amd64 with cgo, pure Go elsewhere
// snippet:end readme

func Example_readme() {
	secret := "whsec_readme_example"
	os.Setenv("QONTO_WEBHOOK_SECRET", secret)
	defer os.Unsetenv("QONTO_WEBHOOK_SECRET")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("handler: a verified webhook")
	})
	body := []byte(`{"id":"evt-1","type":"v1/transactions"}`)
	stale, _ := qontowebhooks.Sign([]byte(secret), body, time.Now().Add(-10*time.Minute))
	r := httptest.NewRequest(http.MethodPost, "/webhooks/qonto", bytes.NewReader(body))
	r.Header.Set(qontowebhooks.BusinessHeader, stale)

	// snippet:start readme

	verifier, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
	if err != nil {
		log.Fatal(err) // errors.Is(err, qontowebhooks.ErrInvalidSecret)
	}
	defer verifier.Close()
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/qonto", verifier.Middleware(handler)) // 400 {"error","message"} unless it verifies

	// or by hand, with the raw body:
	result, err := verifier.Verify(body, r.Header.Get(qontowebhooks.BusinessHeader))
	switch {
	case errors.Is(err, qontowebhooks.ErrTimestampTooOld): // a replay, or a wrong clock
		fmt.Println("refused: too old")
	case err != nil:
		fmt.Println("refused:", err)
	default:
		fmt.Println("verified with secret", result.SecretIndex)
	}
	// snippet:end readme

	fresh, _ := qontowebhooks.Sign([]byte(secret), body, time.Now())
	for _, header := range []string{stale, fresh} { // through the mux: refused, then handled
		req := httptest.NewRequest(http.MethodPost, "/webhooks/qonto", bytes.NewReader(body))
		req.Header.Set(qontowebhooks.BusinessHeader, header)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// refused: too old
	// 400
	// handler: a verified webhook
	// 200
}

// bindings-go/README.md's usage block, as shown there (between the snippet comments): the
// middleware on both endpoints, and Verify by hand.
func Example_usage() {
	secret, onboardingSecret := "whsec_usage_example", "onboarding_usage_example"
	os.Setenv("QONTO_WEBHOOK_SECRET", secret)
	defer os.Unsetenv("QONTO_WEBHOOK_SECRET")
	os.Setenv("QONTO_ONBOARDING_SECRET", onboardingSecret)
	defer os.Unsetenv("QONTO_ONBOARDING_SECRET")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, _ := qontowebhooks.ResultFromContext(r.Context())
		fmt.Println("handler:", result.Scheme, r.URL.Path)
	})
	body := []byte(`{"id":"evt-1","type":"v1/transactions"}`)
	businessSig, _ := qontowebhooks.Sign([]byte(secret), body, time.Now())
	onboardingSig, _ := qontowebhooks.SignOnboarding([]byte(onboardingSecret), body)
	r := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
	r.Header.Set(qontowebhooks.BusinessHeader, businessSig)

	// snippet:start usage
	verifier, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
	if err != nil {
		log.Fatal(err) // errors.Is(err, qontowebhooks.ErrInvalidSecret)
	}
	defer verifier.Close()
	mux := http.NewServeMux() // or your router: Middleware is a func(http.Handler) http.Handler

	// As middleware: only verified requests reach the handler, body intact; others get
	// 400 {"error": <code>, "message": ...}. Business webhooks only (the default).
	mux.Handle("POST /webhooks", verifier.Middleware(handler))

	// Onboarding webhooks: their own verifier, their own secret, the scheme said explicitly.
	onboarding, err := qontowebhooks.NewVerifierWithOptions(
		[][]byte{[]byte(os.Getenv("QONTO_ONBOARDING_SECRET"))},
		qontowebhooks.WithSchemes(qontowebhooks.SchemesOnboarding))
	if err != nil {
		log.Fatal(err)
	}
	defer onboarding.Close()
	mux.Handle("POST /webhooks/onboarding", onboarding.Middleware(handler))

	// Or by hand, with the raw body, byte for byte:
	result, err := verifier.Verify(body, r.Header.Get(qontowebhooks.BusinessHeader))
	if errors.Is(err, qontowebhooks.ErrTimestampTooOld) {
		log.Printf("refused: %v", err) // a replay, or a wrong clock
	}
	// snippet:end usage

	fmt.Println("by hand:", result.Scheme, result.SecretIndex, err)
	for _, c := range []struct{ path, header, signature string }{
		{"/webhooks", qontowebhooks.BusinessHeader, businessSig},
		{"/webhooks/onboarding", qontowebhooks.OnboardingHeader, onboardingSig},
		{"/webhooks", qontowebhooks.OnboardingHeader, onboardingSig}, // the other scheme's header
		{"/webhooks/onboarding", qontowebhooks.BusinessHeader, businessSig},
	} {
		req := httptest.NewRequest(http.MethodPost, c.path, bytes.NewReader(body))
		req.Header.Set(c.header, c.signature)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(c.path, rec.Code)
	}
	// Output:
	// by hand: business 0 <nil>
	// handler: business /webhooks
	// /webhooks 200
	// handler: onboarding /webhooks/onboarding
	// /webhooks/onboarding 200
	// /webhooks 400
	// /webhooks/onboarding 400
}
