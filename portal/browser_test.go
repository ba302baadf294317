package portal

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium gives t a tab of the package's headless chromium, or skips
// when there is none (fails instead when CI is set: there the browser test
// must run).
func chromium(t *testing.T) context.Context {
	t.Helper()
	// A bound for a hung browser, not a speed check: the suite may share
	// two cores with the other store's pass.
	return chromiumFor(t, 5*time.Minute)
}

// chromiumProc is the package's one chromium, started by the first test that
// needs it and stopped by TestMain: a start costs chromium about 4
// CPU-seconds. Each test gets a browser context of its own, as fresh as a
// new profile (no cookies or storage of another test's).
var chromiumProc struct {
	once sync.Once
	ctx  context.Context // the first tab's: the browser's lifetime
	stop func()
	err  error
}

// chromiumFor is [chromium] for a test that may take up to limit.
func chromiumFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (apt-get install -y chromium); CI must run the browser test")
		}
		t.Skip("chromium is not installed; apt-get install -y chromium to run the browser test")
	}
	chromiumProc.once.Do(func() { chromiumProc.ctx, chromiumProc.stop, chromiumProc.err = startChromium(path) })
	if chromiumProc.err != nil {
		t.Fatalf("chromium: %v", chromiumProc.err)
	}
	ctx, cancelTab := chromedp.NewContext(chromiumProc.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	return ctx
}

// startChromium starts a headless chromium at path and returns the context
// that holds it and the function that stops it.
func startChromium(path string) (context.Context, func(), error) {
	dir, err := os.MkdirTemp("", "portal-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	stop := func() {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(dir)
	}
	if err := chromedp.Do(ctx); err != nil { // starts it
		stop()
		return nil, nil, err
	}
	return ctx, stop, nil
}

// TestMain stops the package's chromium, if a test started it.
func TestMain(m *testing.M) {
	code := m.Run()
	if chromiumProc.stop != nil {
		chromiumProc.stop()
	}
	os.Exit(code)
}

// TestBrowser_account drives the pages in chromium: log in, edit the contact
// details, change the password, log out, and log in with the new password.
// PORTAL_SCREENSHOTS=dir keeps a screenshot of each step.
func TestBrowser_account(t *testing.T) {
	ctx := chromium(t)
	tp := newTestPortal(t)
	srv := httptest.NewServer(tp.h)
	defer srv.Close()
	const next = "seven green bottles standing"
	type C = chromedp.CSS
	type I = chromedp.ID

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel C) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		dir := os.Getenv("PORTAL_SCREENSHOTS")
		if dir == "" {
			return
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "browser_"+name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do(chromedp.Navigate(srv.URL+"/account"),
		chromedp.WaitVisible(I("username")),
		chromedp.SendKeys(I("username"), "bob"),
		chromedp.SendKeys(I("password"), bobPassword))
	shot("login")
	do(chromedp.Submit(I("password")), chromedp.WaitVisible(I("company-title")))
	shot("account")
	if main := text("main"); !strings.Contains(main, "Analytical Engines Ltd") || !strings.Contains(main, "C00042") {
		t.Fatalf("account page: %s", main)
	}

	do(chromedp.Click(C(`a.button[href="/account/contact"]`)),
		chromedp.WaitVisible(I("job_title")),
		chromedp.Clear(I("first_name")),
		chromedp.Submit(I("first_name")),
		chromedp.WaitVisible(C(".error-summary")))
	shot("contact_error")
	if s := text(".error-summary"); !strings.Contains(s, "Enter your first name") {
		t.Fatalf("error summary: %s", s)
	}
	do(chromedp.SendKeys(I("first_name"), "Robert"),
		chromedp.SendKeys(I("job_title"), "Head of buying"),
		chromedp.SetValue(I("language"), "de"),
		chromedp.Submit(I("first_name")),
		chromedp.WaitVisible(C(".notice-success")))
	if n, main := text(".notice-success"), text("main"); !strings.Contains(n, "contact details have been saved") ||
		!strings.Contains(main, "Robert Tester") || !strings.Contains(main, "Head of buying") || !strings.Contains(main, "German") {
		t.Fatalf("after saving: %s / %s", n, main)
	}

	do(chromedp.Click(C(`a.button[href="/account/password"]`)),
		chromedp.WaitVisible(I("current_password")),
		chromedp.SendKeys(I("current_password"), bobPassword),
		chromedp.SendKeys(I("password"), next),
		chromedp.SendKeys(I("password_confirm"), next))
	shot("password")
	do(chromedp.Submit(I("password_confirm")), chromedp.WaitVisible(C(".notice-success")))
	if n := text(".notice-success"); !strings.Contains(n, "Your password has been changed") {
		t.Fatalf("notice: %s", n)
	}
	do(chromedp.Click(C(".nav-form button")), chromedp.WaitVisible(I("username")))
	shot("logged_out")
	if main := text("main"); !strings.Contains(main, "You have logged out.") {
		t.Fatalf("after logout: %s", main)
	}
	if tp.sessionCount(tp.bob.ID) != 0 {
		t.Fatal("logout left the session")
	}

	// The old password no longer works; the new one does.
	do(chromedp.SendKeys(I("username"), "bob"),
		chromedp.SendKeys(I("password"), bobPassword),
		chromedp.Submit(I("password")),
		chromedp.WaitVisible(C(".error-summary")))
	if s := text(".error-summary"); !strings.Contains(s, MsgLoginFailed) {
		t.Fatalf("old password: %s", s)
	}
	do(chromedp.SendKeys(I("password"), next),
		chromedp.Submit(I("password")),
		chromedp.WaitVisible(I("company-title")))
}
