// A Qonto webhook endpoint with net/http and the qontowebhooks middleware: business webhooks at
// /webhooks, onboarding webhooks at /webhooks/onboarding, each with its own verifier and secret,
// and each event processed once (the idempotency guard).
//
//	cargo build --release -p qonto-webhooks-clib   # the static library cgo links
//	QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 go run ./receiver
//	qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
package main

import (
	"log"
	"net/http"
	"os"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	// Qonto retries a delivery until it gets a 2xx, so an event can arrive more than once, and a
	// captured onboarding webhook (no timestamp) verifies forever: the idempotency guard lets
	// each event id through once. One store for both endpoints: the keys carry the scheme
	// ("business:<id>", "onboarding:<id>"). MemoryStore is this process's memory (bounded, lost
	// on restart): with several processes, implement qontowebhooks.Store over Redis or your
	// database (see the package's README).
	store, err := qontowebhooks.NewMemoryStore()
	if err != nil {
		log.Fatal(err)
	}
	// Once, at start-up: the key schedule runs here. Share the verifiers across requests.
	// Business webhooks only (the default): a business webhook resent as an onboarding one is
	// refused here, whatever headers the request carries.
	business, err := qontowebhooks.NewVerifierWithOptions(
		[][]byte{[]byte(os.Getenv("QONTO_WEBHOOK_SECRET"))},
		qontowebhooks.WithIdempotency(store))
	if err != nil {
		log.Fatal(err) // an empty secret fails here, not on the first request
	}
	defer business.Close()
	// Onboarding webhooks, said explicitly, with their own secret.
	onboarding, err := qontowebhooks.NewVerifierWithOptions(
		[][]byte{[]byte(os.Getenv("QONTO_ONBOARDING_SECRET"))},
		qontowebhooks.WithSchemes(qontowebhooks.SchemesOnboarding),
		qontowebhooks.WithIdempotency(store))
	if err != nil {
		log.Fatal(err)
	}
	defer onboarding.Close()

	handle := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only verified requests get here, once per event id. r.Body is the raw body, byte for
		// byte (the middleware put it back); ResultFromContext(r.Context()) says which scheme
		// and secret verified it. Queue the event here and answer within Qonto's 1 s: a 2xx
		// marks the event done, anything else (or a panic) lets Qonto's retry through.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"received":true}`))
	})
	// Bodies over 1 MiB get 413 (WithBodyLimit changes it); bad signatures 400 {"error": code};
	// a duplicate 200 {"duplicate": true, "id": ...}; one still being processed 409
	// duplicate_in_progress (Qonto retries it).
	http.Handle("POST /webhooks", business.Middleware(handle))              // X-Qonto-Signature
	http.Handle("POST /webhooks/onboarding", onboarding.Middleware(handle)) // Qonto-SHA256-Signature
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
