package main

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
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

// TestServe_AdminAddsUserThroughApproval: with the default parameters, a
// user a customer administrator adds in the portal waits in the approvers'
// queue, showing who asked; approving it with the CLI lets serve's workflow
// provision the login and mail a set-password link, which works.
func TestServe_AdminAddsUserThroughApproval(t *testing.T) {
	t.Parallel()
	data := newData(t)
	p := startServe(t, data, nil)
	d := openDesk(t, data)
	ctx := context.Background()

	const password = "lighthouse keepers count the gulls"
	hash, err := portal.NewHasher(portal.HasherConfig{}).Hash(ctx, portal.NormalizePassword(password))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Lighthouse Supplies Ltd",
		Street: "1 Pier Road", City: "Whitby", PostalCode: "YO21 3PU", Country: "GB", FirstName: "Grace",
		LastName: "Darling", Email: "grace@lighthouse.example", Phone: "+44 1947 555 0100", Username: "grace",
		PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	cli(t, data, "requests", "approve", res.Number, "--as", "alice")
	cli(t, data, "requests", "create", res.Number, "--as", "alice", "--role", "customer_admin")
	waitFor(t, 30*time.Second, "grace's login", func() bool {
		return strings.Contains(cli(t, data, "users", "list"), "grace")
	})

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := client.PostForm(p.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	if resp, body := post("/login", url.Values{"username": {"grace"}, "password": {password}}); resp.Request.URL.Path != "/account" {
		t.Fatalf("login ended at %s:\n%s", resp.Request.URL, body)
	}
	resp, body := post("/account/users/new", url.Values{"first_name": {"Ida"}, "last_name": {"Lewis"},
		"email": {"ida@lighthouse.example"}, "username": {"ida"}, "role": {"customer_admin"}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/account/users" {
		t.Fatalf("add user: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}

	// It waits for an approver, who sees who asked; no login exists yet.
	type ur struct {
		Number, Status, Username, CreatedBy string
	}
	var pending ur
	waitFor(t, 30*time.Second, "ida's user request pending approval", func() bool {
		var urs []struct {
			Number    string `json:"number"`
			Status    string `json:"status"`
			Username  string `json:"username"`
			CreatedBy string `json:"created_by"`
		}
		if err := json.Unmarshal([]byte(cli(t, data, "user-requests", "list", "--json")), &urs); err != nil {
			t.Fatal(err)
		}
		for _, u := range urs {
			if u.Username == "ida" && u.Status == "pending_approval" {
				pending = ur{u.Number, u.Status, u.Username, u.CreatedBy}
				return true
			}
		}
		return false
	})
	if pending.CreatedBy != "grace" {
		t.Fatalf("the queue says %q asked, want grace", pending.CreatedBy)
	}
	if strings.Contains(cli(t, data, "users", "list"), "ida") {
		t.Fatal("a login exists before any approver looked")
	}

	out := cli(t, data, "user-requests", "approve", pending.Number, "--as", "alice")
	if !strings.Contains(out, pending.Number+" approved") {
		t.Fatalf("approve printed %q", out)
	}
	var mail string
	waitFor(t, 30*time.Second, "the set-password mail to ida", func() bool {
		files, _ := filepath.Glob(filepath.Join(data, "mail", "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && strings.Contains(string(b), "ida@lighthouse.example") && strings.Contains(string(b), "/password/reset?token=") {
				mail = string(b)
				return true
			}
		}
		return false
	})
	users := cli(t, data, "users", "list", "--json")
	if !strings.Contains(users, `"username": "ida"`) {
		t.Fatalf("no login for ida after approval: %s", users)
	}
	// The link in the mail sets a password, and ida logs in with it.
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(mail)))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(decoded), p.url+"/password/reset?token=")
	if i < 0 {
		t.Fatalf("mail lacks a link to %s:\n%s", p.url, decoded)
	}
	link := strings.Fields(string(decoded[i:]))[0]
	token := strings.TrimPrefix(link, p.url+"/password/reset?token=")
	const idaPassword = "storm lanterns and a copper kettle"
	resp, body = post("/password/reset", url.Values{"token": {token}, "password": {idaPassword}, "password_confirm": {idaPassword}})
	if resp.StatusCode >= 400 {
		t.Fatalf("setting the password: %d\n%s", resp.StatusCode, body)
	}
	client.Jar, _ = cookiejar.New(nil)
	if resp, body := post("/login", url.Values{"username": {"ida"}, "password": {idaPassword}}); resp.Request.URL.Path != "/account" {
		t.Fatalf("ida's login ended at %s:\n%s", resp.Request.URL, body)
	}
	p.stop(t)
}
