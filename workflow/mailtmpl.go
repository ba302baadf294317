package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
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

const defaultActivationTemplate = `Subject: Confirm your email address for registration {{.Number}}

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
	for _, t := range []*template.Template{subject, body} {
		if len(t.Templates()) > 1 {
			return nil, nil, fmt.Errorf("%s: define and block are not allowed", t.Name())
		}
		if err := checkNode(t.Root, 0); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", t.Name(), err)
		}
	}
	return subject, body, nil
}

// allowedFuncs are the functions a mail template may call: no printf,
// call or slice, so rendering one is linear in its size and its data, and
// the writer transaction that renders it never waits on an operator's loop.
var allowedFuncs = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true,
	"ge": true, "not": true, "and": true, "or": true, "len": true}

// checkNode allows fields, conditions and one level of range over a field
// (.Lines, .Numbers): no ranging over numbers, no nested loops, no calls of
// other templates.
func checkNode(n parse.Node, ranges int) error {
	switch n := n.(type) {
	case nil, *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNode(c, ranges); err != nil {
				return err
			}
		}
		return nil
	case *parse.ActionNode:
		return checkPipe(n.Pipe)
	case *parse.IfNode:
		return checkBranch(&n.BranchNode, ranges)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode, ranges)
	case *parse.RangeNode:
		if ranges > 0 {
			return errors.New("a range inside a range is not allowed")
		}
		if len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
			return errors.New("range only over a field, such as {{range .Lines}}")
		}
		if _, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode); !ok {
			return errors.New("range only over a field, such as {{range .Lines}}")
		}
		return checkBranch(&n.BranchNode, ranges+1)
	case *parse.TemplateNode:
		return errors.New("{{template}} is not allowed")
	}
	return fmt.Errorf("%s is not allowed", n)
}

func checkBranch(b *parse.BranchNode, ranges int) error {
	if err := checkPipe(b.Pipe); err != nil {
		return err
	}
	if err := checkNode(b.List, ranges); err != nil {
		return err
	}
	return checkNode(b.ElseList, ranges)
}

func checkPipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for _, c := range p.Cmds {
		for i, a := range c.Args {
			switch a := a.(type) {
			case *parse.FieldNode, *parse.VariableNode, *parse.DotNode, *parse.StringNode,
				*parse.NumberNode, *parse.BoolNode, *parse.NilNode:
			case *parse.IdentifierNode:
				if i != 0 || !allowedFuncs[a.Ident] {
					return fmt.Errorf("the function %s is not allowed", a.Ident)
				}
			case *parse.PipeNode:
				if err := checkPipe(a); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%s is not allowed", a)
			}
		}
	}
	return nil
}

func validTemplate(src string) error {
	_, err := RenderMail(src, sampleMailData)
	return err
}

// validUnverifiedTemplate is validTemplate for mail to an address nobody
// has confirmed yet: its subject may not carry what the prospect typed, so
// a company name such as "Your account is locked, log in at …" cannot
// become the subject of a mail from the company's own server.
func validUnverifiedTemplate(src string) error {
	if err := validTemplate(src); err != nil {
		return err
	}
	subject, _, _ := parseMailTemplate(src)
	var b bytes.Buffer
	if err := subject.Execute(&b, placeholderData(sampleMailData)); err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	if strings.ContainsRune(b.String(), phOpen) {
		return errors.New("the subject of this mail goes to an unconfirmed address: it may not contain " +
			"what the prospect typed (company, names, user name); use {{.Number}}")
	}
	return nil
}

// RenderMail renders a template ("Subject: …", a blank line, the text body)
// into a plain-text and an HTML part. Only what the template itself says
// becomes a link in the HTML part: text from the prospect or approver is
// escaped and never linked.
func RenderMail(src string, d MailData) (Mail, error) {
	subject, body, err := parseMailTemplate(src)
	if err != nil {
		return Mail{}, err
	}
	var s, b, h bytes.Buffer
	if err := subject.Execute(&limitWriter{w: &s, n: maxSubject}, d); err != nil {
		return Mail{}, fmt.Errorf("subject: %w", err)
	}
	if err := body.Execute(&limitWriter{w: &b, n: maxBody}, d); err != nil {
		return Mail{}, fmt.Errorf("body: %w", err)
	}
	ph := placeholderData(d)
	if err := body.Execute(&limitWriter{w: &h, n: maxBody}, ph); err != nil {
		return Mail{}, fmt.Errorf("body: %w", err)
	}
	subj := strings.Join(strings.Fields(s.String()), " ")
	if subj == "" {
		return Mail{}, errors.New("the subject is empty")
	}
	text := strings.TrimSpace(b.String()) + "\n"
	return Mail{Subject: subj, Text: text, HTML: textToHTML(subj, strings.TrimSpace(h.String()), d)}, nil
}

// Placeholders stand for typed-in text while the HTML part is linked, so no
// link is ever made from it; private-use runes that no form accepts.
const (
	phOpen  = '\uE000'
	phClose = '\uE001'
)

// typedFields are the fields of MailData that carry text people typed:
// the prospect's sign-up and the approver's comment.
func typedFields(d *MailData) []*string {
	return []*string{&d.Company, &d.FirstName, &d.LastName, &d.Username, &d.Reason, &d.Comment}
}

// placeholderData returns d with every typed-in field, and every digest
// line, replaced by a numbered placeholder (empty ones stay empty, so
// {{if .Comment}} still decides the same way).
func placeholderData(d MailData) MailData {
	n := 0
	ph := func(v string) string {
		if v == "" {
			return ""
		}
		n++
		return fmt.Sprintf("%c%d%c", phOpen, n, phClose)
	}
	for _, f := range typedFields(&d) {
		*f = ph(*f)
	}
	lines := make([]string, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = ph(l)
	}
	d.Lines = lines
	return d
}

// typedValues lists the values placeholderData replaced, in its order.
func typedValues(d MailData) []string {
	var out []string
	for _, f := range typedFields(&d) {
		if *f != "" {
			out = append(out, *f)
		}
	}
	for _, l := range d.Lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Defanged returns d with the prospect's text made unclickable for mail to
// an address nobody has confirmed: "https://evil.example/login" reads
// "https[:]//evil[.]example/login", which no mail program turns into a link.
func (d MailData) Defanged() MailData {
	for _, f := range []*string{&d.Company, &d.FirstName, &d.LastName, &d.Username} {
		*f = defang(*f)
	}
	return d
}

var dotRE = regexp.MustCompile(`([\p{L}\p{N}])\.([\p{L}\p{N}])`)

func defang(s string) string {
	s = strings.ReplaceAll(s, "://", "[:]//")
	s = strings.ReplaceAll(s, "@", "[at]")
	// Twice, for one-letter labels ("a.b.c") whose matches overlap.
	s = dotRE.ReplaceAllString(s, "$1[.]$2")
	return dotRE.ReplaceAllString(s, "$1[.]$2")
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

// linkRE finds URLs in the template's own text; placeholders end them.
var linkRE = regexp.MustCompile(`https?://[^\s<>"\x{E000}\x{E001}]+`)

