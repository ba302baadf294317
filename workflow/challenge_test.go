package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
)

// solve finds the answer a browser would, by trying nonces in order.
func solve(t *testing.T, c Challenge) string {
	t.Helper()
	for n := uint64(0); n < 1<<30; n++ {
		if nonce := strconv.FormatUint(n, 10); SolvesChallenge(c.Token, nonce, c.Bits) {
			return nonce
		}
	}
	t.Fatal("no answer found")
	return ""
}

// underPressure sets the cap so that the requests signed up so far need a
// challenge, and returns the pressure and the parameters.
func underPressure(t *testing.T, f *fixture) (SignupPressure, Params) {
	t.Helper()
	ctx := context.Background()
	f.request("requested")
	f.request("requested")
	if err := f.svc.SetParam(ctx, ParamMaxUnverified, "3", "op"); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Params(ctx, f.db.Read())
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.db.Read().CountUnverified(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := f.svc.Pressure(ctx, f.db.Read(), p, n)
	if err != nil || !pr.Challenge || pr.Paused {
		t.Fatalf("pressure %+v, %v: want a challenge", pr, err)
	}
	return pr, p
}

func countRequests(t *testing.T, db *store.DB) int {
	t.Helper()
	rs, err := db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// Attack 5 left a closed door: at the cap /signup answered 503 to everyone.
// Near it a sign-up now passes a proof of work (or waits, without
// JavaScript), and each challenge passes once.
func TestSignupPausedForEveryone_challenge(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	pr, p := underPressure(t, f)
	if pr.Bits != p.Int(ParamChallengeBits) {
		t.Fatalf("bits %d below the cap, want %d", pr.Bits, p.Int(ParamChallengeBits))
	}
	signUp := func(token, nonce string) error {
		in := f.input()
		in.Challenge, in.ChallengeAnswer = token, nonce
		_, err := f.svc.SignUp(ctx, in)
		return err
	}
	refused := func(name string, want error, token, nonce string) {
		t.Helper()
		before := countRequests(t, f.db)
		// CheckChallenge reads nothing (the portal asks it before hashing a
		// password); only SignUp knows a challenge was used.
		if err := f.svc.CheckChallenge(p, token, nonce); want != ErrChallengeUsed && !errors.Is(err, want) {
			t.Errorf("%s: CheckChallenge = %v, want %v", name, err, want)
		}
		if err := signUp(token, nonce); !errors.Is(err, want) {
			t.Errorf("%s: SignUp = %v, want %v", name, err, want)
		}
		if after := countRequests(t, f.db); after != before {
			t.Errorf("%s: %d requests after a refused sign-up, want %d", name, after, before)
		}
	}

	c := f.svc.NewChallenge(p, pr.Bits)
	answer := solve(t, c)
	wrong := answer
	for SolvesChallenge(c.Token, wrong, c.Bits) {
		n, _ := strconv.Atoi(wrong)
		wrong = strconv.Itoa(n + 1)
	}
	refused("no challenge", ErrChallengeMissing, "", "")
	refused("wrong answer", ErrChallengeWrong, c.Token, wrong)
	refused("not a number", ErrChallengeWrong, c.Token, "12a")
	refused("forged token", ErrChallengeInvalid, strings.Repeat("A", 60), answer)
	other := New(Config{DB: f.db}) // another key: its tokens are not ours
	refused("another server's token", ErrChallengeInvalid, other.NewChallenge(p, pr.Bits).Token, answer)
	refused("sent at once without an answer", ErrChallengeTooSoon, c.Token, "")

	if err := signUp(c.Token, answer); err != nil {
		t.Fatalf("solved challenge: %v", err)
	}
	refused("replayed", ErrChallengeUsed, c.Token, answer)

	t.Run("without JavaScript: sent after the wait", func(t *testing.T) {
		c := f.svc.NewChallenge(p, pr.Bits)
		f.clock.Advance(p.Duration(ParamChallengeWait))
		if err := signUp(c.Token, ""); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		refused("the same form again", ErrChallengeUsed, c.Token, "")
	})
	t.Run("expired", func(t *testing.T) {
		c := f.svc.NewChallenge(p, pr.Bits)
		answer := solve(t, c)
		f.clock.Advance(ChallengeTTL + time.Second)
		refused("expired", ErrChallengeExpired, c.Token, answer)
	})
	t.Run("harder at the cap", func(t *testing.T) {
		live, err := f.db.Read().CountLiveUnverified(ctx, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetParam(ctx, ParamMaxUnverified, strconv.FormatInt(live, 10), "op"); err != nil {
			t.Fatal(err)
		}
		p, _ := f.svc.Params(ctx, f.db.Read())
		n, _ := f.db.Read().CountUnverified(ctx)
		pr, err := f.svc.Pressure(ctx, f.db.Read(), p, n)
		if err != nil || pr.Paused || pr.Bits != p.Int(ParamChallengeBits)+challengeCapBits {
			t.Fatalf("at the cap: %+v, %v", pr, err)
		}
	})
}

// TestSignupPausedForEveryone_approversAlerted: approvers hear by mail (and
// the log says so) when sign-up needs a challenge, at most once an hour.
func TestSignupPausedForEveryone_approversAlerted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertApprover(ctx, "alice", "alice@desk.test"); err != nil {
			return err
		}
		_, err := tx.InsertApprover(ctx, "bob", "") // no address: nothing to send
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pr, p := underPressure(t, f)
	alerts := func() []store.Mail {
		ms, err := f.db.Read().Mails(ctx, store.ListMail{})
		if err != nil {
			t.Fatal(err)
		}
		var out []store.Mail
		for _, m := range ms {
			if m.Kind == "alert" {
				out = append(out, m)
			}
		}
		return out
	}
	f.svc.AlertPressure(ctx, p, pr)
	got := alerts()
	if len(got) != 1 || got[0].To != "alice@desk.test" || !strings.Contains(got[0].Subject, "challenge") ||
		!strings.Contains(got[0].Text, fmt.Sprintf("the cap (signup.max_unverified) is %d", pr.Cap)) {
		t.Fatalf("alerts %+v, want one to alice naming the cap", got)
	}
	// Within the hour nothing more, even from a new process (no memory of
	// the first alert).
	f.clock.Advance(30 * time.Minute)
	f.svc.AlertPressure(ctx, p, pr)
	New(Config{DB: f.db}).AlertPressure(ctx, p, pr)
	if n := len(alerts()); n != 1 {
		t.Fatalf("%d alerts within the hour, want 1", n)
	}
	f.clock.Advance(31 * time.Minute)
	f.svc.AlertPressure(ctx, p, pr)
	if n := len(alerts()); n != 2 {
		t.Fatalf("%d alerts after the hour, want 2", n)
	}
	// Far from the cap: nothing.
	f.clock.Advance(2 * time.Hour)
	f.svc.AlertPressure(ctx, p, SignupPressure{Cap: pr.Cap})
	if n := len(alerts()); n != 2 {
		t.Fatalf("%d alerts with no pressure, want 2", n)
	}
}

// A flood from one email domain across many networks and addresses was
// limited by nothing; now by signup.per_domain_per_hour in the database,
// free-mail domains at ten times that.
func TestSignupPerEmailDomain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.SetParam(ctx, ParamSignupPerDomain, "3", "op"); err != nil {
		t.Fatal(err)
	}
	from := func(domain string) error {
		in := f.input()
		in.Email = fmt.Sprintf("p%d@%s", f.n, domain)
		_, err := f.svc.SignUp(ctx, in)
		return err
	}
	for i := range 3 {
		if err := from("flood.test"); err != nil {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	before := countRequests(t, f.db)
	if err := from("FLOOD.test"); !errors.Is(err, ErrTooManyFromDomain) || !errors.Is(err, ErrTooMany) {
		t.Fatalf("fourth from the domain: %v, want ErrTooManyFromDomain", err)
	}
	if after := countRequests(t, f.db); after != before {
		t.Fatalf("a refused sign-up stored a request: %d, want %d", after, before)
	}
	if err := from("other.test"); err != nil {
		t.Fatalf("another domain: %v", err)
	}
	for i := range 4 {
		if err := from("gmail.com"); err != nil {
			t.Fatalf("free-mail sign-up %d: %v", i+1, err)
		}
	}
	// The window slides: two hours on, the domain may sign up again.
	f.clock.Advance(2 * time.Hour)
	if err := from("flood.test"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestParams_challenge(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, tc := range []struct{ key, value, want string }{
		{ParamChallengeBits, "30", "8"},
		{ParamChallengeBits, "7", "8"},
		{ParamChallengeFrom, "0", "1"},
		{ParamChallengeFrom, "101", "1"},
		{ParamChallengeWait, "1s", "5s"},
		{ParamChallengeWait, "soon", ""},
		{ParamSignupPerDomain, "0", "1"},
	} {
		before, _ := f.svc.Params(ctx, f.db.Read())
		err := f.svc.SetParam(ctx, tc.key, tc.value, "op")
		if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: %v, want an error naming the key and %q", tc.key, tc.value, err, tc.want)
		}
		after, _ := f.svc.Params(ctx, f.db.Read())
		if before.String(tc.key) != after.String(tc.key) {
			t.Errorf("%s=%s: the value changed to %q", tc.key, tc.value, after.String(tc.key))
		}
	}
}

// SignupPressure (one statement, live requests counted only up to the
// threshold) says what Pressure with the exact count says, however the
// requests and the parameters move, and counts no further than needed.
func TestSignupPressure_matchesExactCount(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	check := func(step string) SignupPressure {
		t.Helper()
		for range 2 { // the second call has the parameters cached
			p, got, err := f.svc.SignupPressure(ctx, f.db.Read())
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			n, err := f.db.Read().CountUnverified(ctx)
			if err != nil {
				t.Fatal(err)
			}
			live, err := f.db.Read().CountLiveUnverified(ctx, f.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.svc.Pressure(ctx, f.db.Read(), p, n)
			if err != nil {
				t.Fatal(err)
			}
			if n >= challengeFrom(p) && want.Live != live {
				t.Fatalf("%s: Pressure counted %d live, want %d (n %d, cap %d, from %d, %+v)", step, want.Live, live, n, p.Int(ParamMaxUnverified), challengeFrom(p), want)
			}
			if got != want {
				t.Fatalf("%s: SignupPressure %+v, Pressure %+v", step, got, want)
			}
		}
		_, pr, _ := f.svc.SignupPressure(ctx, f.db.Read())
		return pr
	}
	check("empty")
	set := func(key, value string) {
		t.Helper()
		if err := f.svc.SetParam(ctx, key, value, "op"); err != nil {
			t.Fatal(err)
		}
	}
	set(ParamMaxUnverified, "4") // a challenge from 2
	f.request("requested")
	check("one live")
	f.request("requested")
	if pr := check("two live"); !pr.Challenge {
		t.Fatalf("two live of a cap of 4: %+v", pr)
	}
	f.clock.Advance(49 * time.Hour)
	if pr := check("links expired"); pr.Challenge || pr.Live != 0 {
		t.Fatalf("expired links: %+v", pr)
	}
	set(ParamMaxUnverified, "100")
	for range 4 {
		f.request("requested")
	}
	check("four live of 100")
	set(ParamMaxUnverified, "8")
	if pr := check("four live"); !pr.Challenge || pr.Paused || pr.Live != 4 {
		t.Fatalf("four live of a cap of 8: %+v", pr)
	}
	set(ParamMaxUnverified, "2")
	if pr := check("cap lowered"); !pr.Paused {
		t.Fatalf("four live of a cap of 2: %+v", pr)
	}
	set(ParamChallengeFrom, "100")
	set(ParamMaxUnverified, "10")
	if pr := check("cap raised"); pr.Challenge {
		t.Fatalf("four live of a cap of 10 from 100%%: %+v", pr)
	}

	// The statement counts at most the threshold.
	st, err := f.db.Read().SignupState(ctx, f.clock.Now(), 3)
	if err != nil || !st.LiveCounted || st.Live != 3 || st.Unverified != 6 {
		t.Fatalf("counted up to 3: %+v, %v", st, err)
	}
	st, err = f.db.Read().SignupState(ctx, f.clock.Now(), 7)
	if err != nil || st.LiveCounted || st.Live != 0 {
		t.Fatalf("6 unverified, threshold 7: %+v, %v", st, err)
	}
	if _, err := f.db.Read().SignupState(ctx, f.clock.Now(), 0); err == nil {
		t.Fatal("a threshold of 0 was taken")
	}
}
