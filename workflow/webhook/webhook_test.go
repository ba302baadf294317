package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The example of the Standard Webhooks specification, so our signatures
// are the ones every receiver library computes.
func TestSign_StandardExample(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"test": 2432232314}`)
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), body)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	err = Verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		"v1,bm9wZQ== "+got, body, time.Unix(1614265330, 0).Add(time.Minute))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := Verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		got, append(body, ' '), time.Unix(1614265330, 0)); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("a changed body verified: %v", err)
	}
	if err := Verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		got, body, time.Unix(1614265330, 0).Add(time.Hour)); !errors.Is(err, ErrTimestamp) {
		t.Fatalf("an old timestamp verified: %v", err)
	}
}

func TestParseSecret(t *testing.T) {
	if _, err := ParseSecret(NewSecret()); err != nil {
		t.Fatalf("a new secret: %v", err)
	}
	for _, bad := range []string{"", "secret", "whsec_", "whsec_!!!", "whsec_" + base64.StdEncoding.EncodeToString([]byte("short")),
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))} {
		if _, err := ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) accepted", bad)
		}
	}
}

func TestValidateURL(t *testing.T) {
	for _, ok := range []string{"https://erp.example.com/hooks/regdesk", "http://10.0.0.5:8080/x?y=1"} {
		if err := ValidateURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "erp.example.com/hooks", "ftp://erp.example.com/", "file:///etc/passwd",
		"https://user:pw@erp.example.com/", "https:///nohost", "https://erp.example.com/#frag", "javascript:alert(1)",
		"https://erp.example.com/" + strings.Repeat("a", 2001)} {
		if err := ValidateURL(bad); err == nil {
			t.Errorf("ValidateURL(%q) accepted", bad)
		}
	}
}

func TestPublic(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"fe80::1", "fc00::1", "0.0.0.0", "::", "100.64.0.1", "224.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
		"64:ff9b::a00:1", "255.255.255.255"} {
		if Public(netip.MustParseAddr(s)) {
			t.Errorf("%s counts as public", s)
		}
	}
	for _, s := range []string{"93.184.215.14", "2606:4700::6810:85e5", "8.8.8.8"} {
		if !Public(netip.MustParseAddr(s)) {
			t.Errorf("%s does not count as public", s)
		}
	}
}

// receiver is a test endpoint that checks every signature itself (not with
// this package's Verify) and answers with status.
func receiver(t *testing.T, secret string, status int, seen *atomic.Int32) *httptest.Server {
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "."))
		m.Write(body)
		want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
		if r.Header.Get("webhook-signature") != want || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("bad signature or type: %v", r.Header)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("z", 100000)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_Send(t *testing.T) {
	secret := NewSecret()
	msg := func(url string) Message {
		return Message{URL: url, Secret: secret, ID: "msg_1", Time: time.Now(), Body: []byte(`{"type":"x"}`)}
	}
	ctx := context.Background()

	t.Run("private targets refused at dial time, host names included", func(t *testing.T) {
		var seen atomic.Int32
		srv := receiver(t, secret, 200, &seen)
		c := NewClient(Config{})
		for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
			res := c.Send(ctx, msg(u))
			if _, ok := errors.AsType[*BlockedError](res.Err); !ok || !res.Permanent {
				t.Errorf("%s: %+v", u, res)
			}
		}
		if seen.Load() != 0 {
			t.Fatalf("the private receiver was reached %d times", seen.Load())
		}
	})
	t.Run("allowed by the operator, signed, body capped", func(t *testing.T) {
		var seen atomic.Int32
		srv := receiver(t, secret, 204, &seen)
		res := NewClient(Config{AllowPrivate: true}).Send(ctx, msg(srv.URL))
		if res.Err != nil || res.StatusCode != 204 || seen.Load() != 1 {
			t.Fatalf("%+v, seen %d", res, seen.Load())
		}
	})
	t.Run("error answers keep a short, clean reason", func(t *testing.T) {
		var seen atomic.Int32
		srv := receiver(t, secret, 500, &seen)
		res := NewClient(Config{AllowPrivate: true}).Send(ctx, msg(srv.URL))
		if res.Err == nil || res.Permanent || res.StatusCode != 500 || len(res.Err.Error()) > 250 {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("redirects are not followed", func(t *testing.T) {
		var seen atomic.Int32
		target := receiver(t, secret, 200, &seen)
		redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
		defer redirect.Close()
		res := NewClient(Config{AllowPrivate: true}).Send(ctx, msg(redirect.URL))
		if res.Err == nil || res.StatusCode != 307 || seen.Load() != 0 {
			t.Fatalf("%+v, target reached %d times", res, seen.Load())
		}
	})
	t.Run("a receiver that hangs times out", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		res := NewClient(Config{AllowPrivate: true, Timeout: 200 * time.Millisecond}).Send(ctx, msg(srv.URL))
		if res.Err == nil || res.Permanent {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("bad URL or secret is permanent", func(t *testing.T) {
		c := NewClient(Config{AllowPrivate: true})
		if res := c.Send(ctx, Message{URL: "ftp://x/", Secret: secret}); !res.Permanent {
			t.Errorf("ftp: %+v", res)
		}
		if res := c.Send(ctx, Message{URL: "http://x/", Secret: "nope"}); !res.Permanent {
			t.Errorf("secret: %+v", res)
		}
	})
}
