//go:build !cgo || !(linux && amd64) || qonto_webhooks_purego

// The pure-Go implementation: the contract on crypto/hmac, crypto/sha256 and crypto/subtle, for
// builds without cgo and platforms without a prebuilt libqonto_webhooks. It follows the Rust
// core rule for rule (core/src/header.rs, verifier.rs, request.rs, error.rs): the same checks in
// the same order, the same codes and the same messages, held to the same vectors.

package qontowebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
)

// Implementation says which implementation this build runs: "native" (libqonto_webhooks, the
// Rust core through cgo) or "go" (pure Go).
const Implementation = "go"

// libraryVersion is the version of the qonto-webhooks core this implementation follows.
const libraryVersion = "0.1.0"

func version() string { return libraryVersion }

// engine is a verifier: the secrets (copies), the window and the schemes.
type engine struct {
	keys      [][]byte
	tolerance uint64
	noWindow  bool
	schemes   Schemes
}

func schemeName(s Scheme) string { return s.String() }

// coreError is the core's error id for a failure of scheme: its code, and its message rendered
// from the core's template (contract.go).
func coreError(id string, s Scheme, values ...any) *Error {
	return &Error{Code: messageTemplates[id].code, Message: message(id, schemeName(s), values...)}
}

func errEmptySecret() *Error { return coreError("empty_secret", SchemeBusiness) }

func errMissing(s Scheme) *Error { return coreError("header_missing", s) }

func errTooLong(s Scheme, n int) *Error { return coreError("header_too_long", s, "len", n) }

// errMalformed is the business header's malformed_header of the core's template id.
func errMalformed(id string) *Error { return coreError(id, SchemeBusiness) }

func errWithoutEquals(item int) *Error {
	return coreError("item_without_equals", SchemeBusiness, "item", item)
}

func errMismatch(s Scheme, secrets, candidates int) *Error {
	return coreError("signature_mismatch_"+schemeName(s), s, "secrets", secrets, "candidates", candidates)
}

func newEngine(secrets [][]byte, cfg config) (*engine, error) {
	e := &engine{tolerance: cfg.tolerance, noWindow: cfg.noWindow, schemes: cfg.schemes}
	if cfg.tolerance > 1<<63-1 {
		// Unreachable through the options (a time.Duration); the C ABI's answer, kept identical.
		return nil, &Error{Code: "invalid_argument", Message: "tolerance_secs is above INT64_MAX: a " +
			"negative number converted to uint64_t (a -1 read from configuration?). Pass seconds " +
			"(QW_DEFAULT_TOLERANCE_SECS is Qonto's 5 minutes); to switch the window off, call " +
			"qw_verifier_disable_tolerance"}
	}
	for _, s := range secrets {
		if len(s) == 0 {
			return nil, errEmptySecret()
		}
		if len(e.keys) == MaxSecrets {
			return nil, coreError("too_many_secrets", SchemeBusiness)
		}
		e.keys = append(e.keys, append([]byte(nil), s...))
	}
	if len(e.keys) == 0 {
		return nil, coreError("no_secret", SchemeBusiness)
	}
	return e, nil
}

