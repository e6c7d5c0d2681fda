package qontowebhooks

import (
	"bytes"
	"context"
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

var bg = context.Background()

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func memoryStore(t *testing.T, opts ...MemoryStoreOption) (*MemoryStore, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	s, err := NewMemoryStore(append([]MemoryStoreOption{WithStoreClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func mustClaim(t *testing.T, s Store, key string, lease time.Duration, want ClaimState) Claim {
	t.Helper()
	c, err := s.Claim(bg, key, lease)
	if err != nil {
		t.Fatalf("claim %s: %v", key, err)
	}
	if c.State != want {
		t.Fatalf("claim %s: %v, expected %v", key, c.State, want)
	}
	if (c.Token != "") != (want == Claimed) {
		t.Fatalf("claim %s: %v with token %q", key, c.State, c.Token)
	}
	return c
}

func TestMemoryStoreSteps(t *testing.T) {
	s, _ := memoryStore(t)
	first := mustClaim(t, s, "business:a", time.Minute, Claimed)
	mustClaim(t, s, "business:a", time.Minute, Processing)
	mustClaim(t, s, "business:b", time.Minute, Claimed) // another key is its own
	if err := s.Complete(bg, "business:a", first.Token, time.Hour); err != nil {
		t.Fatal(err)
	}
	mustClaim(t, s, "business:a", time.Minute, Done)
	// Release after complete: the claim is no longer ours (done has no token): a no-op.
	if err := s.Release(bg, "business:a", first.Token); err != nil {
		t.Fatal(err)
	}
	mustClaim(t, s, "business:a", time.Minute, Done)

	c := mustClaim(t, s, "business:c", time.Minute, Claimed)
	if err := s.Release(bg, "business:c", c.Token); err != nil {
		t.Fatal(err)
	}
	again := mustClaim(t, s, "business:c", time.Minute, Claimed)
	if again.Token == c.Token {
		t.Error("a new claim got the released claim's token")
	}
	if ClaimState(0).String() != "ClaimState(0)" || Claimed.String() != "claimed" ||
		Processing.String() != "processing" || Done.String() != "done" {
		t.Error("ClaimState names")
	}
}

func TestMemoryStoreTokenMismatch(t *testing.T) {
	s, _ := memoryStore(t)
	c := mustClaim(t, s, "k", time.Minute, Claimed)
	for _, token := range []string{"", "not-the-token", c.Token + "0"} {
		_ = s.Complete(bg, "k", token, time.Hour)
		_ = s.Release(bg, "k", token)
		mustClaim(t, s, "k", time.Minute, Processing)
	}
	// Unknown keys: nothing happens, nothing is created.
	_ = s.Complete(bg, "absent", c.Token, time.Hour)
	_ = s.Release(bg, "absent", c.Token)
	if n := s.Len(); n != 1 {
		t.Errorf("Len %d, expected 1", n)
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	s, clock := memoryStore(t)
	old := mustClaim(t, s, "k", time.Minute, Claimed)
	clock.Advance(time.Minute - time.Nanosecond)
	mustClaim(t, s, "k", time.Minute, Processing)
	clock.Advance(time.Nanosecond) // the lease is over: the handler is presumed dead
	fresh := mustClaim(t, s, "k", time.Minute, Claimed)
	// The expired claim's token no longer completes or releases anything.
	_ = s.Complete(bg, "k", old.Token, time.Hour)
	_ = s.Release(bg, "k", old.Token)
	mustClaim(t, s, "k", time.Minute, Processing)
	_ = s.Complete(bg, "k", fresh.Token, time.Hour)
	clock.Advance(time.Hour - time.Nanosecond)
	mustClaim(t, s, "k", time.Minute, Done)
	clock.Advance(time.Nanosecond) // the TTL is over
	mustClaim(t, s, "k", time.Minute, Claimed)
	// Complete after the lease: the entry expired, nothing is marked done.
	late := mustClaim(t, s, "late", time.Second, Claimed)
	clock.Advance(time.Second)
	_ = s.Complete(bg, "late", late.Token, time.Hour)
	mustClaim(t, s, "late", time.Second, Claimed)
}

func TestMemoryStoreEviction(t *testing.T) {
	s, clock := memoryStore(t, WithMaxEntries(3))
	a := mustClaim(t, s, "a", time.Hour, Claimed)
	mustClaim(t, s, "b", time.Minute, Claimed) // expires first
	c := mustClaim(t, s, "c", time.Hour, Claimed)
	_ = s.Complete(bg, "a", a.Token, 2*time.Hour)
	_ = s.Complete(bg, "c", c.Token, 2*time.Hour)
	clock.Advance(time.Minute)
	// Full: "b" expired, so it goes, not "a", the oldest.
	mustClaim(t, s, "d", time.Hour, Claimed)
	if n := s.Len(); n != 3 {
		t.Errorf("Len %d, expected 3", n)
	}
	mustClaim(t, s, "a", time.Hour, Done)
	mustClaim(t, s, "c", time.Hour, Done)
	// Full, nothing expired: the oldest ("a") goes, and can be processed again.
	mustClaim(t, s, "e", time.Hour, Claimed)
	if n := s.Len(); n != 3 {
		t.Errorf("Len %d, expected 3", n)
	}
	mustClaim(t, s, "c", time.Hour, Done)
	mustClaim(t, s, "d", time.Hour, Processing)
	mustClaim(t, s, "e", time.Hour, Processing)
	mustClaim(t, s, "a", time.Hour, Claimed) // evicted: claimed anew, evicting "c"
	mustClaim(t, s, "c", time.Hour, Claimed)

	// Complete moves an entry's expiry: the entry that expires first is still found first.
	two, clock := memoryStore(t, WithMaxEntries(2))
	x := mustClaim(t, two, "x", time.Minute, Claimed)
	mustClaim(t, two, "y", 10*time.Minute, Claimed)
	_ = two.Complete(bg, "x", x.Token, time.Hour)
	clock.Advance(10 * time.Minute)
	mustClaim(t, two, "z", time.Hour, Claimed) // "y" expired and goes, not "x", the oldest
	mustClaim(t, two, "x", time.Hour, Done)

	// Many keys through a small store: it never holds more than its bound.
	small, _ := memoryStore(t, WithMaxEntries(10))
	for i := range 1000 {
		mustClaim(t, small, fmt.Sprint(i), time.Hour, Claimed)
		if n := small.Len(); n > 10 {
			t.Fatalf("Len %d over the bound", n)
		}
	}
}

func TestMemoryStoreConcurrentClaims(t *testing.T) {
	s, _ := NewMemoryStore()
	var wg sync.WaitGroup
	var claimed atomic.Int64
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Claim(bg, "one", time.Minute)
			if err == nil && c.State == Claimed {
				claimed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := claimed.Load(); n != 1 {
		t.Errorf("%d winners, expected 1", n)
	}
}

func TestIdempotencyOptions(t *testing.T) {
	if _, err := NewMemoryStore(WithMaxEntries(0)); err == nil {
		t.Error("0 max entries accepted")
	}
	if _, err := NewMemoryStore(WithStoreClock(nil)); err == nil {
		t.Error("nil clock accepted")
	}
	s, _ := NewMemoryStore()
	if _, err := s.Claim(bg, "k", 0); err == nil {
		t.Error("0 lease accepted")
	}
	if _, err := NewIdempotencyGuard(nil); err == nil {
		t.Error("nil store accepted")
	}
	for _, opt := range []GuardOption{WithLease(0), WithTTL(-time.Second)} {
		if _, err := NewIdempotencyGuard(s, opt); err == nil {
			t.Error("a non-positive duration accepted")
		}
	}
	if _, err := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithIdempotency(nil)); err == nil {
		t.Error("WithIdempotency(nil) accepted")
	}
	g, err := NewIdempotencyGuard(s)
	if err != nil || g.Lease() != 60*time.Second || g.TTL() != 7*24*time.Hour {
		t.Errorf("defaults: %v %v %v", g.Lease(), g.TTL(), err)
	}
	g, _ = NewIdempotencyGuard(s, WithLease(90*time.Second), WithTTL(time.Hour))
	if g.Lease() != 90*time.Second || g.TTL() != time.Hour {
		t.Errorf("options: %v %v", g.Lease(), g.TTL())
	}
}

func TestIdempotencyKey(t *testing.T) {
	for body, want := range map[string]string{
		`{"id":"evt_1","type":"v1/transactions"}`: "business:evt_1",
		`{"data":{"id":"inner"},"id":"evt 2"}`:    "business:evt 2",
		` {"id":"\u00e9"} `:                       "business:é",
	} {
		if got, err := IdempotencyKey(SchemeBusiness, []byte(body)); got != want || err != nil {
			t.Errorf("%s: %q %v", body, got, err)
		}
	}
	if got, _ := IdempotencyKey(SchemeOnboarding, []byte(`{"id":"evt_1"}`)); got != "onboarding:evt_1" {
		t.Errorf("onboarding: %q", got)
	}
	for _, body := range []string{``, `null`, `[]`, `"id"`, `{}`, `{"id":""}`, `{"id":5}`,
		`{"id":null}`, `{"id":["a"]}`, `{"ID":"a"}`, `{"data":{"id":"inner"}}`, `{"id":"a"} {}`,
		`{"id":"a"`} {
		_, err := IdempotencyKey(SchemeBusiness, []byte(body))
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalidPayload) ||
			e.Message != "the event has no string `id` to deduplicate on" {
			t.Errorf("%q: %v", body, err)
		}
	}
	if _, err := IdempotencyKey(Scheme(7), []byte(`{"id":"a"}`)); err == nil {
		t.Error("an unknown scheme accepted")
	}
}

// guarded is a business verifier with the guard over store, and a handler counting its calls
// and answering status.
func guarded(t *testing.T, store Store, schemes Schemes, status *atomic.Int64, calls *atomic.Int64) http.Handler {
	t.Helper()
	v, err := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithSchemes(schemes),
		WithIdempotency(store, WithLease(90*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if _, ok := ResultFromContext(r.Context()); !ok {
			t.Error("no Result in the context")
		}
		if body, _ := io.ReadAll(r.Body); !bytes.HasPrefix(body, []byte(`{"id":`)) {
			t.Errorf("body %q", body)
		}
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"received":true}`))
	}))
}

// deliver sends one signed delivery through h; it returns the status, the error code (or the
// body) and the response.
func deliver(h http.Handler, header, value string, body []byte) (int, string, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
	req.Header.Set(header, value)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var reply struct{ Error string }
	if json.Unmarshal(rec.Body.Bytes(), &reply) == nil && reply.Error != "" {
		return rec.Code, reply.Error, rec
	}
	return rec.Code, rec.Body.String(), rec
}

func TestMiddlewareIdempotency(t *testing.T) {
	store, _ := NewMemoryStore()
	var status, calls atomic.Int64
	status.Store(200)
	h := guarded(t, store, SchemesBusiness, &status, &calls)
	body := []byte(`{"id":"evt_1","type":"v1/transactions"}`)
	header, _ := Sign([]byte(secret), body, time.Now())

	if code, text, _ := deliver(h, BusinessHeader, header, body); code != 200 || text != `{"received":true}` {
		t.Fatalf("first: %d %s", code, text)
	}
	code, text, rec := deliver(h, BusinessHeader, header, body)
	if code != 200 || text != `{"duplicate":true,"id":"evt_1"}` ||
		rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("duplicate: %d %s %v", code, text, rec.Header())
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times", n)
	}
	// Another event (same signature scheme, other id) is its own.
	other := []byte(`{"id":"evt_2"}`)
	otherHeader, _ := Sign([]byte(secret), other, time.Now())
	if code, _, _ := deliver(h, BusinessHeader, otherHeader, other); code != 200 || calls.Load() != 2 {
		t.Errorf("another event: %d, %d calls", code, calls.Load())
	}

	// While a delivery holds the claim: 409 with Retry-After, the lease in seconds.
	c := mustClaim(t, store, "business:evt_3", time.Minute, Claimed)
	busy := []byte(`{"id":"evt_3"}`)
	busyHeader, _ := Sign([]byte(secret), busy, time.Now())
	code, text, rec = deliver(h, BusinessHeader, busyHeader, busy)
	var reply struct{ Error, Message string }
	_ = json.Unmarshal(rec.Body.Bytes(), &reply)
	if code != 409 || text != "duplicate_in_progress" || rec.Header().Get("Retry-After") != "90" ||
		reply.Message != "event evt_3 is being processed by another delivery; Qonto will retry it" {
		t.Errorf("in progress: %d %s %v %q", code, text, rec.Header(), reply.Message)
	}
	_ = store.Release(bg, "business:evt_3", c.Token)
	if code, _, _ := deliver(h, BusinessHeader, busyHeader, busy); code != 200 || calls.Load() != 3 {
		t.Errorf("after release: %d, %d calls", code, calls.Load())
	}
}

func TestMiddlewareIdempotencyNoID(t *testing.T) {
	store := &recordingStore{Store: mustMemory(t)}
	var status, calls atomic.Int64
	status.Store(200)
	h := guarded(t, store, SchemesBusiness, &status, &calls)
	for _, body := range []string{`{"id":5}`, `{"type":"v1/transactions"}`, `[1]`, `not json`, `{"id":""}`} {
		header, _ := Sign([]byte(secret), []byte(body), time.Now())
		code, text, rec := deliver(h, BusinessHeader, header, []byte(body))
		var reply struct{ Message string }
		_ = json.Unmarshal(rec.Body.Bytes(), &reply)
		if code != 400 || text != "invalid_payload" ||
			reply.Message != "the event has no string `id` to deduplicate on" {
			t.Errorf("%s: %d %s %q", body, code, text, reply.Message)
		}
	}
	// A bad signature is refused before the guard: the store never sees it.
	body := []byte(`{"id":"evt_1"}`)
	header, _ := Sign([]byte("whsec_another_secret"), body, time.Now())
	if code, text, _ := deliver(h, BusinessHeader, header, body); code != 400 || text != "signature_mismatch" {
		t.Errorf("bad signature: %d %s", code, text)
	}
	if calls.Load() != 0 || store.calls.Load() != 0 {
		t.Errorf("handler %d calls, store %d calls", calls.Load(), store.calls.Load())
	}
}

func mustMemory(t *testing.T) *MemoryStore {
	t.Helper()
	s, err := NewMemoryStore()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recordingStore counts the calls to a Store.
type recordingStore struct {
	Store
	calls atomic.Int64
}

func (s *recordingStore) Claim(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	s.calls.Add(1)
	return s.Store.Claim(ctx, key, lease)
}

// N deliveries of one signed event at once, through a real server: the handler runs once.
func TestMiddlewareIdempotencyConcurrent(t *testing.T) {
	const n = 32
	store := mustMemory(t)
	v, err := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithIdempotency(store))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var calls atomic.Int64
	proceed := make(chan struct{})
	mux := http.NewServeMux()
	// The first handler call waits until every other delivery was answered: they all find the
	// event processing. A second call (a broken guard) answers at once, and the test sees it.
	mux.Handle("/blocking", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-proceed
		}
		_, _ = w.Write([]byte(`{"received":true}`))
	})))
	var freeCalls atomic.Int64
	mux.Handle("/free", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		freeCalls.Add(1)
		_, _ = w.Write([]byte(`{"received":true}`))
	})))
	server := httptest.NewServer(mux)
	defer server.Close()

	type answer struct {
		code int
		text string
	}
	fire := func(path string, body []byte) chan answer {
		header, _ := Sign([]byte(secret), body, time.Now())
		answers := make(chan answer, n)
		for range n {
			go func() {
				req, _ := http.NewRequest(http.MethodPost, server.URL+path, bytes.NewReader(body))
				req.Header.Set(BusinessHeader, header)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					answers <- answer{0, err.Error()}
					return
				}
				defer resp.Body.Close()
				text, _ := io.ReadAll(resp.Body)
				answers <- answer{resp.StatusCode, strings.TrimSpace(string(text))}
			}()
		}
		return answers
	}

	answers := fire("/blocking", []byte(`{"id":"evt_concurrent"}`))
	for range n - 1 {
		a := <-answers
		if a.code != 409 || !strings.Contains(a.text, `"error":"duplicate_in_progress"`) {
			t.Errorf("while processing: %d %s", a.code, a.text)
		}
	}
	close(proceed)
	if a := <-answers; a.code != 200 || a.text != `{"received":true}` {
		t.Errorf("the processed delivery: %d %s", a.code, a.text)
	}
	answers = fire("/blocking", []byte(`{"id":"evt_concurrent"}`)) // once it is done
	for range n {
		if a := <-answers; a.code != 200 || a.text != `{"duplicate":true,"id":"evt_concurrent"}` {
			t.Errorf("after the processed delivery: %d %s", a.code, a.text)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("handler ran %d times", got)
	}

	// Without waiting: every answer is the handler's, a duplicate or in progress; one handler call.
	answers = fire("/free", []byte(`{"id":"evt_concurrent_2"}`))
	for range n {
		a := <-answers
		switch {
		case a.code == 200 && a.text == `{"received":true}`:
		case a.code == 200 && a.text == `{"duplicate":true,"id":"evt_concurrent_2"}`:
		case a.code == 409 && strings.Contains(a.text, `"error":"duplicate_in_progress"`):
		default:
			t.Errorf("answer %d %s", a.code, a.text)
		}
	}
	if got := freeCalls.Load(); got != 1 {
		t.Errorf("handler ran %d times", got)
	}
}

// A failing handler (non-2xx, or a panic) releases the claim: the retry is processed.
func TestMiddlewareIdempotencyFailingHandler(t *testing.T) {
	store := mustMemory(t)
	var status, calls atomic.Int64
	h := guarded(t, store, SchemesBusiness, &status, &calls)
	body := []byte(`{"id":"evt_fail"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	for i, want := range []int{500, 503, 404, 200} {
		status.Store(int64(want))
		if code, _, _ := deliver(h, BusinessHeader, header, body); code != want || calls.Load() != int64(i+1) {
			t.Fatalf("delivery %d: %d, %d calls", i, code, calls.Load())
		}
	}
	if code, text, _ := deliver(h, BusinessHeader, header, body); code != 200 ||
		text != `{"duplicate":true,"id":"evt_fail"}` || calls.Load() != 4 {
		t.Errorf("after success: %d %s, %d calls", code, text, calls.Load())
	}

	// A panicking handler: the claim is released and the panic goes on.
	v, _ := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithIdempotency(store))
	defer v.Close()
	var panics atomic.Int64
	ph := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if panics.Add(1) == 1 {
			panic("the handler failed")
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	body = []byte(`{"id":"evt_panic"}`)
	header, _ = Sign([]byte(secret), body, time.Now())
	func() {
		defer func() {
			if p := recover(); p != "the handler failed" {
				t.Errorf("panic %v", p)
			}
		}()
		deliver(ph, BusinessHeader, header, body)
		t.Error("no panic")
	}()
	if code, _, _ := deliver(ph, BusinessHeader, header, body); code != 202 || panics.Load() != 2 {
		t.Errorf("after the panic: %d, %d calls", code, panics.Load())
	}
	if code, text, _ := deliver(ph, BusinessHeader, header, body); code != 200 || panics.Load() != 2 ||
		text != `{"duplicate":true,"id":"evt_panic"}` {
		t.Errorf("after success: %d %s", code, text)
	}

	// An informational answer (103 Early Hints) before the final one: the final one counts.
	hints := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusNoContent)
	}))
	body = []byte(`{"id":"evt_hints"}`)
	header, _ = Sign([]byte(secret), body, time.Now())
	deliver(hints, BusinessHeader, header, body) // (the recorder keeps the 103 as its Code)
	mustClaim(t, store, "business:evt_hints", time.Minute, Done)

	// A handler that writes nothing answers 200 (net/http's default): completed.
	silent := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	body = []byte(`{"id":"evt_silent"}`)
	header, _ = Sign([]byte(secret), body, time.Now())
	deliver(silent, BusinessHeader, header, body)
	mustClaim(t, store, "business:evt_silent", time.Minute, Done)
}

// A write to a client that is gone fails: the claim is released.
type brokenWriter struct{ *httptest.ResponseRecorder }

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

// ctxStore refuses to work under a cancelled context, as a network client does.
type ctxStore struct{ Store }

func (s ctxStore) Complete(ctx context.Context, key, token string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.Complete(ctx, key, token, ttl)
}

func (s ctxStore) Release(ctx context.Context, key, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.Release(ctx, key, token)
}

// The client may be gone (the request's context cancelled) when the handler returns: the store
// is still told.
func TestMiddlewareIdempotencyClientGone(t *testing.T) {
	memory := mustMemory(t)
	v, _ := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithIdempotency(ctxStore{memory}))
	defer v.Close()
	for _, c := range []struct {
		id     string
		status int
		want   ClaimState
	}{{"evt_gone_ok", 200, Done}, {"evt_gone_failed", 500, Claimed}} {
		ctx, cancel := context.WithCancel(bg)
		h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel()
			w.WriteHeader(c.status)
		}))
		body := []byte(`{"id":"` + c.id + `"}`)
		header, _ := Sign([]byte(secret), body, time.Now())
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)).WithContext(ctx)
		req.Header.Set(BusinessHeader, header)
		h.ServeHTTP(httptest.NewRecorder(), req)
		mustClaim(t, memory, "business:"+c.id, time.Minute, c.want)
	}
}

