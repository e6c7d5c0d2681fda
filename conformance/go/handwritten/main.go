// The baseline for the load comparison (conformance/load.py): the same endpoint as
// examples/go/receiver, verifying business webhooks the way hand-written Go handlers often do
// (split the header by hand, crypto/hmac, hex, hmac.Equal, a 300 s window). Use the package instead: this path ignores several of the rules
// (repeated t, v1 case, the header limit) and knows nothing of the onboarding scheme.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func verify(secret []byte, header string, body []byte) bool {
	var t, v1 string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			v1 = v
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 300*time.Second {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(t + "."))
	mac.Write(body)
	expected := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(expected), []byte(v1))
}

func main() {
	port := "8080"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	secret := []byte(os.Getenv("QONTO_WEBHOOK_SECRET"))
	var mu sync.Mutex
	seen := map[string]bool{}
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || !verify(secret, r.Header.Get("X-Qonto-Signature"), body) {
			http.Error(w, `{"error":"invalid_signature"}`, http.StatusBadRequest)
			return
		}
		var event struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &event) != nil {
			http.Error(w, `{"error":"invalid_payload"}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		duplicate := seen[event.ID]
		seen[event.ID] = true
		mu.Unlock()
		if duplicate {
			http.Error(w, `{"error":"duplicate_event"}`, http.StatusConflict)
			return
		}
		_, _ = w.Write([]byte(`{"received":true}`))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
