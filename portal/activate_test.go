package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

func TestActivate(t *testing.T) {
	e := newSignupEnv(t, nil)
	token := e.signedUp("jana@acme.example", "jana")

	// GET shows the button and changes nothing: mail scanners fetch links.
	for range 2 {
		w := e.get("/activate?token=" + token)
		wantStatus(t, w, http.StatusOK)
		wantBody(t, w, `action="/activate"`, `name="token" value="`+token+`"`, ">Activate</button>")
	}
	if r := e.requests()[0]; r.Status != domain.Requested {
		t.Fatalf("status after GET = %s", r.Status)
	}
	if got := e.get("/activate?token=" + token).Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Fatalf("Referrer-Policy = %q: the token could leak", got)
	}

	w := e.post("/activate", url.Values{FieldToken: {token}})
	wantStatus(t, w, http.StatusOK)
	r := e.requests()[0]
	wantBody(t, w, "your email address is confirmed", r.Number)
	if r.Status != domain.Verified {
		t.Fatalf("status = %s, want verified", r.Status)
	}

	t.Run("reuse", func(t *testing.T) {
		for _, w := range []*httptest.ResponseRecorder{e.post("/activate", url.Values{FieldToken: {token}}),
			e.get("/activate?token=" + token)} {
			wantStatus(t, w, http.StatusGone)
			wantBody(t, w, "This link has already been used", `action="/activate/resend"`)
		}
	})
}

func TestActivate_expired(t *testing.T) {
	e := newSignupEnv(t, nil)
	token := e.signedUp("jana@acme.example", "jana")
	e.clock.Advance(48*time.Hour - time.Second)
	wantStatus(t, e.get("/activate?token="+token), http.StatusOK)
	e.clock.Advance(time.Second)
	for _, w := range []*httptest.ResponseRecorder{e.get("/activate?token=" + token),
		e.post("/activate", url.Values{FieldToken: {token}})} {
		wantStatus(t, w, http.StatusGone)
		wantBody(t, w, "This link has expired", "Activation links work for 48 hours", `action="/activate/resend"`)
	}
	if r := e.requests()[0]; r.Status != domain.Requested {
		t.Fatalf("status = %s, want requested", r.Status)
	}
	// A new link works, and replaces the old one.
	wantStatus(t, e.post("/activate/resend", url.Values{FieldEmail: {"jana@acme.example"}}), http.StatusSeeOther)
	fresh := e.token("jana@acme.example")
	if fresh == token {
		t.Fatal("resend mailed the old token")
	}
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {fresh}}), http.StatusOK)
}

func TestActivate_invalidLinks(t *testing.T) {
	e := newSignupEnv(t, nil)
	e.signedUp("jana@acme.example", "jana")
	for _, q := range []string{
		"", "?token=", "?token=nope", "?token=" + strings.Repeat("A", 43),
		"?token=" + strings.Repeat("x", 5000), "?token=%00%ff%fe", "?token=a&token=b", "?tok%zzen=1",
	} {
		w := e.get("/activate" + q)
		wantStatus(t, w, http.StatusNotFound)
		wantBody(t, w, "This link does not work", `action="/activate/resend"`)
		w = e.post("/activate", url.Values{FieldToken: {strings.TrimPrefix(q, "?token=")}})
		wantStatus(t, w, http.StatusNotFound)
	}
	if r := e.requests()[0]; r.Status != domain.Requested {
		t.Fatalf("status = %s", r.Status)
	}
	// The token from the query string is not taken for a POST.
	token := e.token("jana@acme.example")
	wantStatus(t, e.post("/activate?token="+token, nil), http.StatusNotFound)
	if _, err := e.svc.CheckActivation(context.Background(), token); err != nil {
		t.Fatal(err)
	}
}
