//go:build cgo && linux && amd64 && !qonto_webhooks_purego

// The native implementation: libqonto_webhooks (the Rust core's C ABI), linked statically from
// lib/<GOOS>_<GOARCH>/ inside this module (the wasmtime-go pattern), against the module's own
// copy of the header (include/). Platforms with a prebuilt library are listed in this file's
// build constraint, with their #cgo LDFLAGS line, and in pure.go's; every other build, and any
// build with -tags qonto_webhooks_purego, is the pure-Go one.

package qontowebhooks

/*
#cgo CFLAGS: -I${SRCDIR}/include
#cgo linux,amd64 LDFLAGS: ${SRCDIR}/lib/linux_amd64/libqonto_webhooks.a -lpthread -ldl -lm
#include <stdlib.h>
#include <string.h>
#include "qonto_webhooks.h"

typedef struct {
  qw_status status;
  size_t secret_index;
  uint64_t timestamp;
  qw_scheme scheme;
  char *msg;  // on failure: the detailed message, malloc'ed (free it), or NULL
} go_qw_result;

// The detailed message of the failure just recorded on this thread, malloc'ed, or NULL. It is
// fetched in the same C call as the failure: the message is per thread, and a goroutine may
// change threads between two cgo calls.
static char *go_qw_message(void) {
  size_t len = qw_last_error_message(NULL, 0);
  if (len == 0) return NULL;
  char *msg = malloc(len + 1);
  if (msg != NULL) qw_last_error_message(msg, len + 1);
  return msg;
}

enum { GO_QW_BUSINESS = 0, GO_QW_ONBOARDING = 1, GO_QW_REQUEST = 2 };  // goBusiness, ...

// One verification, and its message when it fails. For GO_QW_REQUEST, header is the business
// header and header2 the onboarding one; a NULL pointer is an absent header.
static go_qw_result go_qw_verify(const qw_verifier *v, const uint8_t *body, size_t body_len,
                                 const uint8_t *header, size_t header_len,
                                 const uint8_t *header2, size_t header2_len, uint64_t now,
                                 int mode) {
  qw_verified out;
  go_qw_result r = {0, 0, 0, 0, NULL};
  switch (mode) {
    case GO_QW_ONBOARDING:
      r.status = qw_verify_onboarding(v, body, body_len, header, header_len, &out);
      break;
    case GO_QW_REQUEST:
      r.status = qw_verify_request(v, body, body_len, header, header_len, header2, header2_len,
                                   now, &out);
      break;
    default:
      r.status = qw_verify(v, body, body_len, header, header_len, now, &out);
  }
  if (r.status == QW_STATUS_OK) {
    r.secret_index = out.secret_index;
    r.timestamp = out.timestamp;
    r.scheme = out.scheme;
  } else {
    r.msg = go_qw_message();
  }
  return r;
}

// Builds and configures a verifier in one call (the configuring calls must precede sharing).
static qw_status go_qw_verifier_new(const qw_bytes *secrets, size_t n, uint64_t tolerance,
                                    int no_window, uint32_t schemes, qw_verifier **out,
                                    char *msg, size_t msg_len) {
  qw_verifier *v = NULL;
  qw_status status = qw_verifier_new(secrets, n, tolerance, &v);
  if (status == QW_STATUS_OK && no_window) status = qw_verifier_disable_tolerance(v);
  if (status == QW_STATUS_OK) status = qw_verifier_set_schemes(v, schemes);
  if (status != QW_STATUS_OK) {
    qw_last_error_message(msg, msg_len);
    qw_verifier_free(v);
    return status;
  }
  *out = v;
  return status;
}

// Starts an incremental verification (GO_QW_* modes as go_qw_verify); the message on failure.
static go_qw_result go_qw_start(const qw_verifier *v, const uint8_t *header, size_t header_len,
                                const uint8_t *header2, size_t header2_len, uint64_t now, int mode,
                                qw_incremental **out) {
  go_qw_result r = {0, 0, 0, 0, NULL};
  switch (mode) {
    case GO_QW_ONBOARDING:
      r.status = qw_verify_start_onboarding(v, header, header_len, out);
      break;
    case GO_QW_REQUEST:
      r.status = qw_verify_start_request(v, header, header_len, header2, header2_len, now, out);
      break;
    default:
      r.status = qw_verify_start(v, header, header_len, now, out);
  }
  if (r.status != QW_STATUS_OK) r.msg = go_qw_message();
  return r;
}

// Finishes (and frees) an incremental verification; the message on failure.
static go_qw_result go_qw_finish(qw_incremental *state) {
  qw_verified out;
  go_qw_result r = {0, 0, 0, 0, NULL};
  r.status = qw_verify_finish(state, &out);
  if (r.status == QW_STATUS_OK) {
    r.secret_index = out.secret_index;
    r.timestamp = out.timestamp;
    r.scheme = out.scheme;
  } else {
    r.msg = go_qw_message();
  }
  return r;
}

static qw_status go_qw_sign(const uint8_t *secret, size_t secret_len, const uint8_t *body,
                            size_t body_len, uint64_t timestamp, int onboarding, uint8_t *out,
                            size_t out_cap, size_t *out_len, char *msg, size_t msg_len) {
  qw_status status =
      onboarding ? qw_sign_onboarding(secret, secret_len, body, body_len, out, out_cap, out_len)
                 : qw_sign(secret, secret_len, body, body_len, timestamp, out, out_cap, out_len);
  if (status != QW_STATUS_OK) qw_last_error_message(msg, msg_len);
  return status;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Implementation says which implementation this build runs: "native" (libqonto_webhooks, the
// Rust core through cgo) or "go" (pure Go).
const Implementation = "native"

// msgLen bounds the detailed messages of construction and signing (the longest is about 330
// bytes); a verification's message comes malloc'ed, whatever its length.
const msgLen = 1024

// engine is a libqonto_webhooks verifier.
type engine struct{ ptr *C.qw_verifier }

// cError is the *Error for a C status and its detailed message (the status's description when
// there is none).
func cError(status C.qw_status, msg string) *Error {
	e := &Error{
		Code:    C.GoString(C.qw_status_code(C.uint32_t(status))),
		Message: C.GoString(C.qw_status_message(C.uint32_t(status))),
	}
	if msg != "" {
		e.Message = msg
	}
	return e
}

func cLen(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}

// resultError is the error of a failed go_qw_result, its malloc'ed message freed.
func resultError(r C.go_qw_result) *Error {
	msg := ""
	if r.msg != nil {
		msg = C.GoString(r.msg)
		C.free(unsafe.Pointer(r.msg))
	}
	return cError(r.status, msg)
}

// cSecrets copies the secrets into C memory (cgo forbids passing Go memory holding Go pointers);
// free wipes and frees it.
func cSecrets(secrets [][]byte) (raw *C.qw_bytes, free func()) {
	n := len(secrets)
	if n > MaxSecrets+1 {
		n = MaxSecrets + 1 // the library rejects the count anyway
	}
	if n == 0 {
		return nil, func() {}
	}
	raw = (*C.qw_bytes)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.qw_bytes{}))))
	entries := unsafe.Slice(raw, n)
	for i := range entries {
		if len(secrets[i]) > 0 {
			data := C.CBytes(secrets[i])
			entries[i] = C.qw_bytes{data: (*C.uint8_t)(data), len: C.size_t(len(secrets[i]))}
		}
	}
	return raw, func() {
		for _, e := range entries {
			if e.data != nil {
				C.memset(unsafe.Pointer(e.data), 0, e.len)
				C.free(unsafe.Pointer(e.data))
			}
		}
		C.free(unsafe.Pointer(raw))
	}
}

func newEngine(secrets [][]byte, cfg config) (*engine, error) {
	raw, free := cSecrets(secrets)
	defer free()
	var ptr *C.qw_verifier
	var msg [msgLen]byte
	noWindow := C.int(0)
	if cfg.noWindow {
		noWindow = 1
	}
	status := C.go_qw_verifier_new(raw, C.size_t(len(secrets)), C.uint64_t(cfg.tolerance), noWindow,
		C.uint32_t(cfg.schemes), &ptr, (*C.char)(unsafe.Pointer(&msg[0])), msgLen)
	if status != C.QW_STATUS_OK {
		return nil, cError(status, string(msg[:cLen(msg[:])]))
	}
	return &engine{ptr}, nil
}

func (e *engine) free() { C.qw_verifier_free(e.ptr) }

func bytesPtr(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))) }

func stringPtr(s string) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))) }

var emptyHeader = [1]byte{}

// c is the header as the C ABI takes it: NULL when absent, else a non-NULL pointer (even for "").
func (h optHeader) c() (*C.uint8_t, C.size_t) {
	switch {
	case !h.present:
		return nil, 0
	case h.value == "":
		return (*C.uint8_t)(unsafe.Pointer(&emptyHeader[0])), 0
	}
	return stringPtr(h.value), C.size_t(len(h.value))
}

func toResult(r C.go_qw_result) Result {
	res := Result{SecretIndex: int(r.secret_index), Scheme: Scheme(r.scheme)}
	if res.Scheme == SchemeBusiness {
		res.Timestamp = timestampTime(uint64(r.timestamp))
	}
	return res
}

// verify runs one C verification: the verdict and, on failure, the detailed message come back
// from the same call (the message is per thread, and a goroutine may change threads between two
// cgo calls).
func (e *engine) verify(body []byte, first, second optHeader, now uint64, mode int) (Result, error) {
	h1, l1 := first.c()
	h2, l2 := second.c()
	r := C.go_qw_verify(e.ptr, bytesPtr(body), C.size_t(len(body)), h1, l1, h2, l2, C.uint64_t(now), C.int(mode))
	runtime.KeepAlive(body)
	runtime.KeepAlive(first.value)
	runtime.KeepAlive(second.value)
	if r.status != C.QW_STATUS_OK {
		return Result{}, resultError(r)
	}
	return toResult(r), nil
}

// state is a libqonto_webhooks incremental verification.
type state struct{ ptr *C.qw_incremental }

func (e *engine) start(first, second optHeader, now uint64, mode int) (*state, error) {
	h1, l1 := first.c()
	h2, l2 := second.c()
	var ptr *C.qw_incremental
	r := C.go_qw_start(e.ptr, h1, l1, h2, l2, C.uint64_t(now), C.int(mode), &ptr)
	runtime.KeepAlive(first.value)
	runtime.KeepAlive(second.value)
	if r.status != C.QW_STATUS_OK {
		return nil, resultError(r)
	}
	return &state{ptr}, nil
}

func (s *state) update(chunk []byte) {
	C.qw_verify_update(s.ptr, bytesPtr(chunk), C.size_t(len(chunk)))
	runtime.KeepAlive(chunk)
}

func (s *state) finish() (Result, error) {
	r := C.go_qw_finish(s.ptr)
	s.ptr = nil
	if r.status != C.QW_STATUS_OK {
		return Result{}, resultError(r)
	}
	return toResult(r), nil
}

func (s *state) free() {
	C.qw_incremental_free(s.ptr)
	s.ptr = nil
}

func sign(secret, body []byte, timestamp uint64, onboarding bool) (string, error) {
	var out [C.QW_SIGN_MAX_LEN]byte
	var n C.size_t
	var msg [msgLen]byte
	ob := C.int(0)
	if onboarding {
		ob = 1
	}
	status := C.go_qw_sign(bytesPtr(secret), C.size_t(len(secret)), bytesPtr(body),
		C.size_t(len(body)), C.uint64_t(timestamp), ob, (*C.uint8_t)(unsafe.Pointer(&out[0])),
		C.size_t(len(out)), &n, (*C.char)(unsafe.Pointer(&msg[0])), msgLen)
	if status != C.QW_STATUS_OK {
		return "", cError(status, string(msg[:cLen(msg[:])]))
	}
	return string(out[:n]), nil
}

func diagnose(scheme Scheme, secrets [][]byte, body []byte, header string, cfg config) (Diagnosis, error) {
	raw, free := cSecrets(secrets)
	defer free()
	var d *C.qw_diagnosis
	status := C.qw_diagnose(raw, C.size_t(len(secrets)), C.uint32_t(scheme), stringPtr(header),
		C.size_t(len(header)), bytesPtr(body), C.size_t(len(body)), C.uint64_t(unixSeconds(cfg.clock().Unix())),
		C.uint64_t(cfg.tolerance), C.bool(cfg.noWindow), &d)
	runtime.KeepAlive(body)
	runtime.KeepAlive(header)
	if status != C.QW_STATUS_OK {
		return Diagnosis{}, cError(status, "")
	}
	defer C.qw_diagnosis_free(d)
	var out Diagnosis
	var verified C.qw_verified
	if verdict := C.qw_diagnosis_result(d, &verified); verdict == C.QW_STATUS_OK {
		out.Result = Result{SecretIndex: int(verified.secret_index), Scheme: Scheme(verified.scheme)}
		if out.Result.Scheme == SchemeBusiness {
			out.Result.Timestamp = timestampTime(uint64(verified.timestamp))
		}
	} else {
		out.Err = cError(verdict, C.GoString(C.qw_diagnosis_message(d)))
	}
	out.Explained = bool(C.qw_diagnosis_explained(d))
	n := int(C.qw_diagnosis_findings_len(d))
	for i := 0; i < n; i++ {
		out.Findings = append(out.Findings, Finding{
			Mistake: C.GoString(C.qw_diagnosis_finding_mistake(d, C.size_t(i))),
			Message: C.GoString(C.qw_diagnosis_finding_message(d, C.size_t(i))),
		})
	}
	return out, nil
}

func version() string { return C.GoString(C.qw_version()) }

// statusText is the library's code and description of a status (for the tests: the sentinels
// must carry the same).
func statusText(status uint32) (code, message string) {
	return C.GoString(C.qw_status_code(C.uint32_t(status))), C.GoString(C.qw_status_message(C.uint32_t(status)))
}
