package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/portal"
	"github.com/regdesk/regdesk/workflow"
)

// TestServe_SignupToAccount follows a customer from sign-up to the account
// page on the built binary: sign up and activate (through the service, as
// the sign-up page would), approve and create with the CLI, let serve's
// workflow provision the login and write the welcome mail to DATA/mail, then
// log in over HTTP with the sign-up password and open /account.
func TestServe_SignupToAccount(t *testing.T) {
	t.Parallel()
	data := newData(t)
	p := startServe(t, data, nil)
	d := openDesk(t, data)
	ctx := context.Background()

	const password = "marmalade skies over the harbour"
	hash, err := portal.NewHasher(portal.HasherConfig{}).Hash(ctx, portal.NormalizePassword(password))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Harbour Marmalade GmbH",
		Street: "Kaistr. 5", City: "Hamburg", PostalCode: "20457", Country: "DE", FirstName: "Hedy",
		LastName: "Lamarr", Email: "hedy@harbour.example", Phone: "+49 40 1234567", Username: "hedy",
		PasswordHash: hash, SourceIP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	cli(t, data, "requests", "approve", res.Number, "--as", "alice")
	if out := cli(t, data, "requests", "create", res.Number, "--as", "alice"); !strings.Contains(out, "UR-") {
		t.Fatalf("create: %s", out)
	}

	var welcome string
	waitFor(t, 30*time.Second, "the welcome mail in DATA/mail", func() bool {
		files, _ := filepath.Glob(filepath.Join(data, "mail", "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && strings.Contains(string(b), "Your login for") && strings.Contains(string(b), "hedy@harbour.example") {
				welcome = string(b)
				return true
			}
		}
		return false
	})
	if !strings.Contains(welcome, p.url+"/login") || strings.Contains(welcome, password) {
		t.Fatalf("welcome mail lacks the login URL or carries the password:\n%s", welcome)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := client.PostForm(p.url+"/login", url.Values{"username": {"hedy"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/account" {
		t.Fatalf("login ended at %s with %d:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	for _, want := range []string{"Harbour Marmalade GmbH", "Kaistr. 5", "20457 Hamburg", "Germany", "Hedy Lamarr", "<code>hedy</code>"} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("/account lacks %q:\n%s", want, body)
		}
	}
	u, _ := url.Parse(p.url)
	if cs := jar.Cookies(u); len(cs) != 1 || cs[0].Name != portal.SessionCookiePlain {
		t.Fatalf("cookies on plain HTTP: %v", cs)
	}
	p.stop(t)
}
