package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServe_TrustedOrigin runs serve with --trusted-origin and posts the
// sign-up form as a browser on the company's site would: the trusted origin's
// post is taken, another site's is refused with 403 and stores nothing, and
// the trust covers the sign-up form only, not the login.
func TestServe_TrustedOrigin(t *testing.T) {
	t.Parallel()
	data := newData(t)
	cli(t, data, "params", "set", "signup.per_ip_per_hour", "1000")
	p := startServe(t, data, nil, "--trusted-origin", "https://www.engines.example")
	base := strings.TrimRight(p.url, "/")
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, origin string, i int) int {
		t.Helper()
		body := validForm(i).Encode()
		if path == "/login" {
			body = "username=nobody&password=whatever+it+is"
		}
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/signup", "https://www.engines.example", 1); code != http.StatusSeeOther {
		t.Fatalf("sign-up from the trusted origin: %d, want 303", code)
	}
	if code := post("/signup", "https://evil.example", 2); code != http.StatusForbidden {
		t.Fatalf("sign-up from another site: %d, want 403", code)
	}
	if code := post("/login", "https://www.engines.example", 3); code != http.StatusForbidden {
		t.Fatalf("login posted from the trusted origin: %d, want 403 (trusted for the sign-up form only)", code)
	}
	p.stop(t)

	var got []string
	for _, r := range requestsJSON(t, data) {
		got = append(got, r.Email)
	}
	if len(got) != 1 || got[0] != validForm(1).Get("email") {
		t.Fatalf("stored requests %v, want only the trusted origin's %s", got, validForm(1).Get("email"))
	}
}
