//go:build cgo && linux && amd64 && !qonto_webhooks_purego

package qontowebhooks

import "testing"

// The sentinels (written out, so that the pure-Go build has them too) carry the library's codes
// and descriptions.
func TestSentinelsAreTheLibrarys(t *testing.T) {
	for status, sentinel := range map[uint32]*Error{
		1: ErrInvalidSecret, 2: ErrMissingHeader, 3: ErrMalformedHeader, 4: ErrMissingTimestamp,
		5: ErrMissingSignature, 6: ErrTimestampTooOld, 7: ErrTimestampInFuture,
		8: ErrSignatureMismatch, 102: ErrInternal,
	} {
		code, message := statusText(status)
		if sentinel.Code != code || sentinel.Message != message {
			t.Errorf("status %d: the library says %q %q, the sentinel %q %q", status, code, message,
				sentinel.Code, sentinel.Message)
		}
	}
	if Implementation != "native" {
		t.Errorf("Implementation %q in the cgo build", Implementation)
	}
}
