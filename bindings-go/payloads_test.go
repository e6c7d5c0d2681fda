package qontowebhooks_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

// The typed payloads (payloads.go, generated from core/payloads.json) against every documented
// example payload (core/tests/data/events), with and without cgo: each constructs an Event whose
// Payload() is its topic's type with nothing left in Extra (every field declared, of a kind its
// type reads), its action one the description names (the synthetic unknown event kept as sent),
// an unknown topic an *UnknownData; marshalled back, the data is the fixture's (numbers by their
// text).

const payloadSecret = "whsec_fixture_secret_0123456789abcdef"

var payloadNow = time.Unix(1772442000, 0)

// What Payload must return for each documented topic (written here, not generated).
var payloadTypes = map[string]any{
	"v1/transactions":                  (*qontowebhooks.TransactionData)(nil),
	"v1/accounts":                      (*qontowebhooks.AccountData)(nil),
	"v1/organizations":                 (*qontowebhooks.OrganizationData)(nil),
	"v1/memberships":                   (*qontowebhooks.MembershipData)(nil),
	"v1/consent-revocations":           (*qontowebhooks.ConsentRevocationData)(nil),
	"v1/cards":                         (*qontowebhooks.CardData)(nil),
	"v1/payment-links":                 (*qontowebhooks.PaymentLinkData)(nil),
	"v1/payment-links-connections":     (*qontowebhooks.PaymentLinksConnectionData)(nil),
	"v1/beneficiaries":                 (*qontowebhooks.BeneficiaryData)(nil),
	"v1/client-invoices":               (*qontowebhooks.ClientInvoiceData)(nil),
	"v1/terminal-payments":             (*qontowebhooks.TerminalPaymentData)(nil),
	"v1/clients":                       (*qontowebhooks.ClientData)(nil),
	"v1/products":                      (*qontowebhooks.ProductData)(nil),
	"v1/sepa-direct-debit-mandates":    (*qontowebhooks.SepaDirectDebitMandateData)(nil),
	"v1/sepa-direct-debit-collections": (*qontowebhooks.SepaDirectDebitCollectionData)(nil),
}

type payloadDescription struct {
	Topics []struct {
		Type   string   `json:"type"`
		Name   string   `json:"name"`
		Events []string `json:"events"`
	} `json:"topics"`
}

type payloadFixture struct {
	File   string  `json:"file"`
	Scheme string  `json:"scheme"`
	Action *string `json:"action"`
}

// readRepo reads a file of the repository (outside the module): skipped where only the module is.
func readRepo(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile("../" + path)
	if os.IsNotExist(err) {
		t.Skipf("%s is in the repository, not in the module", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadPayloadDescription(t *testing.T) payloadDescription {
	t.Helper()
	var d payloadDescription
	if err := json.Unmarshal(readRepo(t, "core/payloads.json"), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func loadPayloadFixtures(t *testing.T) []payloadFixture {
	t.Helper()
	var entries []payloadFixture
	if err := json.Unmarshal(readRepo(t, "core/tests/data/events/manifest.json"), &entries); err != nil {
		t.Fatal(err)
	}
	return entries
}

// constructFixture signs a fixture and constructs its Event.
func constructFixture(t *testing.T, file string) (*qontowebhooks.Event, []byte) {
	t.Helper()
	body := readRepo(t, "core/tests/data/events/"+file)
	return constructBody(t, body), body
}

func constructBody(t *testing.T, body []byte) *qontowebhooks.Event {
	t.Helper()
	v, err := qontowebhooks.NewVerifier([]byte(payloadSecret))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	header, err := qontowebhooks.Sign([]byte(payloadSecret), body, payloadNow)
	if err != nil {
		t.Fatal(err)
	}
	e, err := v.ConstructEventAt(body, header, payloadNow)
	if err != nil {
		t.Fatalf("%s: %v", qontowebhooks.Implementation, err)
	}
	return e
}

// exactJSON decodes JSON with numbers kept as their text (json.Number), strings as strings.
func exactJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return v
}

// extras lists every non-empty Extra map reachable from v (path: keys).
func extras(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return extras(v.Elem(), path)
	case reflect.Slice:
		var out []string
		for i := 0; i < v.Len(); i++ {
			out = append(out, extras(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Name == "Extra" && v.Field(i).Len() > 0 {
				var keys []string
				for _, k := range v.Field(i).MapKeys() {
					keys = append(keys, k.String())
				}
				slices.Sort(keys)
				out = append(out, fmt.Sprintf("%s.Extra: %v", path, keys))
			} else {
				out = append(out, extras(v.Field(i), path+"."+f.Name)...)
			}
		}
		return out
	}
	return nil
}

// walk calls visit for every exported field value reachable from v (pointers followed).
func walk(v reflect.Value, visit func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			visit(v)
			walk(v.Elem(), visit)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), visit)
		}
	case reflect.Struct:
		visit(v)
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), visit)
			}
		}
	default:
		visit(v)
	}
}