func TestMiddlewareIdempotencyBrokenConnection(t *testing.T) {
	store := mustMemory(t)
	v, _ := NewVerifierWithOptions([][]byte{[]byte(secret)}, WithIdempotency(store))
	defer v.Close()
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"received":true}`))
	}))
	body := []byte(`{"id":"evt_reset"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(BusinessHeader, header)
	h.ServeHTTP(brokenWriter{httptest.NewRecorder()}, req)
	mustClaim(t, store, "business:evt_reset", time.Minute, Claimed)
}

// Onboarding webhooks have no timestamp: a replay verifies forever, and the guard refuses it.
func TestMiddlewareIdempotencyOnboarding(t *testing.T) {
	store := mustMemory(t)
	var status, calls atomic.Int64
	status.Store(200)
	h := guarded(t, store, SchemesOnboarding, &status, &calls)
	body := []byte(`{"id":"evt_1","event_type":"registrations.completed"}`)
	header, _ := SignOnboarding([]byte(secret), body)
	if code, _, _ := deliver(h, OnboardingHeader, header, body); code != 200 {
		t.Fatalf("first: %d", code)
	}
	code, text, _ := deliver(h, OnboardingHeader, header, body) // the same bytes, the same signature
	if code != 200 || text != `{"duplicate":true,"id":"evt_1"}` || calls.Load() != 1 {
		t.Errorf("replay: %d %s, %d calls", code, text, calls.Load())
	}

	// Business and onboarding ids live in different key spaces, even on one store and endpoint.
	both := guarded(t, store, SchemesBoth, &status, &calls)
	business, _ := Sign([]byte(secret), body, time.Now())
	if code, text, _ := deliver(both, BusinessHeader, business, body); code != 200 ||
		text != `{"received":true}` || calls.Load() != 2 {
		t.Errorf("business evt_1: %d %s, %d calls", code, text, calls.Load())
	}
	if code, text, _ := deliver(both, OnboardingHeader, header, body); code != 200 ||
		text != `{"duplicate":true,"id":"evt_1"}` || calls.Load() != 2 {
		t.Errorf("onboarding evt_1 again: %d %s, %d calls", code, text, calls.Load())
	}
	mustClaim(t, store, "business:evt_1", time.Minute, Done)
	mustClaim(t, store, "onboarding:evt_1", time.Minute, Done)
}

