package qontowebhooks

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A request-level case of testkit/vectors/requests.json.
type requestCase struct {
	Name            string   `json:"name"`
	Schemes         string   `json:"schemes"`
	Secrets         []string `json:"secrets"`
	Business        *string  `json:"business"`
	Onboarding      *string  `json:"onboarding"`
	BodyB64         string   `json:"body_b64"`
	Now             int64    `json:"now"`
	Tolerance       *int64   `json:"tolerance"`
	Expect          string   `json:"expect"`
	Scheme          string   `json:"scheme"`
	SecretIndex     *int     `json:"secret_index"`
	MessageContains string   `json:"message_contains"`
}

func loadRequestCases(t *testing.T) []requestCase {
	t.Helper()
	data, err := readShared(t, "testkit/vectors/requests.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []requestCase
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("no request cases")
	}
	return cs
}

// The verifier a case describes. Business-only cases pass no WithSchemes: the default is
// business only.
func caseVerifier(t *testing.T, c requestCase) *Verifier {
	t.Helper()
	secrets := make([][]byte, len(c.Secrets))
	for i, s := range c.Secrets {
		secrets[i] = []byte(s)
	}
	opts := []Option{WithClock(func() time.Time { return time.Unix(c.Now, 0) })}
	if c.Tolerance == nil {
		opts = append(opts, WithoutTolerance())
	} else {
		opts = append(opts, WithTolerance(time.Duration(*c.Tolerance)*time.Second))
	}
	if c.Schemes != "business" {
		schemes, err := ParseSchemes(c.Schemes)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, WithSchemes(schemes))
	}
	v, err := NewVerifierWithOptions(secrets, opts...)
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	return v
}

// The request a case describes: a nil header is not set at all.
func caseRequest(t *testing.T, c requestCase) *http.Request {
	t.Helper()
	body, err := base64.StdEncoding.DecodeString(c.BodyB64)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
	if c.Business != nil {
		req.Header.Set(BusinessHeader, *c.Business)
	}
	if c.Onboarding != nil {
		req.Header.Set(OnboardingHeader, *c.Onboarding)
	}
	return req
}

// Every request-level case through VerifyRequest and through the middleware.
func TestRequestCases(t *testing.T) {
	reframed := false
	for _, c := range loadRequestCases(t) {
		if c.Name == "reframed_business_replay_refused_by_default" {
			reframed = true
		}
		v := caseVerifier(t, c)
		res, err := v.VerifyRequest(caseRequest(t, c))
		if c.Expect == "ok" {
			if err != nil {
				t.Errorf("%s: %v", c.Name, err)
			} else {
				if res.Scheme.String() != c.Scheme {
					t.Errorf("%s: scheme %v, expected %s", c.Name, res.Scheme, c.Scheme)
				}
				if c.SecretIndex != nil && res.SecretIndex != *c.SecretIndex {
					t.Errorf("%s: secret index %d, expected %d", c.Name, res.SecretIndex, *c.SecretIndex)
				}
				if res.Timestamp.IsZero() != (c.Scheme == "onboarding") {
					t.Errorf("%s: timestamp %v for a %s webhook", c.Name, res.Timestamp, c.Scheme)
				}
			}
		} else {
			var e *Error
			if !errors.As(err, &e) || e.Code != c.Expect {
				t.Errorf("%s: got %v, expected %s", c.Name, err, c.Expect)
			} else if !strings.Contains(e.Message, c.MessageContains) {
				t.Errorf("%s: message %q lacks %q", c.Name, e.Message, c.MessageContains)
			}
		}

		// The middleware: 200 and the handler, or 400 with the code, the handler not called.
		called := false
		handler := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called = true
			got, ok := ResultFromContext(r.Context())
			if !ok || got.Scheme.String() != c.Scheme {
				t.Errorf("%s: result in the context %+v %v", c.Name, got, ok)
			}
		}))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, caseRequest(t, c))
		if c.Expect == "ok" {
			if rec.Code != http.StatusOK || !called {
				t.Errorf("%s: middleware %d %q, called %v", c.Name, rec.Code, rec.Body, called)
			}
		} else {
			var reply struct{ Error, Message string }
			_ = json.Unmarshal(rec.Body.Bytes(), &reply)
			if rec.Code != http.StatusBadRequest || reply.Error != c.Expect || called ||
				!strings.Contains(reply.Message, c.MessageContains) {
				t.Errorf("%s: middleware %d %q, called %v", c.Name, rec.Code, rec.Body, called)
			}
		}
		v.Close()
	}
	if !reframed {
		t.Error("the reframed replay case is missing from requests.json")
	}
}

// The reframed replay, spelled out: a business webhook's v1 sent as Qonto-SHA256-Signature over
// the body "<t>.<body>", a billion seconds later.
func TestReframedReplayRefusedByDefault(t *testing.T) {
	later := WithClock(func() time.Time { return officialNow.Add(1e9 * time.Second) })
	v, err := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, later)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	body := "1704110400." + officialBody
	req := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(body))
	req.Header.Set(OnboardingHeader, officialHeader[len("t=1704110400,v1="):])
	if _, err := v.VerifyRequest(req); !errors.Is(err, ErrMissingHeader) ||
		!strings.Contains(err.Error(), "accepts business webhooks only") {
		t.Errorf("reframed replay: %v", err)
	}
}

