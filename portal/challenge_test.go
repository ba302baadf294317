package portal

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow"
)

var challengeRE = regexp.MustCompile(`name="challenge" value="([^"]+)" data-bits="(\d+)"`)

// formChallenge reads the challenge a sign-up page carries.
func formChallenge(t *testing.T, body string) (token string, bits int) {
	t.Helper()
	m := challengeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the sign-up form carries no challenge:\n%s", body)
	}
	bits, _ = strconv.Atoi(m[2])
	return html.UnescapeString(m[1]), bits
}

func solveChallenge(t *testing.T, token string, bits int) string {
	t.Helper()
	for n := 0; n < 1<<28; n++ {
		if s := strconv.Itoa(n); workflow.SolvesChallenge(token, s, bits) {
			return s
		}
	}
	t.Fatal("no answer")
	return ""
}

// underPressure signs up two prospects, then lowers the cap so that the
// next sign-up needs a challenge.
func underPressure(t *testing.T) *signupEnv {
	e := newSignupEnv(t, nil)
	e.signedUp("first@one.example", "first")
	e.signedUp("second@two.example", "second")
	if err := e.svc.SetParam(t.Context(), workflow.ParamMaxUnverified, "3", "op"); err != nil {
		t.Fatal(err)
	}
	return e
}

// Attack 5, the closed door: at the cap /signup answered 503 to everyone.
// Near it the form now carries a proof of work that the browser's script
// solves, or that a person without JavaScript passes by waiting.
func TestSignupPausedForEveryone_challengeInsteadOfClosedDoor(t *testing.T) {
	e := underPressure(t)
	n := 0
	signup := func(token, answer string) *httptest.ResponseRecorder {
		n++
		v := validSignup()
		v.Set(FieldEmail, fmt.Sprintf("p%d@site%d.example", n, n))
		v.Set(FieldUsername, fmt.Sprintf("person%d", n))
		if token != "" {
			v.Set(FieldChallenge, token)
		}
		v.Set(FieldChallengeAnswer, answer)
		return e.post("/signup", v, fromIP(fmt.Sprintf("198.51.%d.7", n)))
	}
	refused := func(name, token, answer string) string {
		t.Helper()
		before := len(e.requests())
		resp := signup(token, answer)
		body := resp.Body.String()
		if resp.Code != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(MsgChallenge)) {
			t.Fatalf("%s: status %d, want 422 with %q", name, resp.Code, MsgChallenge)
		}
		if after := len(e.requests()); after != before {
			t.Fatalf("%s: %d requests, want %d", name, after, before)
		}
		return body
	}

	w := e.get("/signup")
	wantStatus(t, w, http.StatusOK)
	page := w.Body.String()
	for _, want := range []string{`src="/static/pow.js`, "please wait 20 seconds"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the challenged form lacks %q", want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || strings.Contains(page, "<script>") {
		t.Fatal("the challenge needs inline script")
	}
	token, bits := formChallenge(t, page)
	if bits != 16 {
		t.Fatalf("difficulty %d bits, want the default 16", bits)
	}
	answer := solveChallenge(t, token, bits)

	refused("no challenge", "", "")
	refused("wrong answer", token, strconv.Itoa(mustAtoi(answer)+1)+"0")
	refused("forged challenge", strings.Repeat("x", 50), answer)
	if resp := signup(token, answer); resp.Code != http.StatusSeeOther {
		t.Fatalf("solved challenge: %d\n%s", resp.Code, resp.Body)
	}
	refused("replayed", token, answer)

	t.Run("without JavaScript", func(t *testing.T) {
		token, _ := formChallenge(t, e.get("/signup").Body.String())
		body := refused("sent at once", token, "")
		// The form comes back with the same challenge: the wait goes on.
		if again, _ := formChallenge(t, body); again != token {
			t.Fatal("a person without JavaScript must wait again after a refusal")
		}
		e.clock.Advance(20 * time.Second)
		if resp := signup(token, ""); resp.Code != http.StatusSeeOther {
			t.Fatalf("after the wait: %d\n%s", resp.Code, resp.Body)
		}
	})
	t.Run("expired", func(t *testing.T) {
		token, bits := formChallenge(t, e.get("/signup").Body.String())
		answer := solveChallenge(t, token, bits)
		e.clock.Advance(workflow.ChallengeTTL + time.Second)
		refused("expired", token, answer)
	})
	t.Run("the script is served", func(t *testing.T) {
		w := e.get("/static/pow.js")
		wantStatus(t, w, http.StatusOK)
		if !strings.Contains(w.Body.String(), `crypto.subtle.digest("SHA-256"`) {
			t.Fatal("pow.js does not hash with the browser's SHA-256")
		}
	})
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
