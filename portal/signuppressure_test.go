package portal

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// The sign-up form reads its parameters and the pressure on sign-up in one
// statement and keeps the parameters in memory between changes: a change
// made through another process (here a second opened store with its own
// service) shows on the very next request, and so do links expiring.
func TestSignupPageFollowsAnotherProcess(t *testing.T) {
	e := newSignupEnv(t, nil)
	db2, err := store.Open(t.Context(), e.db.Path(), store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	other := workflow.New(workflow.Config{DB: db2, BaseURL: "http://portal.test"})
	set := func(key, value string) {
		t.Helper()
		if err := other.SetParam(t.Context(), key, value, "op"); err != nil {
			t.Fatal(err)
		}
	}
	page := func(wantStatus int) string {
		t.Helper()
		rec := e.get("/signup")
		if rec.Code != wantStatus {
			t.Fatalf("GET /signup: %d, want %d", rec.Code, wantStatus)
		}
		return rec.Body.String()
	}
	challenge := `name="` + FieldChallenge + `"`

	body := page(http.StatusOK)
	if strings.Contains(body, "terms-2026-07") || strings.Contains(body, challenge) {
		t.Fatal("terms or a challenge before any was set")
	}
	set(workflow.ParamTermsURL, "https://example.com/terms")
	set(workflow.ParamTermsVersion, "terms-2026-07")
	if body := page(http.StatusOK); !strings.Contains(body, "terms-2026-07") {
		t.Fatal("terms set through another process are not on the next page")
	}
	set(workflow.ParamTermsVersion, "")
	if body := page(http.StatusOK); strings.Contains(body, "terms-2026-07") {
		t.Fatal("terms removed through another process are still on the page")
	}

	// Two live requests; a cap of 3 asks for a challenge from 1.
	e.signedUp("one@acme.example", "one")
	e.signedUp("two@acme.example", "two")
	page(http.StatusOK)
	set(workflow.ParamMaxUnverified, "3")
	for range 2 { // the second read takes the one-statement path
		if body := page(http.StatusOK); !strings.Contains(body, challenge) {
			t.Fatal("no challenge once the cap set through another process was near")
		}
	}
	set(workflow.ParamMaxUnverified, "1")
	page(http.StatusServiceUnavailable)
	page(http.StatusServiceUnavailable)
	// The links expire: the requests still wait for the expiry pass, but
	// weigh nothing, and the form is open without a challenge.
	e.clock.Advance(49 * time.Hour)
	for range 2 {
		if body := page(http.StatusOK); strings.Contains(body, challenge) {
			t.Fatal("a challenge for requests whose links expired")
		}
	}
	// A new live request counts at once.
	e.signedUp("three@acme.example", "three")
	if body := page(http.StatusOK); !strings.Contains(body, challenge) {
		t.Fatal("no challenge with a new live request at the cap")
	}
}
