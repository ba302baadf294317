package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// TestServe_TwoProcessesOnPostgres runs two serve processes on one
// PostgreSQL database, as behind a load balancer: sign-ups split across
// both, each activated through the other process, every request approved
// and created by two approvers racing through both at once. Numbers come
// out continuous and unique, each request makes one customer, and every
// mail is delivered exactly once.
func TestServe_TwoProcessesOnPostgres(t *testing.T) {
	db := storetest.PostgresURL(t)
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true})
	env := []string{"SSL_CERT_FILE=" + srv.CAFile(t.TempDir())}
	dataA, dataB := t.TempDir(), t.TempDir()
	a := startServe(t, dataA, env, "--db", db, "--smtp", srv.URL())
	b := startServe(t, dataB, env, "--db", db, "--smtp", srv.URL())
	procs := []*proc{a, b}
	noFollow := &http.Client{Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Sign-ups, half through each process, two at a time (one each): the
	// portal sheds load beyond its password-hashing slots with a 503.
	const n = 10
	var wg sync.WaitGroup
	for i := range n {
		if i%2 == 0 {
			wg.Wait()
		}
		wg.Go(func() {
			form := url.Values{
				"company_name": {fmt.Sprintf("Twin %d GmbH", i)}, "street": {"Hauptstraße 1"}, "city": {"Berlin"},
				"postal_code": {"10115"}, "country": {"DE"}, "first_name": {"Ada"}, "last_name": {fmt.Sprintf("Twin%d", i)},
				"email": {fmt.Sprintf("ada%d@twin.example", i)}, "phone": {"+49 30 1234567"},
				"username": {fmt.Sprintf("ada%d", i)}, "password": {"correct horse battery staple"},
			}
			resp, err := noFollow.PostForm(procs[i%2].url+"/signup", form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sign-up %d through process %d: %d", i, i%2, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Each activation link is used through the other process.
	links := map[string]string{} // registration number → link
	for _, m := range srv.Wait(n, 60*time.Second) {
		subject, link := activationMail(t, m.Data)
		links[subject] = link
	}
	if len(links) != n {
		t.Fatalf("%d distinct activation mails for %d sign-ups", len(links), n)
	}
	for _, link := range links {
		u, _ := url.Parse(link)
		other := procs[0]
		if strings.HasPrefix(link, procs[0].url) {
			other = procs[1]
		}
		page := fetch(t, noFollow, http.MethodGet, other.url+"/activate?"+u.RawQuery, nil, http.StatusOK)
		m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no token on the activate page of %s", other.url)
		}
		fetch(t, noFollow, http.MethodPost, other.url+"/activate", url.Values{"token": {html.UnescapeString(m[1])}}, http.StatusOK)
	}

	reqs := pgRequests(t, db)
	var numbers []string
	for _, r := range reqs {
		if r.Status != "verified" {
			t.Fatalf("%s is %s after activation", r.Number, r.Status)
		}
		numbers = append(numbers, r.Number)
	}
	slices.Sort(numbers)
	for i, num := range numbers {
		if want := fmt.Sprintf("REG-%06d", i+1); num != want {
			t.Fatalf("registration numbers %v: want REG-000001…REG-%06d without gaps or repeats", numbers, n)
		}
	}

	// Two approvers act on every request at once, each through a process of
	// their own; exactly one approval and one create per request win.
	for _, who := range []struct{ name, data string }{{"alice", dataA}, {"bob", dataB}} {
		wg.Go(func() {
			for _, num := range numbers {
				var out, errb bytes.Buffer
				_ = run(context.Background(), []string{"requests", "approve", num, "--as", who.name,
					"--data", who.data, "--db", db}, nil, &out, &errb)
				_ = run(context.Background(), []string{"requests", "create", num, "--as", who.name,
					"--data", who.data, "--db", db}, nil, &out, &errb)
			}
		})
	}
	wg.Wait()

	var urs []userRequestJSON
	waitFor(t, 90*time.Second, "every user request completed by the workflow", func() bool {
		urs = nil
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"user-requests", "list", "--limit", "0", "--json",
			"--data", dataA, "--db", db}, nil, &out, &errb); err != nil {
			return false
		}
		json.Unmarshal(out.Bytes(), &urs)
		done := 0
		for _, u := range urs {
			if u.Status == domain.URCompleted {
				done++
			}
		}
		return done == n && len(urs) == n
	})
	accounts := map[string]bool{}
	for _, r := range pgRequests(t, db) {
		if r.Status != "created" || r.CustomerAccount == "" || accounts[r.CustomerAccount] {
			t.Fatalf("%s: status %s, customer %q (one customer per request)", r.Number, r.Status, r.CustomerAccount)
		}
		accounts[r.CustomerAccount] = true
	}

	// Every mail delivered once: n activations and n welcome mails, no more.
	waitFor(t, 30*time.Second, "every outbox row sent", func() bool {
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"mail", "list", "--json", "--data", dataB, "--db", db}, nil, &out, &errb); err != nil {
			return false
		}
		var ms []mailJSON
		json.Unmarshal(out.Bytes(), &ms)
		sent := 0
		for _, m := range ms {
			if m.Status == store.MailSent {
				sent++
			}
		}
		return sent == 2*n
	})
	msgs := srv.Messages()
	ids := map[string]bool{}
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-Id")
		if ids[id] {
			t.Fatalf("mail %s delivered twice", id)
		}
		ids[id] = true
	}
	if len(msgs) != 2*n {
		t.Fatalf("%d mails delivered, want %d (an activation and a welcome per prospect)", len(msgs), 2*n)
	}
	a.stop(t)
	b.stop(t)
}

// activationMail returns a mail's subject and the activation link in its text part.
func activationMail(t *testing.T, raw []byte) (string, string) {
	t.Helper()
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
		part, err := mr.NextPart()
		if err == io.EOF {
			t.Fatalf("mail %q has no activation link", msg.Header.Get("Subject"))
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part)
		if l := activationLinkRE.FindString(string(body)); l != "" {
			return msg.Header.Get("Subject"), l
		}
	}
}

// pgRequests lists every request in the PostgreSQL database.
func pgRequests(t *testing.T, db string) []requestJSON {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"requests", "list", "--limit", "0", "--json",
		"--data", t.TempDir(), "--db", db}, nil, &out, &errb); err != nil {
		t.Fatalf("requests list: %v: %s", err, errb.String())
	}
	var rs []requestJSON
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}