// failingStore is a store that cannot be reached.
type failingStore struct{}

func (failingStore) Claim(context.Context, string, time.Duration) (Claim, error) {
	return Claim{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}
func (failingStore) Complete(context.Context, string, string, time.Duration) error {
	return errors.New("unreachable")
}
func (failingStore) Release(context.Context, string, string) error { return errors.New("unreachable") }

func TestMiddlewareIdempotencyStoreError(t *testing.T) {
	var status, calls atomic.Int64
	status.Store(200)
	h := guarded(t, failingStore{}, SchemesBusiness, &status, &calls)
	body := []byte(`{"id":"evt_1"}`)
	header, _ := Sign([]byte(secret), body, time.Now())
	code, text, rec := deliver(h, BusinessHeader, header, body)
	var reply struct{ Message string }
	_ = json.Unmarshal(rec.Body.Bytes(), &reply)
	if code != 503 || text != "idempotency_store_unavailable" || calls.Load() != 0 || reply.Message !=
		"the idempotency store did not answer, so the event was not processed; Qonto will retry it" {
		t.Errorf("store down: %d %s %q, %d calls", code, text, reply.Message, calls.Load())
	}
	if strings.Contains(rec.Body.String(), "6379") {
		t.Errorf("the store's error is in the answer: %s", rec.Body)
	}
}

// By hand, around your own processing (e.g. a queue): claim, enqueue, complete.
func TestIdempotencyGuardByHand(t *testing.T) {
	store, clock := memoryStore(t)
	g, _ := NewIdempotencyGuard(store, WithLease(time.Minute), WithTTL(time.Hour))
	key, _ := IdempotencyKey(SchemeBusiness, []byte(`{"id":"evt_1"}`))
	c, err := g.Claim(bg, key)
	if err != nil || c.State != Claimed {
		t.Fatal(c, err)
	}
	if again, _ := g.Claim(bg, key); again.State != Processing {
		t.Errorf("second claim: %v", again.State)
	}
	_ = g.Complete(bg, key, c.Token)
	clock.Advance(time.Hour - time.Second)
	if again, _ := g.Claim(bg, key); again.State != Done {
		t.Errorf("before the TTL: %v", again.State)
	}
	clock.Advance(time.Second)
	c, _ = g.Claim(bg, key)
	_ = g.Release(bg, key, c.Token)
	if again, _ := g.Claim(bg, key); again.State != Claimed {
		t.Errorf("after release: %v", again.State)
	}
}