type typedPayload interface {
	Topic() string
	Action() string
}

func TestPayloadTypesAreTheDescriptionsTopics(t *testing.T) {
	var described []string
	for _, topic := range loadPayloadDescription(t).Topics {
		described = append(described, topic.Type)
		want := "*qontowebhooks." + topic.Name + "Data"
		if got := reflect.TypeOf(payloadTypes[topic.Type]); got == nil || got.String() != want {
			t.Errorf("%s: %v, want %s", topic.Type, got, want)
		}
	}
	if len(described) != len(payloadTypes) || len(described) != 15 {
		t.Fatalf("described %v, typed %d", described, len(payloadTypes))
	}
}

func TestPayloadFixtures(t *testing.T) {
	events := map[string][]string{}
	for _, topic := range loadPayloadDescription(t).Topics {
		events[topic.Type] = topic.Events
	}
	seen := map[string]bool{}
	count := 0
	for _, entry := range loadPayloadFixtures(t) {
		if entry.Scheme != "business" {
			continue
		}
		count++
		t.Run(entry.File, func(t *testing.T) {
			e, body := constructFixture(t, entry.File)
			payload, err := e.Payload()
			if err != nil {
				t.Fatalf("Payload: %v", err)
			}
			want, documented := payloadTypes[e.Type]
			if !documented {
				want = (*qontowebhooks.UnknownData)(nil)
			}
			if reflect.TypeOf(payload) != reflect.TypeOf(want) {
				t.Fatalf("Payload is %T, want %T", payload, want)
			}
			seen[e.Type] = true
			p := payload.(typedPayload)
			if p.Topic() != e.Type {
				t.Errorf("Topic() %q, want %q", p.Topic(), e.Type)
			}
			action := ""
			if entry.Action != nil {
				action = *entry.Action
			}
			if p.Action() != action || p.Action() != e.Action() {
				t.Errorf("Action() %q, want %q (Event.Action %q)", p.Action(), action, e.Action())
			}
			if documented {
				// Every field is declared: nothing left over, at any depth.
				if left := extras(reflect.ValueOf(payload), "data"); len(left) > 0 {
					t.Errorf("undeclared fields: %v", left)
				}
				known := slices.Contains(events[e.Type], action)
				if entry.File == "synthetic-unknown-event.json" {
					if known || *payload.(*qontowebhooks.CardData).Event != "frozen_for_review" {
						t.Errorf("the unknown event is not kept as sent")
					}
				} else if action != "" && !known {
					t.Errorf("%q is not a documented %s action %v", action, e.Type, events[e.Type])
				}
			}
			// Every timestamp reads leniently (with or without a fraction, Z or an offset).
			walk(reflect.ValueOf(payload), func(v reflect.Value) {
				if ts, ok := v.Interface().(qontowebhooks.Timestamp); ok {
					if _, err := ts.Time(); err != nil {
						t.Errorf("timestamp %q: %v", ts, err)
					}
				}
			})
			// Marshalled back: the data as sent, every field, numbers by their text.
			back, err := json.Marshal(payload)
			if err != nil {
				t.Fatal(err)
			}
			var original map[string]json.RawMessage
			if err := json.Unmarshal(body, &original); err != nil {
				t.Fatal(err)
			}
			if got, sent := exactJSON(t, back), exactJSON(t, original["data"]); !reflect.DeepEqual(got, sent) {
				t.Errorf("round trip:\n got %s\nsent %s", back, original["data"])
			}
		})
	}
	if count != 22 {
		t.Fatalf("%d business fixtures", count)
	}
	for topic := range payloadTypes {
		if !seen[topic] {
			t.Errorf("no fixture of %s", topic)
		}
	}
}

func TestPayloadUnknownTopicAndEvent(t *testing.T) {
	e, _ := constructFixture(t, "synthetic-unknown-topic.json")
	payload, err := e.Payload()
	unknown, ok := payload.(*qontowebhooks.UnknownData)
	if err != nil || !ok {
		t.Fatalf("%T, %v", payload, err)
	}
	if unknown.Type != "v2/unknown-future-topic" || unknown.Action() != "created" ||
		*unknown.Event != "unknown_future_topic.created" || !bytes.Equal(unknown.Data, e.Data) {
		t.Errorf("%+v", unknown)
	}
	back, err := json.Marshal(unknown)
	if err != nil || !reflect.DeepEqual(exactJSON(t, back), exactJSON(t, e.Data)) {
		t.Errorf("%s, %v", back, err)
	}

	e, _ = constructFixture(t, "synthetic-prefixed-event.json")
	payload, _ = e.Payload()
	link := payload.(*qontowebhooks.PaymentLinkData)
	if *link.Event != "payment_links.updated" || link.Action() != "updated" {
		t.Errorf("%q %q", *link.Event, link.Action())
	}

	e, _ = constructFixture(t, "consent-revocations.json")
	payload, _ = e.Payload()
	revoked := payload.(*qontowebhooks.ConsentRevocationData)
	if revoked.Event != nil || revoked.Action() != "" || *revoked.ClientID != "01968119-8efd-7422-8a8a-75c9b45a6a69" {
		t.Errorf("%+v", revoked)
	}
}

