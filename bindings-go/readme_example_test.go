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
