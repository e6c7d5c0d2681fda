// A consumer of the Go module, built outside the repository from the release module proxy by
// bindings-go/consumer-test.sh: it runs the shared vectors (the file named on the command line)
// and says which implementation ran.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	qw "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

type vector struct {
	Name        string   `json:"name"`
	Scheme      string   `json:"scheme"`
	Secrets     []string `json:"secrets"`
	Header      string   `json:"header"`
	BodyB64     string   `json:"body_b64"`
	Now         int64    `json:"now"`
	Tolerance   *int64   `json:"tolerance"`
	Expect      string   `json:"expect"`
	SecretIndex *int     `json:"secret_index"`
}

func run(v vector) (string, int) {
	body, _ := base64.StdEncoding.DecodeString(v.BodyB64)
	secrets := make([][]byte, len(v.Secrets))
	for i, s := range v.Secrets {
		secrets[i] = []byte(s)
	}
	opts := []qw.Option{qw.WithClock(func() time.Time { return time.Unix(v.Now, 0) })}
	if v.Tolerance == nil {
		opts = append(opts, qw.WithoutTolerance())
	} else {
		opts = append(opts, qw.WithTolerance(time.Duration(*v.Tolerance)*time.Second))
	}
	verifier, err := qw.NewVerifierWithOptions(secrets, opts...)
	var res qw.Result
	if err == nil {
		defer verifier.Close()
		if v.Scheme == "business" {
			res, err = verifier.Verify(body, v.Header)
		} else {
			res, err = verifier.VerifyOnboarding(body, v.Header)
		}
	}
	if err == nil {
		return "ok", res.SecretIndex
	}
	var e *qw.Error
	if !errors.As(err, &e) {
		return "not an *Error: " + err.Error(), -1
	}
	return e.Code, -1
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil || len(vs) == 0 {
		fmt.Fprintln(os.Stderr, "no vectors:", err)
		os.Exit(2)
	}
	failed := 0
	for _, v := range vs {
		got, index := run(v)
		if got != v.Expect || (got == "ok" && v.SecretIndex != nil && index != *v.SecretIndex) {
			fmt.Printf("FAIL %s: got %s (secret %d), expected %s\n", v.Name, got, index, v.Expect)
			failed++
		}
	}
	fmt.Printf("implementation=%s version=%s: %d/%d vectors passed\n", qw.Implementation, qw.Version(),
		len(vs)-failed, len(vs))
	if failed > 0 {
		os.Exit(1)
	}
}
