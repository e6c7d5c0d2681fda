package qontowebhooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

// The middleware on a router with method and path patterns (Go 1.22+ http.ServeMux), run for
// real on a loopback server. Middleware has the type of a chi middleware,
// func(http.Handler) http.Handler, and gives an http.Handler, so each route is mounted on chi
// (github.com/go-chi/chi/v5) as the comment beside it says, with the same verifiers and handler.
func ExampleVerifier_Middleware_router() {
	businessSecret, onboardingSecret := []byte("whsec_router_example"), []byte("onboarding_router_example")
	// snippet:start router
	// Once, at start-up: one verifier per endpoint, each with its scheme and secret.
	business, err := qontowebhooks.NewVerifier(businessSecret) // X-Qonto-Signature only
	if err != nil {
		log.Fatal(err)
	}
	defer business.Close()
	onboarding, err := qontowebhooks.NewVerifierWithOptions([][]byte{onboardingSecret},
		qontowebhooks.WithSchemes(qontowebhooks.SchemesOnboarding)) // Qonto-SHA256-Signature only
	if err != nil {
		log.Fatal(err)
	}
	defer onboarding.Close()

	// Reached by verified requests only: r.Body is the raw body, as sent.
	received := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, _ := qontowebhooks.ResultFromContext(r.Context())
		fmt.Fprintf(w, "verified %s webhook at %s\n", result.Scheme, r.URL.Path) // queue it, answer fast
	})

	router := http.NewServeMux()
	// One route, the middleware in front of the handler.
	// chi: r.With(business.Middleware).Post("/webhooks/qonto", received)
	router.Handle("POST /webhooks/qonto", business.Middleware(received))

	// A group of routes mounted under a prefix, as one http.Handler.
	// chi: r.Route("/partner", func(r chi.Router) { r.With(onboarding.Middleware).Post("/webhooks", received) })
	partner := http.NewServeMux()
	partner.Handle("POST /webhooks", onboarding.Middleware(received))
	router.Handle("/partner/", http.StripPrefix("/partner", partner)) // chi: r.Mount("/partner", partner)
	// snippet:end router

	server := httptest.NewServer(router)
	defer server.Close()
	post := func(path, header, signature string, body []byte) {
		req, err := http.NewRequest(http.MethodPost, server.URL+path, bytes.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set(header, signature)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		var refusal struct{ Error string }
		if json.Unmarshal(answer, &refusal) == nil {
			answer = []byte(refusal.Error) // the code; "message" says what to do
		}
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	body := []byte(`{"id":"evt-1","type":"v1/transactions"}`)
	businessSig, _ := qontowebhooks.Sign(businessSecret, body, time.Now())
	onboardingSig, _ := qontowebhooks.SignOnboarding(onboardingSecret, body)

	post("/webhooks/qonto", qontowebhooks.BusinessHeader, businessSig, body)
	post("/partner/webhooks", qontowebhooks.OnboardingHeader, onboardingSig, body)
	// Tampered, then a business webhook at the onboarding endpoint: refused, the handler not run.
	post("/webhooks/qonto", qontowebhooks.BusinessHeader, businessSig, append(body, ' '))
	post("/partner/webhooks", qontowebhooks.BusinessHeader, businessSig, body)
	// The router's own answers: the wrong method, an unknown path.
	resp, err := http.Get(server.URL + "/webhooks/qonto")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Allow"))
	post("/webhooks/other", qontowebhooks.BusinessHeader, businessSig, body)
	// Output:
	// 200 verified business webhook at /webhooks/qonto
	// 200 verified onboarding webhook at /webhooks
	// 400 signature_mismatch
	// 400 missing_header
	// 405 POST
	// 404 404 page not found
}

// Middleware is a chi middleware as it is: the type that chi's Use and With take.
var _ func(http.Handler) http.Handler = (&qontowebhooks.Verifier{}).Middleware
