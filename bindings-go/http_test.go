package qontowebhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const secret = "whsec_public_example_secret_0123456789abcdef"

func post(t *testing.T, url, header, value string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if header != "" {
		req.Header.Set(header, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	// A rejection is {"error": code, "message": ...}: return the code.
	var reply struct{ Error, Message string }
	if resp.StatusCode != 200 {
		if err := json.Unmarshal(text, &reply); err != nil || reply.Error == "" || reply.Message == "" {
			t.Errorf("%d: not a JSON error: %q", resp.StatusCode, text)
		}
		return resp.StatusCode, reply.Error
	}
	return resp.StatusCode, strings.TrimSpace(string(text))
}

// A real net/http server on 127.0.0.1 receiving signed webhooks through the middleware.
func TestHTTPServer(t *testing.T) {
	v, err := NewVerifier([]byte("whsec_old_secret_still_in_rotation"), []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// The onboarding endpoint has its own verifier, configured for onboarding webhooks.
	ob, err := NewVerifierWithOptions([][]byte{[]byte("whsec_old_secret_still_in_rotation"), []byte(secret)},
		WithSchemes(SchemesOnboarding))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		result, ok := ResultFromContext(r.Context())
		body, _ := io.ReadAll(r.Body) // the middleware put the body back
		fmt.Fprintf(w, "%v %d %s", ok, result.SecretIndex, body)
	})
	mux := http.NewServeMux()
	mux.Handle("/business", v.Middleware(handler))
	mux.Handle("/onboarding", ob.Middleware(handler))
	mux.Handle("/limited", http.MaxBytesHandler(v.Middleware(handler), 16))
	server := httptest.NewServer(mux)
	defer server.Close()
	if !strings.HasPrefix(server.URL, "http://127.0.0.1:") {
		t.Fatalf("server on %s", server.URL)
	}

	body := []byte(`{"id":"0196","type":"v1/transactions","data":{"event":"created"}}`)
	header, err := Sign([]byte(secret), body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, text := post(t, server.URL+"/business", BusinessHeader, header, body); code != 200 || text != "true 1 "+string(body) {
		t.Errorf("valid: %d %q", code, text)
	}
	stale, _ := Sign([]byte(secret), body, time.Now().Add(-10*time.Minute))
	onboarding, _ := SignOnboarding([]byte(secret), body)
	for _, c := range []struct {
		path, header, value string
		body                []byte
		want                string
	}{
		{"/business", BusinessHeader, header, append([]byte(" "), body...), "signature_mismatch"},
		{"/business", BusinessHeader, stale, body, "timestamp_too_old"},
		{"/business", "", "", body, "missing_header"},
		{"/business", BusinessHeader, "sha256=abc", body, "missing_timestamp"},
		{"/business", BusinessHeader, "t=now,v1=abc", body, "malformed_header"},
		{"/business", OnboardingHeader, onboarding, body, "missing_header"},
		{"/onboarding", OnboardingHeader, header, body, "malformed_header"},
		{"/onboarding", BusinessHeader, header, body, "missing_header"},
	} {
		if code, text := post(t, server.URL+c.path, c.header, c.value, c.body); code != 400 || text != c.want {
			t.Errorf("%s %s: %d %q, expected 400 %q", c.path, c.value, code, text, c.want)
		}
	}
	if code, text := post(t, server.URL+"/onboarding", OnboardingHeader, onboarding, body); code != 200 || !strings.HasPrefix(text, "true 1 ") {
		t.Errorf("onboarding: %d %q", code, text)
	}
	if code, text := post(t, server.URL+"/limited", BusinessHeader, header, body); code != 413 || text != "body_too_large" {
		t.Errorf("over the size limit: %d %q", code, text)
	}
}

func TestVerifyRequestRestoresBody(t *testing.T) {
	v, _ := NewVerifier([]byte(secret))
	defer v.Close()
	body := []byte(`{"id":"1"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(BusinessHeader, header)
	if _, err := v.VerifyRequest(req); err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(req.Body)
	if !bytes.Equal(again, body) {
		t.Errorf("body after VerifyRequest: %q", again)
	}
	// A failing request keeps its body too.
	req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(OnboardingHeader, strings.Repeat("0", 64)) // not read: business only
	if _, err := v.VerifyRequest(req); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("no header: %v", err)
	}
	if again, _ := io.ReadAll(req.Body); !bytes.Equal(again, body) {
		t.Errorf("body after a failure: %q", again)
	}
}

// 1000 goroutines sharing one verifier, valid and tampered bodies interleaved.
func TestConcurrentGoroutines(t *testing.T) {
	v, _ := NewVerifier([]byte(secret))
	defer v.Close()
	body := []byte(`{"id":"0196"}`)
	tampered := []byte(`{"id":"0197"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if (i+j)%2 == 0 {
					if _, err := v.Verify(body, header); err != nil {
						wrong.Add(1)
					}
				} else if _, err := v.Verify(tampered, header); !errors.Is(err, ErrSignatureMismatch) ||
					!strings.Contains(err.Error(), "does not match") {
					wrong.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Errorf("%d wrong results out of 20000", n)
	}
}
