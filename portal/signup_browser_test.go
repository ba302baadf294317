package portal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer"
)

// browserPortal is the real portal on loopback with a River runner that
// delivers mail as .eml files, like `regdesk serve` without --smtp.
type browserPortal struct {
	url     string
	mailDir string
	env     *signupEnv
}

func startBrowserPortal(t *testing.T) *browserPortal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	db := storetest.New(t)
	svc := workflow.New(workflow.Config{DB: db, BaseURL: base})
	mailDir := filepath.Join(t.TempDir(), "mail")
	sender, err := mailer.NewFileSender(mailDir)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := jobs.New(context.Background(), jobs.Config{DB: db, Service: svc, Sender: sender,
		PollInterval: 50 * time.Millisecond, StopTimeout: 5 * time.Second, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := runner.Stop(); err != nil {
			t.Errorf("stop jobs: %v", err)
		}
	})
	h, err := New(Deps{DB: db, Service: svc, BaseURL: base}) // real argon2id parameters
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &browserPortal{url: base, mailDir: mailDir, env: &signupEnv{t: t, db: db, svc: svc}}
}

// shot saves a full-page screenshot as signup_NAME.png in
// $PORTAL_SCREENSHOTS, when set, for a person to look at.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PORTAL_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "signup_"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// navigate loads a URL (or runs actions that do) and returns the status.
func navigate(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) int {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, steps...)
	if err != nil {
		t.Fatalf("navigation: %v", err)
	}
	return int(resp.Status)
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitTrue polls a JavaScript condition until it holds or 5 s pass: the
// browser applies autofocus after the page has loaded.
func waitTrue(ctx context.Context, js string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && v {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser_SignupAndActivate is a prospect's whole path in chromium:
// the form with mistakes, the error summary, a good sign-up, the link from
// the delivered mail, and Activate. PORTAL_SCREENSHOTS=dir keeps a
// screenshot of each page.
func TestBrowser_SignupAndActivate(t *testing.T) {
	ctx := chromium(t) // skips without chromium, unless CI is set
	// Start the browser on the long-lived context: the steps below run on
	// contexts with their own deadlines (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	p := startBrowserPortal(t)

	if code := navigate(t, ctx, chromedp.Navigate(p.url+"/")); code != http.StatusOK {
		t.Fatalf("home: %d", code)
	}
	shot(t, ctx, "01-home")
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS(".cta a.button"))); code != http.StatusOK {
		t.Fatalf("sign-up page: %d", code)
	}
	shot(t, ctx, "02-signup")

	// Mistakes: no company, a bad address, a short password.
	type entry struct{ id, value string }
	typeIn := func(es ...entry) {
		t.Helper()
		for _, e := range es {
			eval[bool](t, ctx, `(document.getElementById("`+e.id+`").value = "", true)`)
			do(t, ctx, chromedp.SendKeys(chromedp.ID(e.id), e.value))
		}
	}
	typeIn(entry{"street", "Hauptstraße 1"}, entry{"city", "Berlin"}, entry{"postal_code", "10115"},
		entry{"first_name", "Jana"}, entry{"last_name", "Schmidt"}, entry{"email", "jana at acme"},
		entry{"phone", "+49 30 1234567"}, entry{"username", "jana"}, entry{"password", "short"},
		entry{"password_confirm", "short"})
	do(t, ctx, chromedp.SetValue(chromedp.ID("country"), "DE"))
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS("form.form button[type=submit]"))); code != http.StatusUnprocessableEntity {
		t.Fatalf("bad sign-up: %d, want 422", code)
	}
	shot(t, ctx, "03-signup-errors")
	if !waitTrue(ctx, `document.activeElement.classList.contains("error-summary")`) {
		t.Fatalf("focus is on %s, want the error summary",
			eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	// Every summary link points at an invalid field with a label and an
	// error message it is described by.
	links := eval[[]string](t, ctx, `[...document.querySelectorAll(".error-summary a")].map(a => {
		const el = document.querySelector(a.getAttribute("href"));
		const ok = el && el.getAttribute("aria-invalid") === "true" && el.labels.length === 1 &&
			el.getAttribute("aria-describedby").includes(el.id + "-error");
		return (ok ? "ok " : "BAD ") + a.getAttribute("href");
	})`)
	if strings.Join(links, ",") != "ok #company_name,ok #email,ok #password" {
		t.Fatalf("summary links: %v", links)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`.error-summary a[href="#email"]`)))
	if h := eval[string](t, ctx, `location.hash`); h != "#email" {
		t.Fatalf("after the summary link, location.hash = %q", h)
	}
	// Values are kept, passwords are not.
	if v := eval[string](t, ctx, `document.getElementById("city").value + "|" + document.getElementById("password").value`); v != "Berlin|" {
		t.Fatalf("kept values: %q", v)
	}

	typeIn(entry{"company_name", "Acme Tools GmbH"}, entry{"email", "jana.schmidt@acme.example"},
		entry{"password", "correct horse battery staple"}, entry{"password_confirm", "correct horse battery staple"})
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS("form.form button[type=submit]"))); code != http.StatusOK {
		t.Fatalf("sign-up: %d", code)
	}
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/signup/sent" {
		t.Fatalf("after sign-up at %s", loc)
	}
	shot(t, ctx, "04-signup-sent")

	link := waitActivationLink(t, p.mailDir, 20*time.Second)
	if !strings.HasPrefix(link, p.url+"/activate?token=") {
		t.Fatalf("link %q is not on %s", link, p.url)
	}
	if code := navigate(t, ctx, chromedp.Navigate(link)); code != http.StatusOK {
		t.Fatalf("activate page: %d", code)
	}
	shot(t, ctx, "05-activate")
	if r := p.env.requests()[0]; r.Status != domain.Requested {
		t.Fatalf("opening the link changed the status to %s", r.Status)
	}
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS("main form button[type=submit]"))); code != http.StatusOK {
		t.Fatalf("activate: %d", code)
	}
	shot(t, ctx, "06-activated")
	r := p.env.requests()[0]
	if r.Status != domain.Verified || r.CompanyName != "Acme Tools GmbH" {
		t.Fatalf("request %s is %s, want verified", r.Number, r.Status)
	}
	if !strings.Contains(eval[string](t, ctx, `document.body.innerText`), r.Number) {
		t.Fatal("the done page does not show the registration number")
	}

	// The used link, and the pages around it, for a person to look at.
	if code := navigate(t, ctx, chromedp.Navigate(link)); code != http.StatusGone {
		t.Fatalf("used link: %d, want 410", code)
	}
	shot(t, ctx, "07-link-used")
	navigate(t, ctx, chromedp.Navigate(p.url+"/activate?token=garbled"))
	shot(t, ctx, "08-link-invalid")
	navigate(t, ctx, chromedp.Navigate(p.url+"/activate/resend"))
	do(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "jana.schmidt@acme.example"))
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS("main form button[type=submit]"))); code != http.StatusOK {
		t.Fatalf("resend: %d", code)
	}
	shot(t, ctx, "09-resend-sent")
	navigate(t, ctx, chromedp.Navigate(p.url+"/no/such/page"))
	shot(t, ctx, "10-not-found")

	// The sign-up form with errors on a phone.
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	navigate(t, ctx, chromedp.Navigate(p.url+"/signup"))
	navigate(t, ctx, chromedp.Click(chromedp.CSS("form.form button[type=submit]")))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Fatalf("the page is %d px wide on a 390 px phone", w)
	}
	shot(t, ctx, "11-signup-errors-phone")
}

var activationLinkRE = regexp.MustCompile(`https?://[^\s"<>]+/activate\?token=[A-Za-z0-9_-]+`)

// waitActivationLink polls the mail directory for the activation mail and
// returns the link from its text part.
func waitActivationLink(t *testing.T, dir string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*-activation.eml"))
		if len(files) > 0 {
			raw, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			text, err := mailText(raw)
			if err != nil {
				t.Fatalf("%s: %v", files[0], err)
			}
			if m := activationLinkRE.FindString(text); m != "" {
				return m
			}
			t.Fatalf("%s has no activation link:\n%s", files[0], text)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no activation mail in %s after %v", dir, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailText returns the decoded text/plain part of an RFC 5322 message.
func mailText(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(msg.Body)
		return string(b), err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			return "", errors.New("no text/plain part")
		}
		if err != nil {
			return "", err
		}
		if ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct == "text/plain" {
			b, err := io.ReadAll(part)
			return string(b), err
		}
	}
}
