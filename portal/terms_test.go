package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/workflow"
)

func TestSignup_terms(t *testing.T) {
	e := newSignupEnv(t, nil)
	ctx := context.Background()
	// Without the parameters there is no checkbox and nothing is recorded.
	if body := e.get("/signup").Body.String(); strings.Contains(body, `name="terms"`) {
		t.Fatal("a terms checkbox without terms")
	}
	for _, kv := range [][2]string{{workflow.ParamTermsVersion, "2026-11"}, {workflow.ParamTermsURL, "https://www.example.com/terms?a=1&b=2"}} {
		if err := e.svc.SetParam(ctx, kv[0], kv[1], "alice"); err != nil {
			t.Fatal(err)
		}
	}
	page := e.get("/signup")
	wantBody(t, page, `<input type="checkbox" id="terms" name="terms" value="2026-11" required>`,
		`<a href="https://www.example.com/terms?a=1&amp;b=2">terms and conditions</a> (version 2026-11)`)

	// Unticked: 422, every value kept, the error linked from the summary; nothing stored.
	w := e.post("/signup", validSignup(), fromIP("198.51.100.8"))
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, `href="#terms"`, workflow.MsgTermsMissing, `value="Acme Tools GmbH"`, `aria-describedby="terms-error"`)
	// Ticked for a version that is no longer current (the page was open across a change).
	v := validSignup()
	v.Set(FieldTerms, "2026-10")
	w = e.post("/signup", v, fromIP("198.51.100.8"))
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, "The terms and conditions have changed")
	if n := len(e.requests()); n != 0 {
		t.Fatalf("%d requests stored by refused sign-ups", n)
	}

	v.Set(FieldTerms, "2026-11")
	wantStatus(t, e.post("/signup", v, fromIP("198.51.100.8")), http.StatusSeeOther)
	rs := e.requests()
	if len(rs) != 1 || rs[0].TermsVersion != "2026-11" || rs[0].TermsAcceptedAt == nil {
		t.Fatalf("stored %+v", rs)
	}

	// The checkbox reads in the visitor's language.
	de := e.get("/signup", func(r *http.Request) { r.Header.Set("Accept-Language", "de-DE") })
	wantBody(t, de, "Ich akzeptiere die <a href=", "Allgemeinen Geschäftsbedingungen</a> (Fassung 2026-11)",
		`<option value="de" selected>`)
}