const envelope = `{"id":"e1","subscription_id":"s","organization_id":"o","membership_id":"m",` +
	`"type":"v1/transactions","created_at":"2026-03-02T09:00:00Z","data":%s}`

func TestPayloadDataThatDoesNotFit(t *testing.T) {
	for _, data := range []string{
		`{"event":"created","amount":true}`,
		`{"event":"created","amount":"12,50"}`,
		`{"event":"created","id":5}`,
		`{"event":"created","attachment_ids":"a"}`,
		`{"event":"created","bank_account":{"iban":7}}`,
		`{"event":"created","bank_account":[]}`,
	} {
		e := constructBody(t, []byte(fmt.Sprintf(envelope, data)))
		payload, err := e.Payload()
		unknown, ok := payload.(*qontowebhooks.UnknownData)
		if !ok || err == nil || !errors.Is(err, qontowebhooks.ErrInvalidPayload) {
			t.Errorf("%s: %T, %v", data, payload, err)
			continue
		}
		if unknown.Type != "v1/transactions" || unknown.Action() != "created" || string(unknown.Data) != data {
			t.Errorf("%s: %+v", data, unknown)
		}
		if !strings.Contains(err.Error(), "TransactionData") {
			t.Errorf("%s: %v", data, err)
		}
	}
}

func TestPayloadNullsAndUnknownFieldsAreKept(t *testing.T) {
	data := `{"event":"transactions.created","amount":null,"note":null,"later":{"a":[1,"2",null]},` +
		`"bank_account":{"iban":"FR76","new":true},"attachment_ids":[],"settled_balance":"0.10"}`
	e := constructBody(t, []byte(fmt.Sprintf(envelope, data)))
	payload, err := e.Payload()
	if err != nil {
		t.Fatal(err)
	}
	tx := payload.(*qontowebhooks.TransactionData)
	if tx.Amount != nil || tx.Note != nil || string(tx.Extra["amount"]) != "null" || string(tx.Extra["later"]) != `{"a":[1,"2",null]}` {
		t.Errorf("%+v", tx)
	}
	if *tx.BankAccount.IBAN != "FR76" || string(tx.BankAccount.Extra["new"]) != "true" {
		t.Errorf("%+v", tx.BankAccount)
	}
	if tx.AttachmentIDs == nil || len(tx.AttachmentIDs) != 0 || tx.SettledBalance.String() != "0.10" {
		t.Errorf("%v %v", tx.AttachmentIDs, tx.SettledBalance)
	}
	back, err := json.Marshal(tx)
	if err != nil || !reflect.DeepEqual(exactJSON(t, back), exactJSON(t, []byte(data))) {
		t.Errorf("%s, %v", back, err)
	}
	// A field set in Go wins over the null kept in Extra.
	one, _ := qontowebhooks.ParseDecimal("1.00")
	tx.Amount = &one
	back, _ = json.Marshal(tx)
	if !strings.Contains(string(back), `"amount":"1.00"`) || strings.Count(string(back), `"amount"`) != 1 {
		t.Errorf("%s", back)
	}
}

