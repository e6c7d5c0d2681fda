package qontowebhooks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDiagnose(t *testing.T) {
	const secret = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
	now := time.Unix(1735689600, 0)
	body := []byte(`{"id":"e1","type":"v1/clients"}`)
	header, err := Sign([]byte(secret), body, now)
	if err != nil {
		t.Fatal(err)
	}
	clock := WithClock(func() time.Time { return now })
	if Implementation == "go" {
		_, err := Diagnose(SchemeBusiness, [][]byte{[]byte(secret)}, body, header, clock)
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("pure Go: %v", err)
		}
		return
	}
	d, err := Diagnose(SchemeBusiness, [][]byte{[]byte(secret)}, body, header, clock)
	if err != nil || d.Err != nil || len(d.Findings) != 0 || d.Result.Timestamp != now {
		t.Fatalf("a good webhook: %+v, %v", d, err)
	}
	d, err = Diagnose(SchemeBusiness, [][]byte{[]byte(secret[len("whsec_"):])}, body, header, clock)
	if err != nil || !errors.Is(d.Err, ErrSignatureMismatch) || !d.Explained ||
		len(d.Findings) != 1 || d.Findings[0].Mistake != "secret_prefix" {
		t.Fatalf("a stripped prefix: %+v, %v", d, err)
	}
	for _, f := range d.Findings {
		if strings.Contains(f.Message, secret[len("whsec_"):]) {
			t.Errorf("the secret is in %q", f.Message)
		}
	}
	d, err = Diagnose(SchemeBusiness, [][]byte{[]byte(secret)}, append(body, '\n'), header, clock)
	if err != nil || len(d.Findings) != 1 || d.Findings[0].Mistake != "body_trailing_newline" {
		t.Fatalf("an added newline: %+v, %v", d, err)
	}
	d, err = Diagnose(SchemeBusiness, [][]byte{[]byte(secret)}, body, header,
		WithClock(func() time.Time { return now.Add(900 * time.Second) }))
	if err != nil || !errors.Is(d.Err, ErrTimestampTooOld) || d.Findings[0].Mistake != "clock_skew" {
		t.Fatalf("a skewed clock: %+v, %v", d, err)
	}
	d, err = Diagnose(SchemeBusiness, [][]byte{{}}, body, header, clock)
	if err != nil || !errors.Is(d.Err, ErrInvalidSecret) {
		t.Fatalf("an empty secret: %+v, %v", d, err)
	}
	if _, err := Diagnose(Scheme(7), [][]byte{[]byte(secret)}, body, header); err == nil {
		t.Fatal("an invalid scheme was accepted")
	}
}
