package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
)

func TestLogin_success(t *testing.T) {
	tp := newTestPortal(t)
	for _, login := range []string{"ada", "ADA", "ada@engines.example"} {
		t.Run(login, func(t *testing.T) {
			b := tp.browser("192.0.2.1")
			b.login(login, adaPassword)
			rec := b.get("/account")
			wantStatus(t, rec, 200)
			wantBody(t, rec, "Analytical Engines Ltd", "C00042", "Net 30", `action="/logout"`, `href="/account/users"`)
		})
	}
	t.Run("next", func(t *testing.T) {
		b := tp.browser("192.0.2.2")
		wantRedirect(t, b.get("/account/users"), "/login?next=%2Faccount%2Fusers")
		wantBody(t, b.get("/login?next=/account/users"), `name="next" value="/account/users"`)
		rec := b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}, FieldNext: {"/account/users"}})
		wantRedirect(t, rec, "/account/users")
		rec = tp.browser("192.0.2.3").post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}, FieldNext: {"//evil.example/"}})
		wantRedirect(t, rec, "/account")
	})
	t.Run("signed in skips the form", func(t *testing.T) {
		b := tp.browser("192.0.2.4")
		b.login("bob", bobPassword)
		wantRedirect(t, b.get("/login"), "/account")
	})
}

func TestLogin_cookie(t *testing.T) {
	for _, tt := range []struct {
		baseURL, name string
		secure        bool
	}{
		{"http://127.0.0.1:8080", SessionCookiePlain, false},
		{"https://portal.example.com", SessionCookieSecure, true},
	} {
		t.Run(tt.baseURL, func(t *testing.T) {
			tp := newTestPortalURL(t, tt.baseURL)
			b := tp.browser("192.0.2.1")
			rec := b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}})
			wantStatus(t, rec, http.StatusSeeOther)
			cs := rec.Result().Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies: %v", cs)
			}
			c := cs[0]
			if c.Name != tt.name || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
				c.Secure != tt.secure || c.Domain != "" || c.MaxAge != 0 || !c.Expires.IsZero() {
				t.Fatalf("cookie %+v", c)
			}
			if len(c.Value) != 43 { // 256 bits, base64url
				t.Fatalf("session id %q is not 256 bits", c.Value)
			}
			// Only the SHA-256 of the id is stored.
			sum := sha256.Sum256([]byte(c.Value))
			var stored []byte
			if err := tp.db.WriteDB().QueryRow(`SELECT hash FROM sessions WHERE user_id = $1`, tp.ada.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(stored, sum[:]) {
				t.Fatal("stored session hash is not SHA-256 of the cookie")
			}
			if !b.signedIn() {
				t.Fatal("cookie does not sign in")
			}
		})
	}
}

func TestLogin_failures(t *testing.T) {
	tp := newTestPortal(t)
	ctx := context.Background()
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.SetUserActive(ctx, tp.bob.ID, false, "test") }); err != nil {
		t.Fatal(err)
	}
	nopw := tp.addUser(tp.cust, "nopw", "nopw@engines.example", "", store.RoleCustomerUser)
	reqID := regexp.MustCompile(`[0-9a-f]{16}`)
	var first []byte
	for i, tt := range []struct{ name, user, pw string }{
		{"wrong password", "ada", "not the password at all, sorry"},
		{"unknown user", "nobody", adaPassword},
		{"unknown email", "nobody@engines.example", adaPassword},
		{"inactive user", "bob", bobPassword},
		{"no password yet", nopw.Username, "anything at all goes here"},
		{"too long", strings.Repeat("a", 300), adaPassword},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tp.browser(fmt.Sprintf("198.51.100.%d", i+1))
			rec := b.post("/login", url.Values{FieldUsername: {tt.user}, FieldPassword: {tt.pw}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, MsgLoginFailed)
			if len(rec.Result().Cookies()) != 0 {
				t.Fatal("a failed login set a cookie")
			}
			// Every failure shows the same page, apart from what was typed.
			body := reqID.ReplaceAll(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`value="`+tt.user+`"`), nil), nil)
			if first == nil {
				first = body
			} else if !bytes.Equal(body, first) {
				t.Fatalf("page differs from the first failure's:\n%s\n----\n%s", body, first)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		rec := tp.browser("203.0.113.9").post("/login", url.Values{})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Enter your user name or email address", "Enter your password")
	})
	if n := tp.sessionCount(tp.bob.ID) + tp.sessionCount(tp.ada.ID); n != 0 {
		t.Fatalf("%d sessions after failed logins", n)
	}
}

