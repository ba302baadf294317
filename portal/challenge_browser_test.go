package portal

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/regdesk/regdesk/workflow"
)

// TestBrowser_SignupChallenge: near the cap, chromium solves the form's
// proof of work with /static/pow.js (under the portal's CSP, no inline
// script) and the sign-up goes through.
func TestBrowser_SignupChallenge(t *testing.T) {
	ctx := chromium(t) // skips without chromium, unless CI is set
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	p := startBrowserPortal(t)
	bg := context.Background()
	for i := range 2 {
		if _, err := p.env.svc.SignUp(bg, workflow.SignupInput{CompanyName: fmt.Sprintf("Early %d Ltd", i),
			Street: "1 Way", City: "Leeds", PostalCode: "LS1 1AA", Country: "GB", FirstName: "Early",
			LastName: "Bird", Email: fmt.Sprintf("early%d@early%d.example", i, i), Phone: "+44 113 555 0100",
			Username: fmt.Sprintf("early%d", i), PasswordHash: "$argon2id$x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.env.svc.SetParam(bg, workflow.ParamMaxUnverified, "3", "op"); err != nil {
		t.Fatal(err)
	}
	before := len(p.env.requests())

	if code := navigate(t, ctx, chromedp.Navigate(p.url+"/signup")); code != http.StatusOK {
		t.Fatalf("sign-up page: %d", code)
	}
	if bits := eval[string](t, ctx, `document.querySelector('input[name="challenge"]').dataset.bits`); bits != "16" {
		t.Fatalf("challenge bits %q, want 16", bits)
	}
	for id, value := range map[string]string{"company_name": "Acme Tools GmbH", "street": "Hauptstraße 1",
		"city": "Berlin", "postal_code": "10115", "first_name": "Jana", "last_name": "Schmidt",
		"email": "jana.schmidt@acme.example", "phone": "+49 30 1234567", "username": "jana",
		"password": "correct horse battery staple", "password_confirm": "correct horse battery staple"} {
		do(t, ctx, chromedp.SendKeys(chromedp.ID(id), value))
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("country"), "DE"))
	// The script works while the person types; the form waits for it if not.
	solved := false
	for end := time.Now().Add(30 * time.Second); !solved && time.Now().Before(end); {
		solved = waitTrue(ctx, `document.querySelector('form.form').dataset.challenge === "solved"`)
	}
	if !solved {
		t.Fatal("the browser did not solve the challenge within 30 s")
	}
	shot(t, ctx, "challenge")
	if code := navigate(t, ctx, chromedp.Click(chromedp.CSS("form.form button[type=submit]"))); code != http.StatusOK {
		t.Fatalf("sign-up: %d", code)
	}
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/signup/sent" {
		t.Fatalf("after sign-up at %s:\n%s", loc, eval[string](t, ctx, `document.body.innerText`))
	}
	if after := len(p.env.requests()); after != before+1 {
		t.Fatalf("%d requests after the sign-up, want %d", after, before+1)
	}
}
