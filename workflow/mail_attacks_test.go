package workflow

import (
	"context"
	"strings"
	"testing"
)

// Attack 6: a company name of "Your account is locked, log in here
// https://evil.example/login" became the subject of the activation mail and
// a clickable link in its HTML part, sent by the company's own mail server.
func TestPhishingFromOwnMailServer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const bait = "Your account is locked, log in here https://evil.example/login."
	in := f.input()
	in.Email = "victim@example.com"
	in.CompanyName = bait
	in.FirstName = "see www.evil.example"
	res, err := f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	m := f.mailsOf("activation")[0]
	if strings.Contains(m.Subject, "evil") || strings.Contains(m.Subject, "locked") {
		t.Errorf("subject carries the prospect's text: %q", m.Subject)
	}
	if !strings.Contains(m.Subject, res.Number) {
		t.Errorf("subject %q does not name the registration number", m.Subject)
	}
	for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML} {
		for _, bad := range []string{"https://evil", "evil.example", "www.evil"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s part carries a working %q", part, bad)
			}
		}
	}
	if strings.Count(m.HTML, "<a href=") != 1 || !strings.Contains(m.HTML, `<a href="https://portal.test/activate?token=`) {
		t.Errorf("HTML links something other than the activation link:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "https[:]//evil[.]example/login") {
		t.Errorf("the company name is not shown defanged:\n%s", m.Text)
	}

	// The subject of mail to an unconfirmed address cannot be made to
	// carry what the prospect typed.
	err = f.svc.SetParam(ctx, ParamTmplActivation, "Subject: {{.Company}}: confirm\n\n{{.Link}}\n", "op")
	if err == nil || !strings.Contains(err.Error(), "unconfirmed address") {
		t.Fatalf("activation subject with the company accepted: %v", err)
	}
}

// The auto-linker swallowed a trailing "." or "," into the link.
func TestPhishingFromOwnMailServer_trailingPunctuation(t *testing.T) {
	for line, want := range map[string]string{
		"Log in at https://portal.example/login.":        `<a href="https://portal.example/login" style="color:#0b57d0;">https://portal.example/login</a>.`,
		"Open https://portal.example/a?b=1, then wait":   `<a href="https://portal.example/a?b=1" style="color:#0b57d0;">https://portal.example/a?b=1</a>, then`,
		"(see https://portal.example/x)":                 `https://portal.example/x</a>)`,
		"Mail from a prospect \uE0001\uE001 is no link.": "\uE0001\uE001 is no link.",
	} {
		if got := linkify(line); !strings.Contains(got, want) {
			t.Errorf("linkify(%q) = %q, want it to contain %q", line, got, want)
		}
	}
}

// A mail template is rendered inside the writer's transaction: one that
// loops (over a number, nested ranges, template recursion) is refused when
// it is set, so nobody waits on it.
func TestMailTemplateLoopHoldsWriter(t *testing.T) {
	f := newFixture(t)
	for _, src := range []string{
		"Subject: x\n\n{{range 1000000000}}{{end}}\n",
		"Subject: x\n\n{{range .Lines}}{{range .Lines}}{{range .Lines}}{{end}}{{end}}{{end}}\n",
		"Subject: x\n\n{{define \"a\"}}{{template \"a\"}}{{end}}{{template \"a\"}}\n",
		"Subject: x\n\n{{printf \"%0999999999d\" 1}}\n",
		"Subject: x\n\n{{call .Link}}\n",
	} {
		if err := f.svc.SetParam(context.Background(), ParamTmplDigest, src, "op"); err == nil {
			t.Errorf("template accepted: %q", src)
		}
	}
	// What templates need still works.
	ok := "Subject: {{.Count}} to review\n\n{{range .Lines}}{{if ne . \"\"}}- {{.}}{{end}}\n{{end}}{{len .Numbers}}\n"
	if err := f.svc.SetParam(context.Background(), ParamTmplDigest, ok, "op"); err != nil {
		t.Fatal(err)
	}
}
