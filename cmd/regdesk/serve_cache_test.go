package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow"
)

// TestServe_ParamsChangedElsewhere: serve keeps the parameters and the
// sign-up page in memory; a parameter changed by another process shows on
// serve's very next request, with no wait and no restart.
func TestServe_ParamsChangedElsewhere(t *testing.T) {
	t.Parallel()
	data := newData(t)
	p := startServe(t, data, nil)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	// The page says it in English words (the request has no Accept-Language).
	lifetime := func(d time.Duration) string {
		if d%(24*time.Hour) == 0 && d > 48*time.Hour {
			return strconv.Itoa(int(d/(24*time.Hour))) + " days"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}

	if _, body := get("/signup/sent"); !strings.Contains(body, lifetime(48*time.Hour)) {
		t.Fatalf("/signup/sent does not say %q", lifetime(48*time.Hour))
	}
	cli(t, data, "params", "set", workflow.ParamActivationTTL, "72h")
	if _, body := get("/signup/sent"); !strings.Contains(body, lifetime(72*time.Hour)) {
		t.Fatalf("after params set elsewhere, /signup/sent does not say %q", lifetime(72*time.Hour))
	}

	// The paused decision follows both the cap and the count of requests
	// awaiting activation, each changed by another process.
	// Sign-up pauses at twice signup.max_unverified (from the cap itself
	// up to there, the form carries a challenge instead).
	d := openDesk(t, data)
	for _, who := range []string{"ada", "grace"} {
		if _, err := d.svc.SignUp(context.Background(), workflow.SignupInput{CompanyName: "Waiting GmbH",
			Street: "Hauptstr. 1", City: "Berlin", PostalCode: "10115", Country: "DE", FirstName: "Ada",
			LastName: "Lovelace", Email: who + "@example.com", Phone: "+49 30 1234", Username: who,
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := get("/signup"); code != http.StatusOK || !strings.Contains(body, `action="/signup"`) {
		t.Fatalf("GET /signup = %d", code)
	}
	cli(t, data, "params", "set", workflow.ParamMaxUnverified, "1")
	if code, _ := get("/signup"); code != http.StatusServiceUnavailable {
		t.Fatalf("GET /signup with twice the cap reached = %d, want 503", code)
	}
	cli(t, data, "params", "set", workflow.ParamMaxUnverified, "2")
	if code, body := get("/signup"); code != http.StatusOK || !strings.Contains(body, `action="/signup"`) {
		t.Fatalf("GET /signup with the cap raised = %d", code)
	}
	p.stop(t)
}