// free wipes the secrets (as far as Go allows: the HMAC states made from them are not).
func (e *engine) free() {
	for _, k := range e.keys {
		clear(k)
	}
	e.keys = nil
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' }

func trimStart(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	return s
}

func trim(s string) string {
	s = trimStart(s)
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// decodeSignature is the 32 bytes of exactly 64 hex digits (either case).
func decodeSignature(h string) ([]byte, bool) {
	if len(h) != 64 {
		return nil, false
	}
	out, err := hex.DecodeString(h)
	return out, err == nil
}

// parsed is a valid X-Qonto-Signature value.
type parsed struct {
	timestampText string
	timestamp     uint64
	candidates    [][]byte
}

// parseTimestamp reads one run of ASCII digits: the text, its value and what follows.
func parseTimestamp(text string) (string, uint64, string, *Error) {
	n := 0
	var value uint64
	for n < len(text) && text[n] >= '0' && text[n] <= '9' {
		d := uint64(text[n] - '0')
		if value > (1<<64-1-d)/10 {
			return "", 0, "", errMalformed("timestamp_overflow")
		}
		value = value*10 + d
		n++
	}
	if n == 0 {
		return "", 0, "", errMalformed("timestamp_not_digits")
	}
	return text[:n], value, text[n:], nil
}

// parseBusiness is the core's SignatureHeader::parse: one pass over the items, the same errors
// in the same order.
func parseBusiness(header string) (*parsed, *Error) {
	if len(header) > maxHeaderLen {
		return nil, errTooLong(SchemeBusiness, len(header))
	}
	value := trim(header)
	if value == "" {
		return nil, errMissing(SchemeBusiness)
	}
	p := &parsed{}
	haveTimestamp := false
	rest := value
	for item := 1; ; item++ {
		rest = trimStart(rest)
		eq := -1
		for i := 0; i < len(rest); i++ {
			if rest[i] == '=' || rest[i] == ',' {
				eq = i
				break
			}
		}
		if eq < 0 || rest[eq] != '=' {
			return nil, errWithoutEquals(item)
		}
		key, after := rest[:eq], rest[eq+1:]
		var tail, detail string
		switch key {
		case "t":
			if haveTimestamp {
				return nil, errMalformed("duplicate_timestamp")
			}
			text, ts, t, err := parseTimestamp(after)
			if err != nil {
				return nil, err
			}
			p.timestampText, p.timestamp, haveTimestamp = text, ts, true
			tail, detail = t, "timestamp_not_digits"
		case "v1":
			n := min(len(after), 64)
			sig, ok := decodeSignature(after[:n])
			if !ok {
				return nil, errMalformed("signature_not_hex_business")
			}
			p.candidates = append(p.candidates, sig)
			tail, detail = after[n:], "signature_not_hex_business"
		default:
			end := len(after)
			for i := 0; i < len(after); i++ {
				if after[i] == ',' {
					end = i
					break
				}
			}
			tail = after[end:]
		}
		tail = trimStart(tail)
		if tail == "" {
			break
		}
		if tail[0] != ',' {
			return nil, errMalformed(detail)
		}
		rest = tail[1:]
	}
	if !haveTimestamp {
		return nil, coreError("no_timestamp", SchemeBusiness)
	}
	if len(p.candidates) == 0 {
		return nil, coreError("no_signature", SchemeBusiness)
	}
	return p, nil
}

// parseOnboarding is the core's Signature::parse_onboarding.
func parseOnboarding(header string) ([]byte, *Error) {
	if len(header) > maxHeaderLen {
		return nil, errTooLong(SchemeOnboarding, len(header))
	}
	h := trim(header)
	if h == "" {
		return nil, errMissing(SchemeOnboarding)
	}
	sig, ok := decodeSignature(h)
	if !ok {
		return nil, coreError("signature_not_hex_onboarding", SchemeOnboarding)
	}
	return sig, nil
}

// checkWindow is the core's Tolerance::check.
func (e *engine) checkWindow(timestamp, now uint64) *Error {
	if e.noWindow {
		return nil
	}
	if now >= timestamp {
		if age := now - timestamp; age > e.tolerance {
			return coreError("too_old", SchemeBusiness, "age", age, "tolerance", e.tolerance)
		}
	} else if ahead := timestamp - now; ahead > e.tolerance {
		return coreError("in_future", SchemeBusiness, "ahead", ahead, "tolerance", e.tolerance)
	}
	return nil
}

// selectHeader is the core's Schemes::select: the configuration picks the header.
func (e *engine) selectHeader(business, onboarding optHeader) (Scheme, string, *Error) {
	isPresent := func(h optHeader) bool {
		return h.present && (len(h.value) > maxHeaderLen || trim(h.value) != "")
	}
	b, o := isPresent(business), isPresent(onboarding)
	var scheme Scheme
	var chosen optHeader
	other := false
	switch e.schemes {
	case SchemesOnboarding:
		scheme, chosen, other = SchemeOnboarding, onboarding, b
		chosen.present = o
	case SchemesBoth:
		switch {
		case b:
			return SchemeBusiness, business.value, nil
		case o:
			return SchemeOnboarding, onboarding.value, nil
		}
		return 0, "", coreError("headers_missing", SchemeBusiness)
	default:
		scheme, chosen, other = SchemeBusiness, business, o
		chosen.present = b
	}
	switch {
	case chosen.present:
		return scheme, chosen.value, nil
	case other:
		return 0, "", coreError("other_scheme_only", scheme)
	}
	return 0, "", errMissing(scheme)
}

// firstMatch is the index of the first key whose tag matches a candidate, every comparison in
// constant time and none skipped; -1 when none does.
func firstMatch(tags [][]byte, candidates [][]byte) int {
	found := -1
	for i, tag := range tags {
		matched := 0
		for _, c := range candidates {
			matched |= subtle.ConstantTimeCompare(tag, c)
		}
		if found < 0 && matched == 1 {
			found = i
		}
	}
	return found
}

// state is an incremental verification: one HMAC per secret, and the header to check at the end.
type state struct {
	macs       []hash.Hash
	scheme     Scheme
	candidates [][]byte
	timestamp  uint64
}

func (s *state) update(chunk []byte) {
	for _, m := range s.macs {
		m.Write(chunk)
	}
}

func (s *state) finish() (Result, error) {
	tags := make([][]byte, len(s.macs))
	for i, m := range s.macs {
		tags[i] = m.Sum(nil)
	}
	index := firstMatch(tags, s.candidates)
	if index < 0 {
		return Result{}, errMismatch(s.scheme, len(s.macs), len(s.candidates))
	}
	res := Result{SecretIndex: index, Scheme: s.scheme}
	if s.scheme == SchemeBusiness {
		res.Timestamp = timestampTime(s.timestamp)
	}
	s.free()
	return res, nil
}

func (s *state) free() { s.macs = nil }

func (e *engine) startScheme(scheme Scheme, header string, now uint64) (*state, error) {
	s := &state{scheme: scheme}
	var prefix string
	if scheme == SchemeBusiness {
		p, err := parseBusiness(header)
		if err != nil {
			return nil, err
		}
		if err := e.checkWindow(p.timestamp, now); err != nil {
			return nil, err
		}
		s.candidates, s.timestamp, prefix = p.candidates, p.timestamp, p.timestampText+"."
	} else {
		sig, err := parseOnboarding(header)
		if err != nil {
			return nil, err
		}
		s.candidates = [][]byte{sig}
	}
	for _, k := range e.keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(prefix))
		s.macs = append(s.macs, m)
	}
	return s, nil
}

