// A Qonto webhook endpoint with net/http and the qontowebhooks middleware.
//
//	cargo build --release -p qonto-webhooks-c   # the static library cgo links
//	QONTO_WEBHOOK_SECRET=whsec_... go run ./receiver 8080
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
	port := "8080"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	// Once, at start-up: the key schedule runs here. Share the verifier across requests.
	verifier, err := qontowebhooks.NewVerifier([]byte(os.Getenv("QONTO_WEBHOOK_SECRET")))
	if err != nil {
		log.Fatal(err) // an empty secret fails here, not on the first request
	}
	defer verifier.Close()

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
	business := verifier.Middleware(handle)             // X-Qonto-Signature
	onboarding := verifier.OnboardingMiddleware(handle) // Qonto-SHA256-Signature
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(qontowebhooks.OnboardingHeader) != "" {
			onboarding.ServeHTTP(w, r)
			return
		}
		business.ServeHTTP(w, r)
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
