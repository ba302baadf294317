package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServe_SignupAndActivate is `make run`'s promise on the built binary:
// sign up over HTTP, find the activation mail in DATA/mail, activate, and
// see the request verified in `regdesk requests list`.
func TestServe_SignupAndActivate(t *testing.T) {
	t.Parallel()
	data := newData(t)
	p := startServe(t, data, nil)
	noFollow := &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	form := url.Values{
		"company_name": {"Acme Tools GmbH"}, "street": {"Hauptstraße 1"}, "city": {"Berlin"},
		"postal_code": {"10115"}, "country": {"DE"}, "first_name": {"Jana"}, "last_name": {"Schmidt"},
		"email": {"jana@acme.example"}, "phone": {"+49 30 1234567"}, "username": {"jana"},
		"password": {"correct horse battery staple"},
	}
	resp, err := noFollow.PostForm(p.url+"/signup", form) // no password_confirm: another site's form
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signup/sent" {
		t.Fatalf("sign-up: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	link := activationLinkFromDir(t, filepath.Join(data, "mail"), 20*time.Second)
	if !strings.HasPrefix(link, p.url+"/activate?token=") {
		t.Fatalf("link %q is not on %s", link, p.url)
	}
	page := fetch(t, noFollow, http.MethodGet, link, nil, http.StatusOK)
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no token in the activate page:\n%s", page)
	}
	if got := requestsJSON(t, data); len(got) != 1 || got[0].Status != "requested" {
		t.Fatalf("after opening the link: %+v", got)
	}
	done := fetch(t, noFollow, http.MethodPost, p.url+"/activate", url.Values{"token": {html.UnescapeString(m[1])}}, http.StatusOK)
	got := requestsJSON(t, data)
	if len(got) != 1 || got[0].Status != "verified" || got[0].Username != "jana" || got[0].Email != "jana@acme.example" {
		t.Fatalf("requests list: %+v", got)
	}
	if !strings.Contains(done, got[0].Number) {
		t.Fatalf("the done page lacks %s", got[0].Number)
	}
	fetch(t, noFollow, http.MethodPost, p.url+"/activate", url.Values{"token": {html.UnescapeString(m[1])}}, http.StatusGone)
	p.stop(t)
}

// requestsJSON runs the built binary's `requests list --json`.
func requestsJSON(t *testing.T, data string) []requestJSON {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, withDB(data, []string{"requests", "list", "--json", "--data", data})...).Output()
	if err != nil {
		t.Fatalf("regdesk requests list: %v", err)
	}
	var rs []requestJSON
	if err := json.Unmarshal(out, &rs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return rs
}

// fetch sends a request (a form when v is not nil) and checks the status.
func fetch(t *testing.T, c *http.Client, method, u string, v url.Values, want int) string {
	t.Helper()
	var body io.Reader
	if v != nil {
		body = strings.NewReader(v.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%s", method, u, resp.StatusCode, want, b)
	}
	return string(b)
}

var activationLinkRE = regexp.MustCompile(`https?://[^\s"<>]+/activate\?token=[A-Za-z0-9_-]+`)

// activationLinkFromDir waits for the activation .eml and returns the link
// from its (decoded) text part.
func activationLinkFromDir(t *testing.T, dir string, d time.Duration) string {
	t.Helper()
	var files []string
	waitFor(t, d, "the activation mail in "+dir, func() bool {
		files, _ = filepath.Glob(filepath.Join(dir, "*-activation.eml"))
		return len(files) > 0
	})
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s: no text part with an activation link", files[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		if l := activationLinkRE.FindString(string(b)); l != "" && strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
			return l
		}
	}
}
