package qontowebhooks_test

import (
	"errors"
	"fmt"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

// Qonto's own example: secret "test-secret", body {"test":"data"}, signed at 1704110400.
func Example() {
	verifier, err := qontowebhooks.NewVerifier([]byte("test-secret"))
	if err != nil {
		panic(err)
	}
	defer verifier.Close()
	body := []byte(`{"test":"data"}`)
	header := "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"

	result, err := verifier.VerifyAt(body, header, time.Unix(1704110400, 0))
	fmt.Println(result.SecretIndex, result.Timestamp.Unix(), err)

	_, err = verifier.VerifyAt(body, header, time.Unix(1704110400+301, 0))
	var e *qontowebhooks.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, errors.Is(err, qontowebhooks.ErrTimestampTooOld))
	}
	// Output:
	// 0 1704110400 <nil>
	// timestamp_too_old true
}
