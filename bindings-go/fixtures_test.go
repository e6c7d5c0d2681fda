package qontowebhooks

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The documentation's example payloads (core/tests/data/events): each one, signed, constructs an
// event through the public API (native or pure Go, by CGO_ENABLED), reads as sent, and keeps
// every field (compared as JSON values, numbers by their text: no float rounding).

const fixtureSecret = "whsec_fixture_secret_0123456789abcdef"

var fixtureNow = time.Unix(1772442000, 0)

type fixtureEntry struct {
	File            string  `json:"file"`
	Scheme          string  `json:"scheme"`
	DocumentedTopic *bool   `json:"documented_topic"`
	Action          *string `json:"action"`
}

func loadFixtureManifest(t *testing.T) []fixtureEntry {
	t.Helper()
	data, err := readShared(t, "core/tests/data/events/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var entries []fixtureEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		t.Fatal(err)
	}
	return entries
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := readShared(t, "core/tests/data/events/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// jsonValue decodes JSON with numbers kept as their text (json.Number).
func jsonValue(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return v
}

func TestFixtureManifestListsEveryFile(t *testing.T) {
	entries := loadFixtureManifest(t)
	dir, err := os.ReadDir("../core/tests/data/events")
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, listed []string
	for _, f := range dir {
		if strings.HasSuffix(f.Name(), ".json") && f.Name() != "manifest.json" {
			onDisk = append(onDisk, f.Name())
		}
	}
	for _, e := range entries {
		listed = append(listed, e.File)
		if (e.Scheme == "onboarding") != strings.HasPrefix(e.File, "onboarding-") {
			t.Errorf("%s: scheme %s", e.File, e.Scheme)
		}
	}
	sort.Strings(onDisk)
	sort.Strings(listed)
	if !slices.Equal(onDisk, listed) || len(listed) != 23 {
		t.Fatalf("on disk %v, in the manifest %v", onDisk, listed)
	}
}

func TestFixtureBusinessEvents(t *testing.T) {
	v, err := NewVerifier([]byte(fixtureSecret))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, entry := range loadFixtureManifest(t) {
		if entry.Scheme != "business" {
			continue
		}
		seen++
		t.Run(entry.File, func(t *testing.T) {
			body := readFixture(t, entry.File)
			var original map[string]json.RawMessage
			if err := json.Unmarshal(body, &original); err != nil {
				t.Fatal(err)
			}
			str := func(key string) string {
				var s string
				if err := json.Unmarshal(original[key], &s); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				return s
			}
			header, err := Sign([]byte(fixtureSecret), body, fixtureNow)
			if err != nil {
				t.Fatal(err)
			}
			e, err := v.ConstructEventAt(body, header, fixtureNow)
			if err != nil {
				t.Fatalf("%s did not construct: %v", Implementation, err)
			}
			for _, c := range []struct{ got, key string }{
				{e.ID, "id"}, {e.Type, "type"}, {e.Topic(), "type"}, {e.CreatedAt, "created_at"},
				{e.SubscriptionID, "subscription_id"}, {e.OrganizationID, "organization_id"},
				{e.MembershipID, "membership_id"},
			} {
				if c.got != str(c.key) {
					t.Errorf("%s: %q, sent %q", c.key, c.got, str(c.key))
				}
			}
			if slices.Contains(Topics, e.Type) != *entry.DocumentedTopic {
				t.Errorf("type %q: in Topics %v, the manifest says %v", e.Type,
					slices.Contains(Topics, e.Type), *entry.DocumentedTopic)
			}
			// created_at is kept as sent and reads as RFC 3339 (with or without a fraction or
			// an offset).
			if _, err := e.CreatedTime(); err != nil {
				t.Errorf("CreatedTime: %v", err)
			}
			var data map[string]any
			if err := json.Unmarshal(original["data"], &data); err != nil {
				t.Fatal(err)
			}
			sentEvent, hasEvent := data["event"].(string)
			if e.EventName != sentEvent || hasEvent != (entry.Action != nil) {
				t.Errorf("EventName %q, sent %q (manifest action %v)", e.EventName, sentEvent, entry.Action)
			}
			want := ""
			if entry.Action != nil {
				want = *entry.Action
			}
			if e.Action() != want {
				t.Errorf("Action() %q, want %q", e.Action(), want)
			}
			// data is kept raw, byte for byte; the envelope's unknown fields too.
			if !bytes.Equal(e.Data, original["data"]) {
				t.Errorf("Data %s, sent %s", e.Data, original["data"])
			}
			// Serialised back, the event is the original, as JSON values.
			back := map[string]any{
				"id": e.ID, "type": e.Type, "created_at": e.CreatedAt,
				"subscription_id": e.SubscriptionID, "organization_id": e.OrganizationID,
				"membership_id": e.MembershipID, "data": e.Data,
			}
			for k, raw := range e.Extra {
				back[k] = raw
			}
			text, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if got, sent := jsonValue(t, text), jsonValue(t, body); !reflect.DeepEqual(got, sent) {
				t.Errorf("round trip:\n got %s\nsent %s", text, body)
			}
		})
	}
	if seen != 22 {
		t.Fatalf("%d business fixtures", seen)
	}
}

func TestFixtureOnboardingEvents(t *testing.T) {
	v, err := NewVerifier([]byte(fixtureSecret))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, entry := range loadFixtureManifest(t) {
		if entry.Scheme != "onboarding" {
			continue
		}
		seen++
		body := readFixture(t, entry.File)
		header, err := SignOnboarding([]byte(fixtureSecret), body)
		if err != nil {
			t.Fatal(err)
		}
		e, err := v.ConstructOnboardingEvent(body, header)
		if err != nil {
			t.Fatalf("%s: %v", entry.File, err)
		}
		back := map[string]any{
			"id": e.ID, "event_type": e.EventType, "resource_type": e.ResourceType,
			"resource_id": e.ResourceID, "created_at": e.CreatedAt,
		}
		for k, raw := range e.Extra {
			back[k] = raw
		}
		text, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if got, sent := jsonValue(t, text), jsonValue(t, body); !reflect.DeepEqual(got, sent) {
			t.Errorf("%s: round trip:\n got %s\nsent %s", entry.File, text, body)
		}
	}
	if seen != 1 {
		t.Fatalf("%d onboarding fixtures", seen)
	}
}

func TestFixtureAmountsKeepTheirJSONType(t *testing.T) {
	v, err := NewVerifier([]byte(fixtureSecret))
	if err != nil {
		t.Fatal(err)
	}
	field := func(name, key string) string {
		body := readFixture(t, name)
		header, err := Sign([]byte(fixtureSecret), body, fixtureNow)
		if err != nil {
			t.Fatal(err)
		}
		e, err := v.ConstructEventAt(body, header, fixtureNow)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(e.Data, &fields); err != nil {
			t.Fatal(err)
		}
		return string(fields[key])
	}
	for _, c := range []struct{ file, key, want string }{
		{"transactions-created.json", "amount", `50.01`},
		{"transactions-created-string-amounts.json", "amount", `"50.00"`},
		{"transactions-updated-card.json", "amount", `50`},
		{"organizations-suspended.json", "legal_share_capital", `100000`},
		{"cards-created.json", "discarded_at", `"2022-11-31"`},
		{"terminal-payments-authorized.json", "metadata", `"{\"order_id\": \"zelty-order-456\"}"`},
		{"clients-created.json", "type", `"company"`},
	} {
		if got := field(c.file, c.key); got != c.want {
			t.Errorf("%s: %s is %s, sent %s", c.file, c.key, got, c.want)
		}
	}
}

func TestFixtureComparisonSeesAChange(t *testing.T) {
	if reflect.DeepEqual(jsonValue(t, []byte(`{"a":50}`)), jsonValue(t, []byte(`{"a":50.0}`))) {
		t.Error("50 and 50.0 compare equal")
	}
	if reflect.DeepEqual(jsonValue(t, []byte(`{"a":"50"}`)), jsonValue(t, []byte(`{"a":50}`))) {
		t.Error("a string and a number compare equal")
	}
}