func TestSchemesNames(t *testing.T) {
	for _, s := range []Schemes{SchemesBusiness, SchemesOnboarding, SchemesBoth} {
		parsed, err := ParseSchemes(s.String())
		if err != nil || parsed != s {
			t.Errorf("%v: %v %v", s, parsed, err)
		}
	}
	if SchemesBusiness.String() != "business" || SchemesBoth.String() != "both" {
		t.Error("spelling")
	}
	var zero Schemes
	if zero != SchemesBusiness {
		t.Error("the zero Schemes is not business")
	}
	for _, bad := range []string{"", "Business", "all", "onboarding "} {
		if _, err := ParseSchemes(bad); err == nil {
			t.Errorf("ParseSchemes(%q) accepted", bad)
		}
	}
	if _, err := NewVerifierWithOptions([][]byte{[]byte("s")}, WithSchemes(Schemes(7))); err == nil {
		t.Error("Schemes(7) accepted")
	}
}

// The middleware caps the body at 1 MiB by default (configurable): 413 body_too_large, and the
// handler is not called.
func TestMiddlewareBodyLimit(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1<<20+1)
	header, _ := Sign([]byte(secret), body, time.Now())
	for _, c := range []struct {
		name  string
		opts  []Option
		body  []byte
		want  int
		error string
	}{
		{"default limit, 1 MiB + 1", nil, body, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"default limit, 1 MiB", nil, body[:1<<20], http.StatusBadRequest, "signature_mismatch"},
		{"16 bytes", []Option{WithBodyLimit(16)}, body[:17], http.StatusRequestEntityTooLarge, "body_too_large"},
		{"2 MiB", []Option{WithBodyLimit(2 << 20)}, body, http.StatusOK, ""},
	} {
		v, err := NewVerifierWithOptions([][]byte{[]byte(secret)}, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		called := false
		handler := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called = true
		}))
		req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(c.body))
		req.Header.Set(BusinessHeader, header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		var reply struct{ Error, Message string }
		_ = json.Unmarshal(rec.Body.Bytes(), &reply)
		if rec.Code != c.want || reply.Error != c.error || called != (c.want == http.StatusOK) {
			t.Errorf("%s: %d %q (called %v), expected %d %s", c.name, rec.Code, rec.Body.String()[:min(rec.Body.Len(), 200)],
				called, c.want, c.error)
		}
		if c.want == http.StatusRequestEntityTooLarge &&
			(rec.Header().Get("Content-Type") != "application/json; charset=utf-8" || reply.Message == "") {
			t.Errorf("%s: reply %q %q", c.name, rec.Header().Get("Content-Type"), rec.Body)
		}
		v.Close()
	}
	if _, err := NewVerifierWithOptions([][]byte{[]byte("s")}, WithBodyLimit(0)); err == nil {
		t.Error("a zero limit accepted")
	}
	// VerifyRequest applies the limit too.
	v, _ := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithBodyLimit(16))
	defer v.Close()
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body[:17]))
	req.Header.Set(BusinessHeader, header)
	if _, err := v.VerifyRequest(req); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("VerifyRequest over the limit: %v", err)
	}
}

// A rejected request runs the C verification once: the detailed message comes with the verdict.
func TestRejectedRequestVerifiesOnce(t *testing.T) {
	var calls atomic.Int64
	verifyHook = func() { calls.Add(1) }
	defer func() { verifyHook = nil }()
	v, _ := NewVerifier([]byte(secret))
	defer v.Close()
	body := []byte(`{"id":"1"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	handler := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for a rejected request")
	}))
	for _, c := range []struct {
		name, header string
		body         []byte
		code         string
	}{
		{"tampered", header, []byte(`{"id":"2"}`), "signature_mismatch"},
		{"stale", "t=1704110400,v1=" + strings.Repeat("0", 64), body, "timestamp_too_old"},
	} {
		calls.Store(0)
		req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(c.body))
		req.Header.Set(BusinessHeader, c.header)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		text, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusBadRequest || !strings.Contains(string(text), c.code) {
			t.Errorf("%s: %d %s", c.name, rec.Code, text)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%s: %d C verifications for one request, expected 1", c.name, n)
		}
		calls.Store(0)
		_, err := v.Verify(c.body, c.header)
		if n := calls.Load(); n != 1 || !strings.Contains(err.Error(), "qontowebhooks: the ") {
			t.Errorf("%s: Verify ran %d C verifications (%v)", c.name, n, err)
		}
	}
}

// The window is switched off only by WithoutTolerance: a tolerance that reaches the C ABI as
// a negative number converted to uint64 (a -1 from configuration) is an error, not "no window".
func TestToleranceNeverDisabledByAValue(t *testing.T) {
	stale := WithClock(func() time.Time { return officialNow.Add(1e9 * time.Second) })
	for _, tolerance := range []uint64{math.MaxUint64, 1 << 63} {
		raw := func(c *config) error { c.tolerance = tolerance; return nil }
		v, err := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, Option(raw), stale)
		var e *Error
		if !errors.As(err, &e) || e.Code != "invalid_argument" ||
			!strings.Contains(e.Message, "qw_verifier_disable_tolerance") {
			t.Errorf("tolerance %d: %v", tolerance, err)
		}
		if v != nil {
			_, err := v.Verify([]byte(officialBody), officialHeader)
			t.Errorf("tolerance %d built a verifier; a stale webhook gives %v", tolerance, err)
			v.Close()
		}
	}
	off, err := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, stale, WithoutTolerance())
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if _, err := off.Verify([]byte(officialBody), officialHeader); err != nil {
		t.Errorf("WithoutTolerance: %v", err)
	}
	// The last of WithTolerance and WithoutTolerance wins.
	on, _ := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, stale, WithoutTolerance(),
		WithTolerance(time.Hour))
	defer on.Close()
	if _, err := on.Verify([]byte(officialBody), officialHeader); !errors.Is(err, ErrTimestampTooOld) {
		t.Errorf("WithTolerance after WithoutTolerance: %v", err)
	}
}
