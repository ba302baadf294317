package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"text/template"
)

// MailData is what an email template can use.
type MailData struct {
	Company   string
	FirstName string
	LastName  string
	Number    string // registration or user request number
	Account   string // customer account number
	Username  string
	Link      string // activation, reset or set-password link
	PortalURL string
	ExpiresIn string // "48 hours"
	Reason    string
	Comment   string
	Count     int      // digest: number of requests
	Numbers   []string // digest: the requests
	Lines     []string // digest: one line per request (number, company, contact, country)
}

var sampleMailData = MailData{
	Company: "Contoso Ltd", FirstName: "Ada", LastName: "Lovelace", Number: "REG-000042",
	Account: "C00007", Username: "ada", Link: "https://portal.example.com/activate?token=x",
	PortalURL: "https://portal.example.com", ExpiresIn: "48 hours", Reason: "Information incomplete",
	Comment: "Please add your tax id.", Count: 2, Numbers: []string{"REG-000042", "REG-000043"},
	Lines: []string{"REG-000042  Contoso Ltd, Ada Lovelace (GB)", "REG-000043  Fabrikam GmbH, Jonas Weber (DE)"},
}

const defaultActivationTemplate = `Subject: Confirm your sign-up for {{.Company}}

Hello {{.FirstName}},

thank you for signing up {{.Company}}. Your registration number is {{.Number}}.

Please confirm your email address by opening this link and pressing "Activate":

{{.Link}}

The link works once and expires in {{.ExpiresIn}}. If you did not sign up, you can
ignore this message; nothing happens without the confirmation.
`

const defaultRejectionTemplate = `Subject: Your registration {{.Number}} was not approved

Hello {{.FirstName}},

we have reviewed the registration of {{.Company}} ({{.Number}}) and cannot approve it.

Reason: {{.Reason}}
{{if .Comment}}
{{.Comment}}
{{end}}
If you think this is a mistake, reply to this message and quote {{.Number}}.
`

const defaultWelcomeTemplate = `Subject: Your login for {{.Company}} is ready

Hello {{.FirstName}},

your customer account {{.Account}} is set up and your login is ready.

User name: {{.Username}}
Log in at: {{.PortalURL}}/login

Use the password you chose when you signed up. If you have forgotten it, choose
"Forgot your password?" on the login page.
`

const defaultPasswordResetTemplate = `Subject: Reset your password

Hello {{.FirstName}},

someone asked to reset the password of the login {{.Username}}. To choose a new
password, open this link:

{{.Link}}

The link works once and expires in {{.ExpiresIn}}. If you did not ask for this,
ignore this message; your password stays as it is.
`

const defaultSetPasswordTemplate = `Subject: Your login for {{.Company}}: choose a password

Hello {{.FirstName}},

an administrator of {{.Company}} has given you a login.

User name: {{.Username}}

Choose your password with this link (it works once and expires in {{.ExpiresIn}}):

{{.Link}}

Then log in at {{.PortalURL}}/login
`

const defaultAlreadyRegisteredTemplate = `Subject: Someone tried to sign up with your address

Hello,

someone (perhaps you) tried to sign up with this email address, which is already
registered or waiting for review. No new registration was made.

If you signed up but have not confirmed your address yet, get a new activation
link at {{.PortalURL}}/activate/resend
If you have forgotten your password, open {{.PortalURL}}/password/forgot
If this was not you, you can ignore this message.
`

const defaultDigestTemplate = `Subject: {{.Count}} new registration {{if eq .Count 1}}request{{else}}requests{{end}} to review

Hello,

{{.Count}} {{if eq .Count 1}}prospect has{{else}}prospects have{{end}} confirmed their email address since the last digest and {{if eq .Count 1}}waits{{else}}wait{{end}} for review:

{{range .Lines}}{{.}}
{{end}}
Review them in the Registration screen (regdesk tui, or over SSH).
`

// Mail is a rendered email.
type Mail struct {
	Subject string
	Text    string
	HTML    string
}

func parseMailTemplate(src string) (subject, body *template.Template, err error) {
	first, rest, ok := strings.Cut(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	subj, found := strings.CutPrefix(first, "Subject:")
	if !ok || !found || strings.TrimSpace(subj) == "" {
		return nil, nil, errors.New(`the first line must be "Subject: …"`)
	}
	subject, err = template.New("subject").Option("missingkey=error").Parse(strings.TrimSpace(subj))
	if err != nil {
		return nil, nil, fmt.Errorf("subject: %w", err)
	}
	body, err = template.New("body").Option("missingkey=error").Parse(strings.TrimLeft(rest, "\n"))
	if err != nil {
		return nil, nil, fmt.Errorf("body: %w", err)
	}
	return subject, body, nil
}

func validTemplate(src string) error {
	_, err := RenderMail(src, sampleMailData)
	return err
}

// RenderMail renders a template ("Subject: …", a blank line, the text body)
// into a plain-text and an HTML part.
func RenderMail(src string, d MailData) (Mail, error) {
	subject, body, err := parseMailTemplate(src)
	if err != nil {
		return Mail{}, err
	}
	var s, b bytes.Buffer
	if err := subject.Execute(&limitWriter{w: &s, n: maxSubject}, d); err != nil {
		return Mail{}, fmt.Errorf("subject: %w", err)
	}
	if err := body.Execute(&limitWriter{w: &b, n: maxBody}, d); err != nil {
		return Mail{}, fmt.Errorf("body: %w", err)
	}
	subj := strings.Join(strings.Fields(s.String()), " ")
	if subj == "" {
		return Mail{}, errors.New("the subject is empty")
	}
	text := strings.TrimSpace(b.String()) + "\n"
	return Mail{Subject: subj, Text: text, HTML: textToHTML(subj, text)}, nil
}

// Limits on a rendered mail: a template such as {{range 1000000000}} must
// fail validation instead of filling memory.
const (
	maxSubject = 1 << 10
	maxBody    = 64 << 10
)

// limitWriter fails once more than n bytes were written.
type limitWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, fmt.Errorf("the mail is longer than %d KiB", l.n>>10)
	}
	return l.w.Write(p)
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// textToHTML derives the HTML part from the text part, so the two always say
// the same thing: paragraphs, line breaks, and links made clickable.
func textToHTML(subject, text string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width"><title>`)
	b.WriteString(html.EscapeString(subject))
	b.WriteString(`</title></head><body style="margin:0;padding:24px;background:#f4f5f7;">` +
		`<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;` +
		`padding:24px 28px;font:16px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;` +
		`color:#1f2328;">`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		for i, l := range lines {
			lines[i] = linkify(l)
		}
		b.WriteString(`<p style="margin:0 0 16px;">`)
		b.WriteString(strings.Join(lines, "<br>"))
		b.WriteString("</p>")
	}
	b.WriteString(`</div></body></html>`)
	return b.String()
}

func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:m[0]]))
		u := html.EscapeString(line[m[0]:m[1]])
		fmt.Fprintf(&b, `<a href="%s" style="color:#0b57d0;">%s</a>`, u, u)
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
