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

// An old link says what became of it and what to do next, and using it
// changes nothing.
func TestActivate_oldLinks(t *testing.T) {
	t.Run("replaced by a newer link", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		old := e.signedUp("jana@acme.example", "jana")
		wantStatus(t, e.post("/activate/resend", url.Values{FieldEmail: {"jana@acme.example"}}), http.StatusSeeOther)
		fresh := e.token("jana@acme.example")
		for _, w := range []*httptest.ResponseRecorder{e.get("/activate?token=" + old),
			e.post("/activate", url.Values{FieldToken: {old}})} {
			wantStatus(t, w, http.StatusGone)
			wantBody(t, w, "A newer link replaced this one", "most recent email", `action="/activate/resend"`)
		}
		if r := e.requests()[0]; r.Status != domain.Requested {
			t.Fatalf("status = %s after the old link, want requested", r.Status)
		}
		wantStatus(t, e.post("/activate", url.Values{FieldToken: {fresh}}), http.StatusOK)
	})
	t.Run("replaced by a newer sign-up", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		old := e.signedUp("jana@acme.example", "jana")
		fresh := e.signedUp("jana@acme.example", "jana2")
		for _, w := range []*httptest.ResponseRecorder{e.get("/activate?token=" + old),
			e.post("/activate", url.Values{FieldToken: {old}})} {
			wantStatus(t, w, http.StatusGone)
			wantBody(t, w, "A newer sign-up replaced this one", "same email address", `action="/activate/resend"`)
		}
		rs := e.requests()
		got := map[domain.RequestStatus]int{}
		for _, r := range rs {
			got[r.Status]++
		}
		if len(rs) != 2 || got[domain.Expired] != 1 || got[domain.Requested] != 1 {
			t.Fatalf("statuses after the old link = %v, want one expired and one requested", got)
		}
		wantStatus(t, e.post("/activate", url.Values{FieldToken: {fresh}}), http.StatusOK)
	})
	t.Run("sign-up expired", func(t *testing.T) {
		// The sweep expires a sign-up nobody confirmed and purges it with
		// its links: the link is then unknown, and the page says what to do.
		e := newSignupEnv(t, nil)
		old := e.signedUp("jana@acme.example", "jana")
		e.clock.Advance(15 * 24 * time.Hour)
		if _, err := e.svc.Maintain(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, w := range []*httptest.ResponseRecorder{e.get("/activate?token=" + old),
			e.post("/activate", url.Values{FieldToken: {old}})} {
			wantStatus(t, w, http.StatusNotFound)
			wantBody(t, w, "This link does not work", "not confirmed in time", `href="/signup"`)
		}
		if r := e.requests()[0]; r.Status != domain.Expired {
			t.Fatalf("status = %s, want expired", r.Status)
		}
	})
	t.Run("late click while the sign-up waits", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		old := e.signedUp("jana@acme.example", "jana")
		e.clock.Advance(5 * 24 * time.Hour)
		if _, err := e.svc.Maintain(t.Context()); err != nil {
			t.Fatal(err)
		}
		w := e.get("/activate?token=" + old)
		wantStatus(t, w, http.StatusGone)
		wantBody(t, w, "This link has expired", `action="/activate/resend"`)
	})
	t.Run("page of an expired sign-up", func(t *testing.T) {
		rd := newTestRenderer(t)
		body := render(t, rd, 410, PageActivateInvalid, ActivateInvalidPage{Problem: LinkSignupExpired,
			RequestLifetime: LinkLifetime(14 * 24 * time.Hour)}).Body.String()
		for _, want := range []string{"This sign-up has expired", "not confirmed within 14 days", `href="/signup"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, `action="/activate/resend"`) {
			t.Error("an expired sign-up offers a resend that cannot help")
		}
	})
	t.Run("German", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		old := e.signedUp("jana@acme.example", "jana")
		e.signedUp("jana@acme.example", "jana2")
		w := e.get("/activate?token="+old, header("Accept-Language", "de"))
		wantStatus(t, w, http.StatusGone)
		wantBody(t, w, "Eine neuere Registrierung hat diese ersetzt")
	})
}