// phRE finds the placeholders of placeholderData.
var phRE = regexp.MustCompile(`\x{E000}(\d+)\x{E001}`)

// textToHTML derives the HTML part from the text (rendered with
// placeholders for typed-in text), so the two say the same thing:
// paragraphs, line breaks, and the template's own links made clickable.
func textToHTML(subject, text string, d MailData) string {
	values := typedValues(d)
	fill := func(escaped string) string {
		return phRE.ReplaceAllStringFunc(escaped, func(m string) string {
			i, err := strconv.Atoi(phRE.FindStringSubmatch(m)[1])
			if err != nil || i < 1 || i > len(values) {
				return ""
			}
			return html.EscapeString(values[i-1])
		})
	}
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
			lines[i] = fill(linkify(l))
		}
		b.WriteString(`<p style="margin:0 0 16px;">`)
		b.WriteString(strings.Join(lines, "<br>"))
		b.WriteString("</p>")
	}
	b.WriteString(`</div></body></html>`)
	return b.String()
}

// linkify makes the URLs in a line clickable. Punctuation that ends a
// sentence ("… at https://x.example/login.") is left outside the link.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(line, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)]}'", rune(line[end-1])) {
			end--
		}
		b.WriteString(html.EscapeString(line[last:m[0]]))
		u := html.EscapeString(line[m[0]:end])
		fmt.Fprintf(&b, `<a href="%s" style="color:#0b57d0;">%s</a>`, u, u)
		last = end
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
