package portal

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// The answers at sign-up, forgot-password and resend must not tell a known
// address from an unknown one: not in what they say, and not in the work
// done before answering. Work is compared, not time: the password hashes
// each POST costs (the only slow step), and the response itself. The known
// side must also have done its job (a mail queued), so the pair is not two
// unknowns.
func TestParity_KnownAndUnknownAddresses(t *testing.T) {
	tp := newTestPortal(t)
	ctx := context.Background()
	waiting, err := tp.svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Waiting Ltd", Street: "1 Lane",
		City: "York", PostalCode: "YO1 7HH", Country: "GB", FirstName: "Wade", LastName: "Waits",
		Email: "wade@waiting.example", Phone: "+44 1904 555000", Username: "wade", PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	signup := func(email, username string) url.Values {
		v := validSignup()
		v.Set(FieldEmail, email)
		v.Set(FieldUsername, username)
		return v
	}
	mails := func() int {
		ms, err := tp.db.Read().Mails(ctx, store.ListMail{})
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	for i, c := range []struct {
		name           string
		path           string
		known, unknown url.Values
	}{
		{"sign-up with a customer's address", "/signup",
			signup("bob@engines.example", "bob.again"), signup("new@prospect.example", "new.prospect")},
		{"sign-up with a waiting request's address", "/signup",
			signup("wade@waiting.example", "wade.again"), signup("other@prospect.example", "other.prospect")},
		{"forgot password by user name", "/password/forgot",
			url.Values{FieldLogin: {"bob"}}, url.Values{FieldLogin: {"nobody"}}},
		{"forgot password by address", "/password/forgot",
			url.Values{FieldLogin: {"bob@engines.example"}}, url.Values{FieldLogin: {"nobody@engines.example"}}},
		{"resend activation", "/activate/resend",
			url.Values{FieldEmail: {"wade@waiting.example"}}, url.Values{FieldEmail: {"nobody@waiting.example"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := mails()
			nk, known := tp.hashesFor(tp.browser(fmt.Sprintf("198.51.100.%d", 2*i+1)), c.path, c.known)
			queued := mails() - before
			nu, unknown := tp.hashesFor(tp.browser(fmt.Sprintf("198.51.100.%d", 2*i+2)), c.path, c.unknown)
			if queued < 1 {
				t.Fatalf("the known address got no mail (%d %s): the pair proves nothing", known.Code, known.Header().Get("Location"))
			}
			if nk != nu {
				t.Errorf("%d password hashes for the known address, %d for the unknown one", nk, nu)
			}
			if known.Code != unknown.Code || known.Header().Get("Location") != unknown.Header().Get("Location") {
				t.Errorf("known: %d %q; unknown: %d %q", known.Code, known.Header().Get("Location"),
					unknown.Code, unknown.Header().Get("Location"))
			}
			if a, b := comparable(known.Body.String()), comparable(unknown.Body.String()); a != b {
				t.Errorf("the pages differ:\n%s\n---\n%s", a, b)
			}
		})
	}
	if waiting.Number == "" {
		t.Fatal("the waiting request was not stored")
	}
}

// nonceRE matches what differs in every response whatever the address.
var nonceRE = regexp.MustCompile(`nonce="[^"]*"|name="csrf[^"]*" value="[^"]*"`)

func comparable(body string) string { return nonceRE.ReplaceAllString(body, "") }

// A successful login costs one password hash, as a failed one does: the
// password step with or without two-step login, none for the code step,
// and a second only once, to replace a hash made with older parameters.
func TestLoginCostsOneHash(t *testing.T) {
	tp := newTestPortal(t)
	ctx := t.Context()
	n, rec := tp.hashesFor(tp.browser("192.0.2.30"), "/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}})
	wantRedirect(t, rec, "/account")
	if n != 1 {
		t.Errorf("a successful login: %d password hashes, want 1", n)
	}

	b := tp.browser("192.0.2.31")
	b.login("bob", bobPassword)
	secret, _ := enrol(t, b)
	wantRedirect(t, b.post("/logout", url.Values{}), "/login?done=logout")
	n, rec = tp.hashesFor(b, "/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {bobPassword}})
	wantRedirect(t, rec, "/login/code")
	if n != 1 {
		t.Errorf("the password step of a two-step login: %d password hashes, want 1", n)
	}
	tp.clock.Advance(30 * time.Second)
	n, rec = tp.hashesFor(b, "/login/code", url.Values{FieldCode: {totpCode(t, secret, tp.clock.Now())}})
	wantRedirect(t, rec, "/account")
	if n != 0 {
		t.Errorf("the code step: %d password hashes, want none", n)
	}

	// A hash made with older parameters is replaced at the next login (the
	// one extra hash), and the login after costs one again.
	old := Argon2Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	oldHash, err := NewHasher(HasherConfig{Params: old}).Hash(ctx, adaPassword)
	if err != nil {
		t.Fatal(err)
	}
	cur := tp.user(tp.ada.ID).PasswordHash
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.RehashUserPassword(ctx, tp.ada.ID, cur, oldHash) }); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{2, 1} {
		n, rec := tp.hashesFor(tp.browser(fmt.Sprintf("192.0.2.%d", 40+i)), "/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}})
		wantRedirect(t, rec, "/account")
		if n != want {
			t.Errorf("login %d after the parameters changed: %d password hashes, want %d", i+1, n, want)
		}
	}
	if tp.portalHasher().NeedsRehash(tp.user(tp.ada.ID).PasswordHash) {
		t.Error("the old hash was not replaced")
	}
}
