//go:build !cgo || !(linux && amd64) || qonto_webhooks_purego

package qontowebhooks

import "testing"

func TestImplementationIsGo(t *testing.T) {
	if Implementation != "go" || Version() == "" {
		t.Errorf("Implementation %q, Version %q in the pure-Go build", Implementation, Version())
	}
}
