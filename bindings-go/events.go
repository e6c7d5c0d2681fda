package qontowebhooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidPayload is the error (an *Error with the code "invalid_payload") of ConstructEvent
// and ConstructOnboardingEvent when the signature is valid but the body is not an event of the
// expected shape: not a JSON object, or a required field missing or of the wrong type.
var ErrInvalidPayload = sentinel("invalid_payload", "the body is not a Qonto event of the expected shape")

// Event is a business API event (the body of an X-Qonto-Signature webhook), as the core's
// typed envelope: the documented fields, data kept raw, unknown fields kept in Extra.
type Event struct {
	// ID is the event's id. Qonto retries deliveries: deduplicate on it.
	ID string
	// Type is the topic, e.g. "v1/transactions" (Topics lists the documented ones; unknown
	// topics are kept as sent).
	Type string
	// SubscriptionID is the webhook subscription that delivered it.
	SubscriptionID string
	// OrganizationID is the organization it concerns.
	OrganizationID string
	// MembershipID is the membership (user) the subscription belongs to.
	MembershipID string
	// CreatedAt is when the event happened, as sent (RFC 3339; see CreatedTime).
	CreatedAt string
	// EventName is data.event as sent ("created" or "transactions.created"); "" for topics
	// without one (consent revocations, client invoices).
	EventName string
	// Data is the event's payload, raw (event included): unmarshal it into your own type.
	Data json.RawMessage
	// Extra holds the envelope fields this version does not know, raw.
	Extra map[string]json.RawMessage
	// Verified is the verification's result (which secret matched, the header's timestamp).
	Verified Result
}

// Topic is the topic: the same as Type.
func (e *Event) Topic() string { return e.Type }

// Action is the event name without a topic prefix: "created" for both "created" and
// "transactions.created" (Qonto's lists and samples disagree on the prefix); "" when there is
// none.
func (e *Event) Action() string {
	if i := strings.LastIndexByte(e.EventName, '.'); i >= 0 {
		return e.EventName[i+1:]
	}
	return e.EventName
}

// CreatedTime parses CreatedAt (RFC 3339).
func (e *Event) CreatedTime() (time.Time, error) { return time.Parse(time.RFC3339Nano, e.CreatedAt) }

// OnboardingEvent is an onboarding API event (the body of a Qonto-SHA256-Signature webhook).
type OnboardingEvent struct {
	// ID is the event's id: deduplicate on it (onboarding webhooks have no replay window).
	ID string
	// EventType is e.g. "registrations.completed" (OnboardingEventTypes; others are kept).
	EventType string
	// ResourceType is the kind of resource, e.g. "registration".
	ResourceType string
	// ResourceID is the resource's id.
	ResourceID string
	// CreatedAt is when the event happened, as sent.
	CreatedAt string
	// Extra holds the fields this version does not know, raw.
	Extra map[string]json.RawMessage
	// Verified is the verification's result.
	Verified Result
}

func invalidPayload(format string, args ...any) *Error {
	return withMessage(ErrInvalidPayload, "the signature is valid but the body is not a Qonto event: "+
		fmt.Sprintf(format, args...))
}

// field is a required string field of an envelope.
type field struct {
	name string
	out  *string
}

// object reads body as a JSON object whose required fields are strings; it returns the fields
// left over.
func object(body []byte, required []field) (map[string]json.RawMessage, *Error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, invalidPayload("not a JSON object")
	}
	if dec.More() {
		return nil, invalidPayload("more than one JSON value")
	}
	for _, f := range required {
		name, out := f.name, f.out
		raw, ok := fields[name]
		if !ok {
			return nil, invalidPayload("the field %q is missing", name)
		}
		if err := json.Unmarshal(raw, out); err != nil || raw[0] != '"' {
			return nil, invalidPayload("the field %q is not a string", name)
		}
		delete(fields, name)
	}
	return fields, nil
}

func parseEvent(body []byte, verified Result) (*Event, error) {
	e := &Event{Verified: verified}
	extra, err := object(body, []field{
		{"id", &e.ID}, {"subscription_id", &e.SubscriptionID},
		{"organization_id", &e.OrganizationID}, {"membership_id", &e.MembershipID},
		{"type", &e.Type}, {"created_at", &e.CreatedAt},
	})
	if err != nil {
		return nil, err
	}
	data, ok := extra["data"]
	if !ok {
		return nil, invalidPayload("the field %q is missing", "data")
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil || fields == nil {
		return nil, invalidPayload("the field %q is not an object", "data")
	}
	if raw, ok := fields["event"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &e.EventName) != nil || raw[0] != '"' {
			return nil, invalidPayload("data.event is not a string")
		}
	}
	e.Data = data
	delete(extra, "data")
	e.Extra = extra
	return e, nil
}

// ConstructEvent verifies a business webhook (as Verify), then parses its body into an Event.
// It fails with the verification's *Error (nothing is parsed then), or ErrInvalidPayload when
// the signature is valid but the body is not an event.
func (v *Verifier) ConstructEvent(body []byte, header string) (*Event, error) {
	res, err := v.Verify(body, header)
	if err != nil {
		return nil, err
	}
	return parseEvent(body, res)
}

// ConstructEventAt is ConstructEvent at an explicit time.
func (v *Verifier) ConstructEventAt(body []byte, header string, now time.Time) (*Event, error) {
	res, err := v.VerifyAt(body, header, now)
	if err != nil {
		return nil, err
	}
	return parseEvent(body, res)
}

// ConstructOnboardingEvent verifies an onboarding webhook (as VerifyOnboarding), then parses its
// body into an OnboardingEvent.
func (v *Verifier) ConstructOnboardingEvent(body []byte, header string) (*OnboardingEvent, error) {
	res, err := v.VerifyOnboarding(body, header)
	if err != nil {
		return nil, err
	}
	e := &OnboardingEvent{Verified: res}
	extra, perr := object(body, []field{
		{"id", &e.ID}, {"event_type", &e.EventType}, {"resource_type", &e.ResourceType},
		{"resource_id", &e.ResourceID}, {"created_at", &e.CreatedAt},
	})
	if perr != nil {
		return nil, perr
	}
	e.Extra = extra
	return e, nil
}
