// Soak of the Go package: a million verifications (mixed good and bad), verifiers built and
// closed in a loop, and errors in a loop, while RSS is sampled after a garbage collection. Fails
// if RSS grows more than 4 MiB after warm-up (the Go runtime's heap settles; a leak of 5 bytes a
// round exceeds it). --plant-leak keeps 64 bytes a round: that run must fail.
//
//	bash conformance/soak/soak_go.sh [ITERATIONS] [--plant-leak]
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	qontowebhooks "github.com/qonto-webhooks/qonto-webhooks/bindings-go"
)

const allowanceKiB = 4096

var leaked [][]byte

func rssKiB() int64 {
	// Collect and return freed pages to the OS now: otherwise the scavenger does it lazily and
	// RSS shows garbage the runtime already freed.
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmRSS:") {
			v, _ := strconv.ParseInt(strings.Fields(s.Text())[1], 10, 64)
			return v
		}
	}
	return -1
}

func soak(name string, n int, round func(int)) bool {
	warmup := n / 10
	for i := 0; i < warmup; i++ {
		round(i)
	}
	base := rssKiB()
	peak := base
	for i := warmup; i < n; i++ {
		round(i)
		if i%50000 == 0 {
			peak = max(peak, rssKiB())
		}
	}
	peak = max(peak, rssKiB())
	ok := peak-base <= allowanceKiB
	status := "ok"
	if !ok {
		status = "GREW"
	}
	fmt.Printf("  %-34s %9d rounds  RSS %d KiB after warm-up, peak %d KiB (+%d KiB)  %s\n", name, n, base, peak, peak-base, status)
	return ok
}

func main() {
	n, plant := 1_000_000, false
	for _, a := range os.Args[1:] {
		if a == "--plant-leak" {
			plant = true
		} else if v, err := strconv.Atoi(a); err == nil {
			n = v
		}
	}
	body := []byte(`{"id":"0196","type":"v1/transactions","data":{"event":"created","amount":"12.50"}}`)
	now := time.Unix(1735689600, 0)
	good, _ := qontowebhooks.Sign([]byte("whsec_soak"), body, now)
	stale, _ := qontowebhooks.Sign([]byte("whsec_soak"), body, now.Add(-1000*time.Second))
	headers := []string{good, strings.Replace(good, "t=", "t=0", 1),
		fmt.Sprintf("t=%d,v1=%s", now.Unix(), strings.Repeat("0", 64)), "t=1,v1=zz", "", stale}
	v, err := qontowebhooks.NewVerifier([]byte("whsec_old"), []byte("whsec_soak"))
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	defer v.Close()
	fmt.Printf("soak (Go package), allowance %d KiB after warm-up:\n", allowanceKiB)
	accepted := 0
	all := soak("Verify, mixed good and bad", n, func(i int) {
		if _, err := v.VerifyAt(body, headers[i%6], now); err == nil {
			accepted++
		}
		if plant {
			leaked = append(leaked, make([]byte, 64))
		}
	})
	all = soak("NewVerifier and Close", n/10, func(i int) {
		w, err := qontowebhooks.NewVerifier([]byte(fmt.Sprintf("secret-%d", i)), []byte("whsec_soak"))
		if err == nil {
			w.Close()
		}
	}) && all
	all = soak("errors and their messages", n, func(i int) {
		var err error
		if i%2 == 0 {
			_, err = v.VerifyAt(body, headers[2+i%4], now)
		} else { // only the onboarding header: refused by the business-only verifier
			_, err = v.VerifyHeaders(body, nil, &headers[0])
		}
		var e *qontowebhooks.Error
		if errors.As(err, &e) {
			_ = e.Message
		}
	}) && all
	expected := (n + 5) / 6
	fmt.Printf("  verdicts: %d accepted of %d (%s)\n", accepted, n, map[bool]string{true: "as expected", false: "WRONG"}[accepted == expected])
	if all && accepted == expected {
		fmt.Println("soak: 4 passed, 0 failed")
		return
	}
	fmt.Println("soak: failed")
	os.Exit(1)
}