func (e *engine) start(first, second optHeader, now uint64, mode int) (*state, error) {
	switch mode {
	case goOnboarding:
		return e.startScheme(SchemeOnboarding, first.value, now)
	case goRequest:
		scheme, header, err := e.selectHeader(first, second)
		if err != nil {
			return nil, err
		}
		return e.startScheme(scheme, header, now)
	}
	return e.startScheme(SchemeBusiness, first.value, now)
}

func (e *engine) verify(body []byte, first, second optHeader, now uint64, mode int) (Result, error) {
	s, err := e.start(first, second, now, mode)
	if err != nil {
		return Result{}, err
	}
	s.update(body)
	return s.finish()
}

func sign(secret, body []byte, timestamp uint64, onboarding bool) (string, error) {
	if len(secret) == 0 {
		return "", errEmptySecret()
	}
	m := hmac.New(sha256.New, secret)
	if onboarding {
		m.Write(body)
		return hex.EncodeToString(m.Sum(nil)), nil
	}
	t := strconv.FormatUint(timestamp, 10)
	m.Write([]byte(t + "."))
	m.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil)), nil
}

// errDiagnoseUnsupported is Diagnose's error in the pure-Go implementation (errors.Is
// errors.ErrUnsupported): diagnosing needs the native library (the core's diagnose module).
var errDiagnoseUnsupported = fmt.Errorf("qontowebhooks: Diagnose needs the native implementation "+
	"(cgo on a platform with a prebuilt libqonto_webhooks); run `qonto-webhooks diagnose` instead: %w",
	errors.ErrUnsupported)

func diagnose(Scheme, [][]byte, []byte, string, config) (Diagnosis, error) {
	return Diagnosis{}, errDiagnoseUnsupported
}
