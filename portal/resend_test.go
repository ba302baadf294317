package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestResend(t *testing.T) {
	e := newSignupEnv(t, nil)
	wantStatus(t, e.get("/activate/resend"), http.StatusOK)
	e.signedUp("waiting@acme.example", "waiting")
	e.post("/activate", url.Values{FieldToken: {e.signedUp("done@acme.example", "done")}})

	// Waiting, confirmed and unknown addresses get the same answer; only the
	// waiting one gets a mail.
	var first *httptest.ResponseRecorder
	for _, addr := range []string{"waiting@acme.example", "done@acme.example", "nobody@acme.example"} {
		w := e.post("/activate/resend", url.Values{FieldEmail: {addr}})
		wantStatus(t, w, http.StatusSeeOther)
		if first == nil {
			first = w
		} else if w.Header().Get("Location") != first.Header().Get("Location") || w.Body.String() != first.Body.String() {
			t.Fatalf("%s: answer differs", addr)
		}
	}
	if loc := first.Header().Get("Location"); loc != "/activate/resend?sent=1" {
		t.Fatalf("Location = %q", loc)
	}
	count := func(to string) int {
		n := 0
		for _, m := range e.mails(to) {
			if m.Kind == "activation" {
				n++
			}
		}
		return n
	}
	if count("waiting@acme.example") != 2 || count("done@acme.example") != 1 || len(e.mails("nobody@acme.example")) != 0 {
		t.Fatalf("activation mails: waiting %d, done %d, nobody %d", count("waiting@acme.example"),
			count("done@acme.example"), len(e.mails("nobody@acme.example")))
	}
	w := e.get("/activate/resend?sent=1")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "If that address is registered and waiting for confirmation")
}

func TestResend_invalid(t *testing.T) {
	e := newSignupEnv(t, nil)
	for _, tt := range []struct{ value, want string }{
		{"", "Enter the email address you signed up with"},
		{"not-an-address", "correct format"},
		{"Jana <jana@example.com>", "without a name"},
		{"jana\x00@example.com", "control characters"},
		{"jana\xff@example.com", "could not be read"},
	} {
		w := e.post("/activate/resend", url.Values{FieldEmail: {tt.value}})
		wantStatus(t, w, http.StatusUnprocessableEntity)
		wantBody(t, w, "There is a problem", `href="#email"`, `aria-invalid="true"`, htmlEscape(tt.want))
	}
	w := e.post("/activate/resend", url.Values{FieldEmail: {"jana@example"}})
	wantBody(t, w, `value="jana@example"`)
}

func TestResend_rateLimits(t *testing.T) {
	e := newSignupEnv(t, nil)
	send := func(addr, ip string) int {
		return e.post("/activate/resend", url.Values{FieldEmail: {addr}}, fromIP(ip)).Code
	}
	t.Run("per email address", func(t *testing.T) {
		for i := range 3 {
			if c := send("jana@acme.example", "192.0.2."+string(rune('1'+i))); c != http.StatusSeeOther {
				t.Fatalf("resend %d: %d", i, c)
			}
		}
		if c := send("JANA@acme.example", "192.0.2.100"); c != http.StatusTooManyRequests {
			t.Fatalf("4th resend to one address: %d, want 429", c)
		}
		e.clock.Advance(time.Hour + time.Second)
		if c := send("jana@acme.example", "192.0.2.100"); c != http.StatusSeeOther {
			t.Fatalf("after an hour: %d", c)
		}
	})
	t.Run("per client address", func(t *testing.T) {
		for i := range 20 {
			if c := send("other"+string(rune('a'+i))+"@acme.example", "198.51.100.1"); c != http.StatusSeeOther {
				t.Fatalf("resend %d from one client: %d", i, c)
			}
		}
		if c := send("more@acme.example", "198.51.100.1"); c != http.StatusTooManyRequests {
			t.Fatalf("21st from one client: %d, want 429", c)
		}
		if c := send("more@acme.example", "198.51.100.2"); c != http.StatusSeeOther {
			t.Fatalf("another client: %d", c)
		}
	})
}