func TestDecimalExact(t *testing.T) {
	for _, c := range []struct{ json, text, rat string }{
		{`50.01`, "50.01", "5001/100"},
		{`"50.00"`, "50.00", "50"},
		{`0.1`, "0.1", "1/10"},
		{`77052.50`, "77052.50", "154105/2"},
		{`12345678901234.56`, "12345678901234.56", "1234567890123456/100"},
		{`100000`, "100000", "100000"},
		{`1e2`, "1e2", "100"},
		{`-0.5`, "-0.5", "-1/2"},
		{`"1E-3"`, "1E-3", "1/1000"},
		{`1E+2`, "1E+2", "100"},
		{`-2e-100000`, "-2e-100000", "-2/1" + strings.Repeat("0", 100000)},
	} {
		var d qontowebhooks.Decimal
		if err := json.Unmarshal([]byte(c.json), &d); err != nil {
			t.Errorf("%s: %v", c.json, err)
			continue
		}
		want, _ := new(big.Rat).SetString(c.rat)
		if d.String() != c.text || d.Rat().Cmp(want) != 0 || d.IsNumber() != (c.json[0] != '"') {
			t.Errorf("%s: %q %v %v", c.json, d.String(), d.Rat(), d.IsNumber())
		}
		back, err := json.Marshal(d)
		if err != nil || string(back) != c.json {
			t.Errorf("%s: marshalled %s, %v", c.json, back, err)
		}
	}
	for _, bad := range []string{`true`, `"abc"`, `"1,5"`, `""`, `" 1"`, `"+1"`, `".5"`, `"NaN"`, `{}`, `[1]`,
		`1e100001`, `"1e-100001"`, `1e99999999999999999999`} {
		var d qontowebhooks.Decimal
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: read as %q", bad, d)
		}
	}
	a, _ := qontowebhooks.ParseDecimal("50.00")
	var b qontowebhooks.Decimal
	if err := json.Unmarshal([]byte(`50`), &b); err != nil || a.Cmp(b) != 0 || a.String() == b.String() {
		t.Errorf("%v %v %v", a, b, err)
	}
	var zero qontowebhooks.Decimal
	if zero.String() != "0" || zero.Rat().Sign() != 0 {
		t.Errorf("zero: %q", zero.String())
	}
	if _, err := qontowebhooks.ParseDecimal("12.5.0"); err == nil {
		t.Error("12.5.0 parsed")
	}
}

func TestTimestampAndDate(t *testing.T) {
	want := time.Date(2025, 1, 24, 10, 55, 0, 0, time.UTC)
	for _, s := range []string{"2025-01-24T10:55:00Z", "2025-01-24T10:55:00.000Z", "2025-01-24T12:55:00+02:00",
		"2025-01-24t10:55:00z", "2025-01-24 10:55:00Z", "2025-01-24T10:55:00.000000000Z"} {
		got, err := qontowebhooks.Timestamp(s).Time()
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if got, err := qontowebhooks.Date("2022-03-01").Time(); err != nil || !got.Equal(time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%v %v", got, err)
	}
	// Kept raw, and an error only when read as a time: the card's impossible discarded_at.
	e, _ := constructFixture(t, "cards-created.json")
	payload, _ := e.Payload()
	card := payload.(*qontowebhooks.CardData)
	if *card.DiscardedAt != "2022-11-31" {
		t.Errorf("%q", *card.DiscardedAt)
	}
	if _, err := card.DiscardedAt.Time(); err == nil {
		t.Error("2022-11-31 read as a date")
	}
	if got, err := qontowebhooks.Date("2025-01-24T12:55:00+02:00").Time(); err != nil || !got.Equal(want) {
		t.Errorf("a date-time in a date field: %v %v", got, err)
	}
	for _, bad := range []string{"", "yesterday", "2025-01-24T10:55:00", "1706093700", "2025-01-24",
		"2025-01-24T10:55Z", "2022-11-31T10:55:00Z", " 2025-01-24T10:55:00Z"} {
		if _, err := qontowebhooks.ParseTimestamp(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// The README's "Typed payloads" example.
func ExampleEvent_Payload() {
	secret := []byte("whsec_example")
	body := []byte(`{"id":"0195a1b2","subscription_id":"s1","organization_id":"o1","membership_id":"m1",` +
		`"type":"v1/transactions","created_at":"2026-03-02T09:00:00Z",` +
		`"data":{"event":"transactions.created","id":"tx-1","amount":50.01,"currency":"EUR","settled_balance":"100.00"}}`)
	now := time.Unix(1772442000, 0)
	header, _ := qontowebhooks.Sign(secret, body, now)
	verifier, _ := qontowebhooks.NewVerifier(secret)
	defer verifier.Close()
	event, err := verifier.ConstructEventAt(body, header, now)
	if err != nil {
		panic(err)
	}
	// snippet:start payload
	payload, err := event.Payload()
	if err != nil {
		// A documented topic whose data does not fit its type: payload is an *UnknownData
		// holding the data as sent.
		fmt.Println("qonto:", err)
	}
	switch data := payload.(type) {
	case *qontowebhooks.TransactionData:
		// Amounts keep their text (50.01 sent as a number, "100.00" as a string): never a float.
		fmt.Println(data.Action(), data.Amount, *data.Currency, data.SettledBalance)
		// Exact arithmetic: Rat() is a *big.Rat.
		fmt.Println(new(big.Rat).Add(data.Amount.Rat(), data.SettledBalance.Rat()).FloatString(2))
	case *qontowebhooks.CardData:
		fmt.Println("card", data.Action(), *data.ID)
	case *qontowebhooks.UnknownData:
		// A topic this version does not type: its data as sent.
		fmt.Println(data.Type, data.Action(), string(data.Data))
	}
	// snippet:end payload

	// Output:
	// created 50.01 EUR 100.00
	// 150.01
}
