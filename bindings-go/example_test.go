package qontowebhooks_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

// Qonto's own example: secret "test-secret", body {"test":"data"}, signed at 1704110400.
func Example() {
	verifier, err := qontowebhooks.NewVerifier([]byte("test-secret"))
	if err != nil {
		panic(err)
	}
	defer verifier.Close()
	body := []byte(`{"test":"data"}`)
	header := "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"

	result, err := verifier.VerifyAt(body, header, time.Unix(1704110400, 0))
	fmt.Println(result.SecretIndex, result.Timestamp.Unix(), err)

	_, err = verifier.VerifyAt(body, header, time.Unix(1704110400+301, 0))
	var e *qontowebhooks.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, errors.Is(err, qontowebhooks.ErrTimestampTooOld))
	}
	// Output:
	// 0 1704110400 <nil>
	// timestamp_too_old true
}

// The idempotency guard: Qonto retries deliveries, so the same event can arrive twice; the
// handler runs once per event id.
func ExampleWithIdempotency() {
	secret := []byte("whsec_example_secret")
	// snippet:start idempotency (bindings-go/README.md shows this)
	store, err := qontowebhooks.NewMemoryStore() // one process; see Store for Redis
	if err != nil {
		panic(err)
	}
	verifier, err := qontowebhooks.NewVerifierWithOptions([][]byte{secret},
		qontowebhooks.WithIdempotency(store)) // lease 60 s, TTL 7 days: WithLease, WithTTL
	if err != nil {
		panic(err)
	}
	defer verifier.Close()
	handler := verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("processing the event") // queue it; answer 2xx within Qonto's 1 s
		_, _ = w.Write([]byte(`{"received":true}`))
	}))

	body := []byte(`{"id":"0196a1b2-event","type":"v1/transactions"}`)
	header, _ := qontowebhooks.Sign(secret, body, time.Now())
	for range 2 { // the same delivery twice
		req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
		req.Header.Set(qontowebhooks.BusinessHeader, header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// snippet:end idempotency
	// Output:
	// processing the event
	// 200 {"received":true}
	// 200 {"duplicate":true,"id":"0196a1b2-event"}
}
