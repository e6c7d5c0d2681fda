// The Go demo: a net/http receiver on 127.0.0.1 behind the verifying middleware, and webhooks
// signed as Qonto signs them posted to it: one accepted, then the usual rejects.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

const secret = "whsec_public_example_secret_0123456789abcdef"

func main() {
	verifier, err := qontowebhooks.NewVerifier([]byte(secret))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer verifier.Close()
	fmt.Printf("Go (qontowebhooks over libqonto_webhooks %s)\n", qontowebhooks.Version())

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, _ := qontowebhooks.ResultFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "secret #%d, t=%d, %d-byte event", result.SecretIndex, result.Timestamp.Unix(), len(body))
	})
	server := httptest.NewServer(verifier.Middleware(handler))
	defer server.Close()

	body := []byte(`{"id":"0196","type":"v1/transactions","data":{"event":"created"}}`)
	now := time.Now()
	header, _ := qontowebhooks.Sign([]byte(secret), body, now)
	stale, _ := qontowebhooks.Sign([]byte(secret), body, now.Add(-10*time.Minute))
	cases := []struct {
		label, header string
		body          []byte
	}{
		{"signed event", header, body},
		{"re-serialized body", header, bytes.ReplaceAll(body, []byte(":"), []byte(": "))},
		{"replayed 10 min later", stale, body},
		{"no header", "", body},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, server.URL, bytes.NewReader(c.body))
		if c.header != "" {
			req.Header.Set(qontowebhooks.BusinessHeader, c.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		verdict := "accept"
		if resp.StatusCode != http.StatusOK {
			verdict = "reject"
			var reply struct{ Error string } // {"error": code, "message": ...}
			_ = json.Unmarshal(text, &reply)
			text = []byte(reply.Error)
		}
		fmt.Printf("  %s  %-22s HTTP %d %s\n", verdict, c.label, resp.StatusCode, strings.TrimSpace(string(text)))
	}

	// The error itself, for code that calls Verify directly.
	_, err = verifier.Verify(body, stale)
	fmt.Printf("  Verify(stale) = %v\n", err)
}
