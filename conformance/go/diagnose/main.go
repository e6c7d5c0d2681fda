// Command diagnose is qonto-webhooks diagnose through the Go package: the CLI's arguments and
// output, for the cross-language agreement test (bindings-c/tests/diagnose_agree.py).
//
//	diagnose [--scheme business|onboarding] --secret S... --header H --now UNIX
//	         [--tolerance SECS | --no-tolerance] FILE
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	qw "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

type secrets [][]byte

func (s *secrets) String() string     { return fmt.Sprint(len(*s)) }
func (s *secrets) Set(v string) error { *s = append(*s, []byte(v)); return nil }

func main() {
	var keys secrets
	scheme := flag.String("scheme", "business", "business or onboarding")
	header := flag.String("header", "", "the signature header's value")
	now := flag.Int64("now", 0, "unix seconds")
	tolerance := flag.Int64("tolerance", 300, "the window in seconds")
	noTolerance := flag.Bool("no-tolerance", false, "no window")
	flag.Var(&keys, "secret", "a secret (repeat for rotation)")
	flag.Parse()
	body, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	opts := []qw.Option{qw.WithClock(func() time.Time { return time.Unix(*now, 0) }),
		qw.WithTolerance(time.Duration(*tolerance) * time.Second)}
	if *noTolerance {
		opts = append(opts, qw.WithoutTolerance())
	}
	s := qw.SchemeBusiness
	if *scheme == "onboarding" {
		s = qw.SchemeOnboarding
	}
	d, err := qw.Diagnose(s, keys, body, *header, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if d.Err == nil {
		fmt.Printf("ok secret=%d: it verifies, nothing to diagnose\n", d.Result.SecretIndex)
		return
	}
	fmt.Printf("error[%s]: %s\n", d.Err.Code, d.Err.Message)
	if len(d.Findings) == 0 {
		fmt.Println("no known mistake applies: the error above says what is wrong with the header")
	}
	label := "no known mistake"
	if d.Explained {
		label = "cause"
	}
	for _, f := range d.Findings {
		fmt.Printf("%s [%s]: %s\n", label, f.Mistake, f.Message)
	}
	os.Exit(1)
}
