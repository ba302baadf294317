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
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// TestServe_TwoProcessesOnPostgres runs two serve processes on one
// PostgreSQL database, as behind a load balancer: sign-ups split across
// both, each activated through the other process, every request approved
// and created by two approvers racing on the Registration screens of both
// SSH servers at once (real SSH clients). An approval through one process
// is on the other's screen within a second; numbers come out continuous
// and unique, each request makes one customer, and every mail is delivered
// exactly once.
func TestServe_TwoProcessesOnPostgres(t *testing.T) {
	t.Parallel()
	storetest.BothStoresAlready(t)
	db := storetest.PostgresURL(t)
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true})
	env := []string{"SSL_CERT_FILE=" + srv.CAFile(t.TempDir())}
	dataA, dataB := t.TempDir(), t.TempDir()
	aliceKey := addApprover(t, dataA, db, "alice")
	bobKey := addApprover(t, dataB, db, "bob")
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
				// A domain each: a shared one would have the create form
				// suggest joining the first customer.
				"email": {fmt.Sprintf("ada%d@twin%d.example", i, i)}, "phone": {"+49 30 1234567"},
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

	// Two approvers, each logged in over SSH to the Registration screen of a
	// process of their own.
	alice := openApprover(t, a.sshAddr(t), dataA, "alice", aliceKey)
	bob := openApprover(t, b.sshAddr(t), dataB, "bob", bobKey)
	for _, ap := range []*approverTerm{alice, bob} {
		ap.mustSee(60*time.Second, fmt.Sprintf("Verified %d and a selected row", n), func(s string) bool {
			return tabCount(s, "Verified") == n && strings.Contains(s, "▌  REG-")
		})
	}

	// A change through one process reaches the other's screen, both ways.
	// On PostgreSQL a screen learns of another process's changes only from
	// LISTEN/NOTIFY (it polls a count of notifications in memory, never the
	// database), so any update at all proves that path; it shows well
	// within a second on an idle machine, and the wait is long only so a
	// busy machine cannot fail it.
	for i, p := range [][2]*approverTerm{{alice, bob}, {bob, alice}} {
		by, other := p[0], p[1]
		num, ok := by.approveSelected()
		if !ok {
			t.Fatalf("%s could not approve %q alone:\n%s", by.name, num, by.Screen())
		}
		// The count moves and the row leaves the other's Verified list.
		if s, seen := other.waitFor(20*time.Second, "", func(s string) bool {
			return tabCount(s, "Approved") == i+1 && !listed(s, num)
		}); !seen {
			t.Fatalf("%s's approval of %s through one process was not on %s's screen (the other process):\n%s",
				by.name, num, other.name, s)
		}
	}

	// Then both approve every request at once, and create every customer
	// at once: the screens race for the same rows.
	race := func(tab string, act func(*approverTerm) (string, bool)) map[string][]string {
		won := map[string][]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, ap := range []*approverTerm{alice, bob} {
			wg.Go(func() {
				deadline := time.Now().Add(3 * time.Minute)
				for tabCount(ap.Screen(), tab) != 0 {
					if time.Now().After(deadline) {
						t.Errorf("%s: %s never reached 0:\n%s", ap.name, tab, ap.Screen())
						return
					}
					if num, ok := act(ap); ok {
						mu.Lock()
						won[ap.name] = append(won[ap.name], num)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		return won
	}
	approved := race("Verified", (*approverTerm).approveSelected)
	for _, ap := range []*approverTerm{alice, bob} {
		ap.send("\t\t") // the Approved tab
		ap.mustSee(30*time.Second, "the Approved tab with every request", func(s string) bool {
			return strings.Contains(s, "▸ Approved") && tabCount(s, "Approved") == n
		})
	}
	created := race("Approved", (*approverTerm).createSelected)
	t.Logf("approved over SSH: %v (and one each before); created: %v", approved, created)
	if got := len(approved["alice"]) + len(approved["bob"]) + 2; got != n {
		t.Fatalf("%d approvals succeeded on the screens for %d requests: %v", got, n, approved)
	}
	if got := len(created["alice"]) + len(created["bob"]); got != n {
		t.Fatalf("%d creates succeeded on the screens for %d requests: %v", got, n, created)
	}
	for _, r := range pgRequests(t, db) {
		if r.DecidedBy != "alice" && r.DecidedBy != "bob" {
			t.Fatalf("%s decided by %q", r.Number, r.DecidedBy)
		}
	}

	var urs []workflow.UserRequestRecord
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
