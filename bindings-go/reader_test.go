package qontowebhooks

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// outcome is what a verification gave, as a line: "ok <index> <scheme>" or "<code>: <message>".
func outcome(res Result, err error) string {
	if err == nil {
		return fmt.Sprintf("ok %d %v", res.SecretIndex, res.Scheme)
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code + ": " + e.Message
	}
	return "error: " + err.Error()
}

func vectorVerifier(t *testing.T, v vector) (*Verifier, error) {
	t.Helper()
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
	return NewVerifierWithOptions(secrets, opts...)
}

// Every vector, one-shot and read from an io.Reader one byte, 7 bytes and all at a time: the same
// outcome, message included. With QW_OUTCOMES set, the outcomes (vectors and request cases) are
// also written to that file, so that test.sh can compare the two implementations' messages.
func TestVectorsIncrementalAndOutcomes(t *testing.T) {
	lines := []string{"version " + Version()}
	for _, v := range loadVectors(t) {
		body, _ := base64.StdEncoding.DecodeString(v.BodyB64)
		verifier, err := vectorVerifier(t, v)
		if err != nil {
			lines = append(lines, v.Name+" "+outcome(Result{}, err))
			continue
		}
		var res Result
		if v.Scheme == "business" {
			res, err = verifier.Verify(body, v.Header)
		} else {
			res, err = verifier.VerifyOnboarding(body, v.Header)
		}
		want := outcome(res, err)
		lines = append(lines, v.Name+" "+want)
		readers := map[string]func() io.Reader{
			"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
			"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
			"whole":    func() io.Reader { return bytes.NewReader(body) },
		}
		for name, r := range readers {
			if v.Scheme == "business" {
				res, err = verifier.VerifyReader(r(), v.Header)
			} else {
				res, err = verifier.VerifyOnboardingReader(r(), v.Header)
			}
			if got := outcome(res, err); got != want {
				t.Errorf("%s, %s: %s, one-shot %s", v.Name, name, got, want)
			}
		}
		verifier.Close()
	}
	for _, c := range loadRequestCases(t) {
		v := caseVerifier(t, c)
		res, err := v.VerifyHeaders(mustBody(t, c.BodyB64), c.Business, c.Onboarding)
		want := outcome(res, err)
		lines = append(lines, c.Name+" "+want)
		inc, err := v.StartHeaders(c.Business, c.Onboarding)
		if err == nil {
			_, _ = io.Copy(inc, iotest.OneByteReader(bytes.NewReader(mustBody(t, c.BodyB64))))
			res, err = inc.Finish()
		}
		if got := outcome(res, err); got != want {
			t.Errorf("%s, StartHeaders: %s, VerifyHeaders %s", c.Name, got, want)
		}
		v.Close()
	}
	if path := os.Getenv("QW_OUTCOMES"); path != "" {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustBody(t *testing.T, b64 string) []byte {
	t.Helper()
	body, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestIncrementalLifecycle(t *testing.T) {
	v, err := NewVerifierWithOptions([][]byte{[]byte(officialSecret)},
		WithClock(func() time.Time { return officialNow }))
	if err != nil {
		t.Fatal(err)
	}
	// A stale header fails before the body is read.
	_, err = v.VerifyReaderAt(failingReader{}, officialHeader, officialNow.Add(time.Hour))
	if !errors.Is(err, ErrTimestampTooOld) {
		t.Fatalf("stale header: %v", err)
	}
	// A read error is returned as is.
	_, err = v.VerifyReader(failingReader{}, officialHeader)
	var e *Error
	if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("read error: %v", err)
	}
	inc, err := v.Start(officialHeader)
	if err != nil {
		t.Fatal(err)
	}
	v.Close() // the state owns what it needs
	for _, b := range []byte(officialBody) {
		if n, err := inc.Write([]byte{b}); n != 1 || err != nil {
			t.Fatal(n, err)
		}
	}
	res, err := inc.Finish()
	if err != nil || res.SecretIndex != 0 || res.Timestamp != officialNow {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := inc.Write([]byte("x")); !errors.Is(err, ErrFinished) {
		t.Fatalf("write after finish: %v", err)
	}
	if _, err := inc.Finish(); !errors.Is(err, ErrFinished) {
		t.Fatalf("finish twice: %v", err)
	}
	if err := inc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Start(officialHeader); !errors.Is(err, ErrClosed) {
		t.Fatalf("start after close: %v", err)
	}
}
