// Runs cases (the vector format) through the Go package and prints one verdict per line:
// `ok <secret_index>` or the error code. Used by conformance/differential.py.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

type testCase struct {
	Scheme    string   `json:"scheme"`
	Secrets   []string `json:"secrets"`
	Header    string   `json:"header"`
	BodyB64   string   `json:"body_b64"`
	Now       uint64   `json:"now"`
	Tolerance *uint64  `json:"tolerance"`
}

func verdict(c testCase) string {
	body, err := base64.StdEncoding.DecodeString(c.BodyB64)
	if err != nil {
		return "bad_case"
	}
	secrets := make([][]byte, len(c.Secrets))
	for i, s := range c.Secrets {
		secrets[i] = []byte(s)
	}
	opts := []qontowebhooks.Option{qontowebhooks.WithoutTolerance()}
	if c.Tolerance != nil {
		opts = []qontowebhooks.Option{qontowebhooks.WithTolerance(time.Duration(*c.Tolerance) * time.Second)}
	}
	v, err := qontowebhooks.NewVerifierWithOptions(secrets, opts...)
	if err == nil {
		defer v.Close()
		var r qontowebhooks.Result
		if c.Scheme == "onboarding" {
			r, err = v.VerifyOnboarding(body, c.Header)
		} else {
			r, err = v.VerifyAt(body, c.Header, time.Unix(int64(c.Now), 0))
		}
		if err == nil {
			return fmt.Sprintf("ok %d", r.SecretIndex)
		}
	}
	var e *qontowebhooks.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "error: " + err.Error()
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var cases []testCase
	if err := json.Unmarshal(data, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, c := range cases {
		fmt.Fprintln(out, verdict(c))
	}
}
