package portal

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_TwoFactor is a customer in chromium: enrol an authenticator
// app from the QR code on /account/security, log out, log in with the
// password and a code computed here from the scanned QR code, and switch
// the portal to German. PORTAL_SCREENSHOTS=dir keeps a screenshot of each step.
func TestBrowser_TwoFactor(t *testing.T) {
	ctx := chromium(t)
	tp := newTestPortal(t)
	srv := httptest.NewServer(tp.h)
	defer srv.Close()
	type C = chromedp.CSS
	type I = chromedp.ID

	// The first action starts the browser on ctx itself: one begun on a
	// shorter-lived context would close it when that context ends.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SendKeys(I("username"), "bob"), chromedp.SendKeys(I("password"), bobPassword))
	do(t, ctx, chromedp.Submit(I("password")), chromedp.WaitVisible(I("company-title")))
	do(t, ctx, chromedp.Click(C(`nav.tabs a[href="/account/security"]`)), chromedp.WaitVisible(C("img.qr")))
	shot(t, ctx, "2fa-01-enrol")
	// The QR code is drawn (the CSP lets the inline PNG through) and scans.
	if w := eval[int](t, ctx, `document.querySelector("img.qr").naturalWidth`); w < 200 {
		t.Fatalf("the QR code is not shown (natural width %d)", w)
	}
	key := scanQR(t, `<img class="qr" src="`+eval[string](t, ctx, `document.querySelector("img.qr").getAttribute("src")`)+`"`)

	do(t, ctx, chromedp.SendKeys(I("code"), totpCode(t, key.Secret(), tp.clock.Now())))
	do(t, ctx, chromedp.Submit(I("code")), chromedp.WaitVisible(C("ol.recovery-codes")))
	shot(t, ctx, "2fa-02-recovery-codes")
	if n := eval[int](t, ctx, `document.querySelectorAll("ol.recovery-codes li").length`); n != 10 {
		t.Fatalf("%d recovery codes shown", n)
	}
	do(t, ctx, chromedp.Click(C(`a.button[href="/account/security"]`)), chromedp.WaitVisible(I("state-title")))
	if main := eval[string](t, ctx, `document.querySelector("main").textContent`); !strings.Contains(main, "Two-step login is on") ||
		!strings.Contains(main, "10 recovery codes left") {
		t.Fatalf("security page after enrolling: %s", main)
	}

	do(t, ctx, chromedp.Click(C(".nav-form button")), chromedp.WaitVisible(I("username")))
	do(t, ctx, chromedp.SendKeys(I("username"), "bob"), chromedp.SendKeys(I("password"), bobPassword),
		chromedp.Submit(I("password")), chromedp.WaitVisible(I("code")))
	shot(t, ctx, "2fa-03-code")
	if !strings.HasSuffix(eval[string](t, ctx, `location.pathname`), "/login/code") || tp.sessionCount(tp.bob.ID) != 0 {
		t.Fatal("the password alone made a session")
	}
	tp.clock.Advance(30 * time.Second) // the app's next code
	do(t, ctx, chromedp.SendKeys(I("code"), totpCode(t, key.Secret(), tp.clock.Now())))
	do(t, ctx, chromedp.Submit(I("code")), chromedp.WaitVisible(I("company-title")))
	if tp.sessionCount(tp.bob.ID) != 1 {
		t.Fatal("no session after the code")
	}

	// The language switcher: a button in the footer, remembered across pages.
	do(t, ctx, chromedp.Click(C(`.lang-switch button[value="de"]`)),
		chromedp.WaitVisible(C(`.lang-switch button[value="de"][aria-current="true"]`)))
	shot(t, ctx, "2fa-04-german")
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "de" {
		t.Fatalf("<html lang> = %q after choosing Deutsch", lang)
	}
	if main := eval[string](t, ctx, `document.querySelector("main").textContent`); !strings.Contains(main, "Kundenkonto C00042") ||
		!strings.Contains(main, "Ansprechpartner") {
		t.Fatalf("the account page is not in German: %s", main)
	}
	do(t, ctx, chromedp.Click(C(`nav.tabs a[href="/account/security"]`)), chromedp.WaitVisible(I("state-title")))
	if main := eval[string](t, ctx, `document.querySelector("main").textContent`); !strings.Contains(main, "Die Zwei-Faktor-Anmeldung ist aktiv") ||
		!strings.Contains(main, "Seit dem 2. März 2026") {
		t.Fatalf("the security page is not in German: %s", main)
	}
}
