package qontowebhooks

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

type vector struct {
	Name        string   `json:"name"`
	Scheme      string   `json:"scheme"`
	Secrets     []string `json:"secrets"`
	Header      string   `json:"header"`
	BodyB64     string   `json:"body_b64"`
	Now         int64    `json:"now"`
	Tolerance   *int64   `json:"tolerance"`
	Expect      string   `json:"expect"`
	Message     string   `json:"message"`
	SecretIndex *int     `json:"secret_index"`
}

// readShared reads one of the repository's shared test files by its path from the repository's
// root: the vectors (testkit/vectors) or the example payloads (core/tests/data/events). Outside
// the repository (the module as downloaded) there is nothing beside the module: the tests that
// need them are skipped there; inside it, a missing file fails.
func readShared(t testing.TB, path string) ([]byte, error) {
	t.Helper()
	if _, err := os.Stat("../testkit/vectors"); os.IsNotExist(err) {
		t.Skip("the shared test data (testkit/vectors, core/tests/data) is in the repository, not in the module")
	}
	return os.ReadFile("../" + path)
}

// The shared vectors, read at test time.
func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := readShared(t, "testkit/vectors/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

var sentinels = map[string]error{
	"invalid_secret":      ErrInvalidSecret,
	"missing_header":      ErrMissingHeader,
	"malformed_header":    ErrMalformedHeader,
	"missing_timestamp":   ErrMissingTimestamp,
	"missing_signature":   ErrMissingSignature,
	"timestamp_too_old":   ErrTimestampTooOld,
	"timestamp_in_future": ErrTimestampInFuture,
	"signature_mismatch":  ErrSignatureMismatch,
}

// The outcome of a vector: "ok" and the index, or the error's code.
func runVector(t *testing.T, v vector) (string, int) {
	t.Helper()
	body, err := base64.StdEncoding.DecodeString(v.BodyB64)
	if err != nil {
		t.Fatal(err)
	}
	secrets := make([][]byte, len(v.Secrets))
	for i, s := range v.Secrets {
		secrets[i] = []byte(s)
	}
	opts := []Option{WithClock(func() time.Time { return time.Unix(v.Now, 0) })}
	if v.Tolerance == nil {
		opts = append(opts, WithoutTolerance())
	} else {
		opts = append(opts, WithTolerance(time.Duration(*v.Tolerance)*time.Second))
	}
	verifier, err := NewVerifierWithOptions(secrets, opts...)
	if err == nil {
		defer verifier.Close()
		var res Result
		switch v.Scheme {
		case "business":
			res, err = verifier.Verify(body, v.Header)
			if err == nil && (res.Timestamp.IsZero() || res.Scheme != SchemeBusiness) {
				t.Errorf("%s: %+v for a business webhook", v.Name, res)
			}
		case "onboarding":
			res, err = verifier.VerifyOnboarding(body, v.Header)
			if err == nil && (!res.Timestamp.IsZero() || res.Scheme != SchemeOnboarding) {
				t.Errorf("%s: %+v for an onboarding webhook", v.Name, res)
			}
		default:
			t.Fatalf("%s: unknown scheme %q", v.Name, v.Scheme)
		}
		if err == nil {
			return "ok", res.SecretIndex
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: not an *Error: %v", v.Name, err)
	}
	if !errors.Is(err, sentinels[e.Code]) {
		t.Errorf("%s: errors.Is(err, sentinel for %s) is false", v.Name, e.Code)
	}
	for code, s := range sentinels {
		if code != e.Code && errors.Is(err, s) {
			t.Errorf("%s: %s error matches the %s sentinel", v.Name, e.Code, code)
		}
	}
	if len(e.Message) < 10 || e.Message == sentinels[e.Code].(*Error).Message {
		t.Errorf("%s: no detailed message: %q", v.Name, e.Message)
	}
	// The core's exact words, pinned in the vectors: the implementations cannot drift.
	if e.Message != v.Message {
		t.Errorf("%s: message %q, the core says %q", v.Name, e.Message, v.Message)
	}
	return e.Code, -1
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	seen := map[string]int{}
	for _, v := range vs {
		got, index := runVector(t, v)
		seen[got]++
		if got != v.Expect {
			t.Errorf("%s: got %s, expected %s", v.Name, got, v.Expect)
			continue
		}
		if got == "ok" && v.SecretIndex != nil && index != *v.SecretIndex {
			t.Errorf("%s: secret index %d, expected %d", v.Name, index, *v.SecretIndex)
		}
	}
	for code := range sentinels {
		if seen[code] == 0 {
			t.Errorf("no vector produced %s", code)
		}
	}
	t.Logf("%d vectors", len(vs))
}

const (
	officialSecret = "test-secret"
	officialBody   = `{"test":"data"}`
	officialHeader = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
)

var officialNow = time.Unix(1704110400, 0)

func TestErrorsAndMessages(t *testing.T) {
	v, err := NewVerifier([]byte(officialSecret))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	_, err = v.VerifyAt([]byte(officialBody), officialHeader, officialNow.Add(301*time.Second))
	if !errors.Is(err, ErrTimestampTooOld) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "301 s old") || !strings.HasPrefix(err.Error(), "qontowebhooks: ") {
		t.Errorf("message: %q", err)
	}
	_, err = v.VerifyAt([]byte("{}"), officialHeader, officialNow)
	if !errors.Is(err, ErrSignatureMismatch) || strings.Contains(err.Error(), officialSecret) ||
		strings.Contains(err.Error(), "56aff06d") {
		t.Errorf("mismatch: %v", err)
	}
	// The system clock: Qonto's 2024 example is stale now.
	if _, err = v.Verify([]byte(officialBody), officialHeader); !errors.Is(err, ErrTimestampTooOld) {
		t.Errorf("system clock: %v", err)
	}
	res, err := v.VerifyAt([]byte(officialBody), officialHeader, officialNow)
	if err != nil || res.SecretIndex != 0 || !res.Timestamp.Equal(officialNow) {
		t.Errorf("official vector: %+v %v", res, err)
	}
	// Construction errors.
	for name, secrets := range map[string][][]byte{
		"none":  nil,
		"empty": {[]byte("a"), {}},
		"nine":  {{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}},
		"many":  make([][]byte, 100),
	} {
		if _, err := NewVerifier(secrets...); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewVerifierWithOptions([][]byte{[]byte("s")}, WithTolerance(-time.Second)); err == nil {
		t.Error("negative tolerance accepted")
	}
	if _, err := NewVerifierWithOptions([][]byte{[]byte("s")}, WithClock(nil)); err == nil {
		t.Error("nil clock accepted")
	}
}

func TestOptions(t *testing.T) {
	body := []byte(officialBody)
	clock := WithClock(func() time.Time { return officialNow.Add(time.Hour) })
	strict, _ := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, clock)
	wide, _ := NewVerifierWithOptions([][]byte{[]byte(officialSecret)}, clock, WithTolerance(time.Hour))
	off, _ := NewVerifierWithOptions([][]byte{[]byte("new"), []byte(officialSecret)}, clock, WithoutTolerance())
	defer strict.Close()
	defer wide.Close()
	defer off.Close()
	if _, err := strict.Verify(body, officialHeader); !errors.Is(err, ErrTimestampTooOld) {
		t.Errorf("default window: %v", err)
	}
	if _, err := wide.Verify(body, officialHeader); err != nil {
		t.Errorf("one hour window: %v", err)
	}
	if res, err := off.Verify(body, officialHeader); err != nil || res.SecretIndex != 1 {
		t.Errorf("disabled window, rotation: %+v %v", res, err)
	}
}

func TestSign(t *testing.T) {
	h, err := Sign([]byte(officialSecret), []byte(officialBody), officialNow)
	if err != nil || h != officialHeader {
		t.Errorf("Sign: %q %v", h, err)
	}
	ob, err := SignOnboarding([]byte("secret_key"), []byte("{}"))
	if err != nil || len(ob) != 64 {
		t.Errorf("SignOnboarding: %q %v", ob, err)
	}
	if _, err := Sign(nil, []byte("x"), officialNow); !errors.Is(err, ErrInvalidSecret) {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := Sign([]byte("s"), nil, time.Unix(-1, 0)); err == nil {
		t.Error("negative timestamp accepted")
	}
	// Nil and empty inputs are empty byte strings.
	v, _ := NewVerifier([]byte("s"))
	defer v.Close()
	empty, _ := SignOnboarding([]byte("s"), nil)
	if _, err := v.VerifyOnboarding(nil, empty); err != nil {
		t.Errorf("empty body: %v", err)
	}
	if _, err := v.Verify(nil, ""); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("empty header: %v", err)
	}
}

func TestClose(t *testing.T) {
	v, err := NewVerifier([]byte(officialSecret))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := v.VerifyAt([]byte(officialBody), officialHeader, officialNow); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	// Verifiers left to the finalizer.
	for i := 0; i < 100; i++ {
		if _, err := NewVerifier([]byte(officialSecret)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
}

func TestVersion(t *testing.T) {
	if !strings.Contains(Version(), ".") {
		t.Errorf("version %q", Version())
	}
}
