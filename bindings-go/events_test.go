package qontowebhooks

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestConstructEvent(t *testing.T) {
	secret := []byte("whsec_test")
	now := time.Unix(1735689600, 0)
	v, err := NewVerifierWithOptions([][]byte{secret}, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	body := []byte(`{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1",` +
		`"type":"v1/transactions","created_at":"2025-01-01T00:00:00.000Z",` +
		`"data":{"event":"transactions.created","amount":12.5},"new_field":[1,2]}`)
	header, _ := Sign(secret, body, now)
	e, err := v.ConstructEvent(body, header)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "e1" || e.Type != "v1/transactions" || e.Topic() != e.Type || e.SubscriptionID != "s1" ||
		e.OrganizationID != "o1" || e.MembershipID != "m1" || e.EventName != "transactions.created" ||
		e.Action() != "created" || e.Verified.Timestamp != now {
		t.Fatalf("%+v", e)
	}
	if created, err := e.CreatedTime(); err != nil || !created.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("created_at: %v %v", created, err)
	}
	var data struct{ Amount float64 }
	if err := json.Unmarshal(e.Data, &data); err != nil || data.Amount != 12.5 {
		t.Fatalf("data %s: %v", e.Data, err)
	}
	if string(e.Extra["new_field"]) != "[1,2]" || len(e.Extra) != 1 {
		t.Fatalf("extra %v", e.Extra)
	}

	// An unknown topic and no data.event are kept.
	body2 := []byte(`{"id":"e2","subscription_id":"s","organization_id":"o","membership_id":"m",` +
		`"type":"v9/teleportations","created_at":"x","data":{}}`)
	header, _ = Sign(secret, body2, now)
	if e, err := v.ConstructEventAt(body2, header, now); err != nil || e.Type != "v9/teleportations" ||
		e.EventName != "" || e.Action() != "" {
		t.Fatalf("unknown topic: %+v %v", e, err)
	}

	// A bad signature is the verification's error; a bad body invalid_payload.
	if _, err := v.ConstructEvent(body, "t=1735689600,v1="+string(make([]byte, 0))); !errors.Is(err, ErrMalformedHeader) {
		t.Fatalf("malformed: %v", err)
	}
	for _, bad := range []string{`[]`, `{"id":"e"}`, `{}x`, `not json`,
		`{"id":1,"subscription_id":"s","organization_id":"o","membership_id":"m","type":"t","created_at":"c","data":{}}`,
		`{"id":"e","subscription_id":"s","organization_id":"o","membership_id":"m","type":"t","created_at":"c","data":[]}`,
		`{"id":"e","subscription_id":"s","organization_id":"o","membership_id":"m","type":"t","created_at":"c","data":{"event":3}}`,
	} {
		header, _ := Sign(secret, []byte(bad), now)
		_, err := v.ConstructEvent([]byte(bad), header)
		var e *Error
		if !errors.Is(err, ErrInvalidPayload) || !errors.As(err, &e) || e.Code != "invalid_payload" {
			t.Errorf("%s: %v", bad, err)
		}
	}

	onboarding := []byte(`{"id":"r1","event_type":"registrations.completed","resource_type":"registration",` +
		`"resource_id":"x1","created_at":"2025-01-01T00:00:00Z","extra":true}`)
	oheader, _ := SignOnboarding(secret, onboarding)
	oe, err := v.ConstructOnboardingEvent(onboarding, oheader)
	if err != nil || oe.EventType != "registrations.completed" || oe.ResourceID != "x1" ||
		string(oe.Extra["extra"]) != "true" || oe.Verified.Scheme != SchemeOnboarding {
		t.Fatalf("%+v %v", oe, err)
	}
	if _, err := v.ConstructOnboardingEvent([]byte(`{}`), oheader); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("onboarding mismatch: %v", err)
	}
}
