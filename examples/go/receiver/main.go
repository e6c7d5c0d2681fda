// A Qonto webhook endpoint with net/http and the qontowebhooks middleware: business webhooks at
// /webhooks, onboarding webhooks at /webhooks/onboarding, each with its own verifier and secret.
//
//	cargo build --release -p qonto-webhooks-c   # the static library cgo links
//	QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=8080 go run ./receiver
//	qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"sync"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	// Once, at start-up: the key schedule runs here. Share the verifiers across requests.
	// Business webhooks only (the default): a business webhook resent as an onboarding one is
	// refused here, whatever headers the request carries.
	business, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
	if err != nil {
		log.Fatal(err) // an empty secret fails here, not on the first request
	}
	defer business.Close()
	// Onboarding webhooks, said explicitly, with their own secret.
	onboarding, err := qontowebhooks.NewVerifierWithOptions(
		[][]byte{[]byte(os.Getenv("QONTO_ONBOARDING_SECRET"))},
		qontowebhooks.WithSchemes(qontowebhooks.SchemesOnboarding))
	if err != nil {
		log.Fatal(err)
	}
	defer onboarding.Close()

	var mu sync.Mutex
	seen := map[string]bool{} // event ids already processed: keep them in your database
	handle := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only verified requests get here; the middleware put the raw body back.
		body, _ := io.ReadAll(r.Body)
		var event struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &event); err != nil || event.ID == "" {
			http.Error(w, `{"error":"invalid_payload"}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		duplicate := seen[event.ID]
		seen[event.ID] = true
		mu.Unlock()
		if duplicate {
			http.Error(w, `{"error":"duplicate_event"}`, http.StatusConflict)
			return
		}
		// Queue the event here and answer within Qonto's 1 s.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"received":true}`))
	})
	// Bodies over 1 MiB get 413 (WithBodyLimit changes it); bad signatures 400 {"error": code}.
	http.Handle("POST /webhooks", business.Middleware(handle))              // X-Qonto-Signature
	http.Handle("POST /webhooks/onboarding", onboarding.Middleware(handle)) // Qonto-SHA256-Signature
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