func TestLogin_throttling(t *testing.T) {
	tp := newTestPortal(t)
	wrong := url.Values{FieldUsername: {"ada"}, FieldPassword: {"a wrong guess of some length"}}
	attacker := tp.browser("203.0.113.66")
	for range 5 {
		wantStatus(t, attacker.post("/login", wrong), http.StatusUnprocessableEntity)
	}
	rec := attacker.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The same guesser may still try another account…
	wantStatus(t, attacker.post("/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {"guess guess guess guess"}}), http.StatusUnprocessableEntity)
	// …and the owner, from her own address, is not locked out.
	tp.browser("192.0.2.10").login("ada", adaPassword)
	// Spelling the account differently does not reset the pair's budget.
	wantStatus(t, attacker.post("/login", url.Values{FieldUsername: {"ada@engines.example"}, FieldPassword: {"x y z w v u t s r"}}), http.StatusTooManyRequests)

	// Many addresses guessing one account: beyond the account's budget each
	// attempt is slowed down (capped), never refused.
	for i := range 12 {
		b := tp.browser(fmt.Sprintf("198.51.100.%d", i+1))
		wantStatus(t, b.post("/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {"distributed guess number x"}}), http.StatusUnprocessableEntity)
	}
	tp.mu.Lock()
	sleeps := append([]time.Duration(nil), tp.sleeps...)
	tp.mu.Unlock()
	if len(sleeps) == 0 {
		t.Fatal("no slow-down for an account guessed from many addresses")
	}
	for _, d := range sleeps {
		if d <= 0 || d > maxLoginDelay {
			t.Fatalf("slow-down %v outside (0, %v]", d, maxLoginDelay)
		}
	}
	tp.browser("192.0.2.11").login("bob", bobPassword)

	// The per-address budget refills with time.
	tp.clock.Advance(15 * time.Minute)
	attacker.login("ada", adaPassword)
}

func TestLogin_perIPLimit(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("203.0.113.7")
	for i := range 60 {
		// Different unknown accounts, so only the per-address limit applies.
		rec := b.post("/login", url.Values{FieldUsername: {"nobody" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, FieldPassword: {"x"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
	}
	wantStatus(t, b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}}), http.StatusTooManyRequests)
}

func TestLogin_rehash(t *testing.T) {
	tp := newTestPortal(t)
	old := NewHasher(HasherConfig{Params: Argon2Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	hash, err := old.Hash(context.Background(), bobPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.RehashUserPassword(ctx, tp.bob.ID, tp.bob.PasswordHash, hash) }); err != nil {
		t.Fatal(err)
	}
	other := tp.browser("192.0.2.30")
	other.login("bob", bobPassword)
	tp.browser("192.0.2.31").login("bob", bobPassword)
	got := tp.user(tp.bob.ID).PasswordHash
	if got == hash || tp.hasher.NeedsRehash(got) {
		t.Fatalf("hash not upgraded: %s", got)
	}
	if !other.signedIn() {
		t.Fatal("rehashing ended another session")
	}
	tp.browser("192.0.2.32").login("bob", bobPassword)
}

func TestSession_rotation(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	// A session id planted before login (fixation) is ignored and replaced.
	b.cookies[SessionCookiePlain] = &http.Cookie{Name: SessionCookiePlain, Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	b.login("ada", adaPassword)
	first := b.session()
	if first == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" || first == "" {
		t.Fatal("login kept the planted session id")
	}
	stolen := tp.browser("203.0.113.5")
	stolen.cookies[SessionCookiePlain] = &http.Cookie{Name: SessionCookiePlain, Value: first}
	if !stolen.signedIn() {
		t.Fatal("copied cookie does not work before rotation")
	}
	b.login("ada", adaPassword)
	if b.session() == first {
		t.Fatal("logging in again kept the session id")
	}
	if stolen.signedIn() {
		t.Fatal("the old session survived a new login in the same browser")
	}
	if !b.signedIn() || tp.sessionCount(tp.ada.ID) != 1 {
		t.Fatalf("rotated session: %d sessions", tp.sessionCount(tp.ada.ID))
	}
}

func TestSession_expiry(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		tp := newTestPortal(t)
		b := tp.browser("192.0.2.1")
		b.login("ada", adaPassword)
		for range 3 { // activity keeps it alive
			tp.clock.Advance(29 * time.Minute)
			if !b.signedIn() {
				t.Fatal("session ended while in use")
			}
		}
		tp.clock.Advance(30 * time.Minute)
		rec := b.get("/account")
		wantRedirect(t, rec, "/login?done=ended")
		if b.session() != "" {
			t.Fatal("ended session's cookie not cleared")
		}
		if tp.sessionCount(tp.ada.ID) != 0 {
			t.Fatal("ended session not deleted")
		}
		wantBody(t, b.get("/login?done=ended"), "Your session has ended")
	})
	t.Run("absolute", func(t *testing.T) {
		tp := newTestPortal(t)
		b := tp.browser("192.0.2.1")
		b.login("ada", adaPassword)
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
			tp.clock.Advance(20 * time.Minute)
			if !b.signedIn() {
				t.Fatalf("session ended after %v of activity", elapsed)
			}
		}
		tp.clock.Advance(20 * time.Minute)
		if b.signedIn() {
			t.Fatal("session outlived the absolute timeout")
		}
	})
	t.Run("parameters", func(t *testing.T) {
		tp := newTestPortal(t)
		if err := tp.svc.SetParam(context.Background(), "session.idle_timeout", "5m", "test"); err != nil {
			t.Fatal(err)
		}
		b := tp.browser("192.0.2.1")
		b.login("ada", adaPassword)
		tp.clock.Advance(6 * time.Minute)
		if b.signedIn() {
			t.Fatal("idle timeout parameter ignored")
		}
	})
}

func TestSession_touchOncePerMinute(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	lastSeen := func() time.Time {
		s, err := tp.db.Read().SessionByHash(context.Background(), hashSessionID(b.session()))
		if err != nil {
			t.Fatal(err)
		}
		return s.LastSeenAt
	}
	start := lastSeen()
	tp.clock.Advance(30 * time.Second)
	b.get("/account")
	if !lastSeen().Equal(start) {
		t.Fatal("last_seen_at written within a minute")
	}
	tp.clock.Advance(31 * time.Second)
	b.get("/account")
	if got := lastSeen(); !got.Equal(tp.clock.Now()) {
		t.Fatalf("last_seen_at = %v, want %v", got, tp.clock.Now())
	}
}

func TestLogout(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	other := tp.browser("192.0.2.2")
	other.login("ada", adaPassword)
	wantStatus(t, b.get("/logout"), http.StatusMethodNotAllowed)
	if !b.signedIn() {
		t.Fatal("GET /logout logged out")
	}
	rec := b.post("/logout", url.Values{})
	wantRedirect(t, rec, "/login?done=logout")
	if b.session() != "" || b.signedIn() {
		t.Fatal("still signed in after logout")
	}
	if tp.sessionCount(tp.ada.ID) != 1 || !other.signedIn() {
		t.Fatal("logout ended another browser's session")
	}
	wantBody(t, b.get("/login?done=logout"), "You have logged out.")
	// Logging out without a session is harmless.
	wantRedirect(t, tp.browser("192.0.2.3").post("/logout", url.Values{}), "/login?done=logout")
}

func TestLogout_crossOrigin(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	req, _ := http.NewRequest("POST", "/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.RemoteAddr = "192.0.2.1:1"
	req.AddCookie(&http.Cookie{Name: SessionCookiePlain, Value: b.session()})
	rec := newRecorder()
	tp.h.ServeHTTP(rec, req)
	wantStatus(t, rec, http.StatusForbidden)
	if !b.signedIn() {
		t.Fatal("a cross-site POST logged out")
	}
}
