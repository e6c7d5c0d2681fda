package qontowebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var benchSizes = []struct {
	name string
	size int
}{{"256B", 256}, {"1KiB", 1 << 10}, {"16KiB", 16 << 10}, {"1MiB", 1 << 20}}

// stdlibVerify is what a Go user writes with the standard library alone: parse the header,
// check the window, HMAC "<t>.<body>", hex-decode and compare with hmac.Equal.
func stdlibVerify(secret, body []byte, header string, now int64) error {
	var t string
	var sigs []string
	for _, item := range strings.Split(header, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return errors.New("malformed")
		}
		switch k {
		case "t":
			t = val
		case "v1":
			sigs = append(sigs, val)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("malformed")
	}
	if d := now - ts; d > 300 || d < -300 {
		return errors.New("window")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(t))
	mac.Write([]byte("."))
	mac.Write(body)
	expected := mac.Sum(nil)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, expected) {
			return nil
		}
	}
	return errors.New("mismatch")
}

func TestStdlibReferenceAgrees(t *testing.T) {
	now := time.Now()
	body := []byte("reference")
	header, _ := Sign([]byte(secret), body, now)
	if err := stdlibVerify([]byte(secret), body, header, now.Unix()); err != nil {
		t.Fatal(err)
	}
	if err := stdlibVerify([]byte(secret), []byte("other"), header, now.Unix()); err == nil {
		t.Fatal("the reference accepts a tampered body")
	}
}

// BenchmarkVerify: this package (cgo + the Rust core) vs the standard library, per body size.
func BenchmarkVerify(b *testing.B) {
	v, err := NewVerifier([]byte(secret))
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	now := time.Now()
	for _, s := range benchSizes {
		body := []byte(strings.Repeat("x", s.size))
		header, _ := Sign([]byte(secret), body, now)
		b.Run("qontowebhooks/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(s.size))
			for i := 0; i < b.N; i++ {
				if _, err := v.VerifyAt(body, header, now); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("crypto_hmac/"+s.name, func(b *testing.B) {
			b.SetBytes(int64(s.size))
			for i := 0; i < b.N; i++ {
				if err := stdlibVerify([]byte(secret), body, header, now.Unix()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
