package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/domain"
)

type fixture struct {
	t     *testing.T
	db    *store.DB
	svc   *Service
	clock *storetest.Clock
	n     int
}

func newFixture(t *testing.T) *fixture {
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	return &fixture{t: t, db: db, svc: New(Config{DB: db, BaseURL: "https://portal.test"}), clock: clock}
}

func (f *fixture) input() SignupInput {
	f.n++
	return SignupInput{CompanyName: fmt.Sprintf("Contoso %d Ltd", f.n), Street: "1 Main St",
		City: "Springfield", PostalCode: "62701", Country: "US", FirstName: "Ada",
		LastName: "Lovelace", Email: fmt.Sprintf("ada%d@contoso%d.test", f.n, f.n),
		Phone: "+1 217 555 0100", Username: fmt.Sprintf("ada%d", f.n), PasswordHash: "$argon2id$x",
		SourceIP: fmt.Sprintf("192.0.%d.1", f.n%250)} // a network per prospect: the per-network limit is not under test here
}

// request signs up a prospect and moves the request to status.
func (f *fixture) request(status domain.RequestStatus) store.Request {
	f.t.Helper()
	ctx := context.Background()
	res, err := f.svc.SignUp(ctx, f.input())
	if err != nil {
		f.t.Fatal(err)
	}
	steps := map[domain.RequestStatus][]string{
		domain.Requested: {}, domain.Verified: {EventActivate}, domain.Approved: {EventActivate, EventApprove},
		domain.Rejected: {EventActivate, EventReject}, domain.Created: {EventActivate, EventApprove, EventCreate},
	}[status]
	for _, ev := range steps {
		switch ev {
		case EventActivate:
			_, err = f.svc.Activate(ctx, res.Token)
		case EventApprove:
			_, err = f.svc.Approve(ctx, Action{Number: res.Number, Actor: "alice"})
		case EventReject:
			_, err = f.svc.Reject(ctx, Action{Number: res.Number, Actor: "alice"}, "incomplete", "")
		case EventCreate:
			_, err = f.svc.Create(ctx, CreateInput{Action: Action{Number: res.Number, Actor: "alice"}})
		}
		if err != nil {
			f.t.Fatalf("%s: %v", ev, err)
		}
	}
	r, err := f.db.Read().RequestByNumber(ctx, res.Number)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.Status != status {
		f.t.Fatalf("request is %s, want %s", r.Status, status)
	}
	return r
}

func TestService_HappyPath(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	res, err := f.svc.SignUp(ctx, f.input())
	if err != nil {
		t.Fatal(err)
	}
	if res.Number != "REG-000001" || len(res.Token) < 40 {
		t.Fatalf("SignUp = %+v", res)
	}
	mails, _ := f.db.Read().Mails(ctx, store.ListMail{Ref: res.Number})
	mails = storetest.AsSent(t, f.db, mails)
	if len(mails) != 1 || mails[0].Kind != "activation" ||
		!strings.Contains(mails[0].Text, "https://portal.test/activate?token="+res.Token) {
		t.Fatalf("activation mail = %+v", mails)
	}
	st, err := f.svc.CheckActivation(ctx, res.Token)
	if err != nil || st.Err != nil || st.Number != res.Number {
		t.Fatalf("CheckActivation = %+v, %v", st, err)
	}
	r, err := f.svc.Activate(ctx, res.Token)
	if err != nil || r.Status != domain.Verified || r.VerifiedAt == nil {
		t.Fatalf("Activate = %+v, %v", r, err)
	}
	if _, err := f.svc.Activate(ctx, res.Token); !errors.Is(err, ErrTokenUsed) {
		t.Fatalf("second Activate = %v, want ErrTokenUsed", err)
	}
	r, err = f.svc.Approve(ctx, Action{Number: r.Number, Actor: "alice", Version: r.Version})
	if err != nil || r.Status != domain.Approved || r.DecidedBy != "alice" {
		t.Fatalf("Approve = %+v, %v", r, err)
	}
	cr, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number, Actor: "bob"},
		Template: "EU", Role: store.RoleCustomerAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Request.Status != domain.Created || cr.Customer.Account != "C00001" || !cr.NewCustomer ||
		cr.Customer.Currency != "EUR" || cr.Request.CustomerAccount != "C00001" {
		t.Fatalf("Create = %+v", cr)
	}
	if cr.UserRequest.Number != "UR-000001" || cr.UserRequest.Status != domain.URSubmitted ||
		cr.UserRequest.Role != store.RoleCustomerAdmin {
		t.Fatalf("user request = %+v", cr.UserRequest)
	}
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityRequest, r.Number)
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Actor+":"+a.Action)
	}
	if got := strings.Join(actions, " "); got != "prospect:sign_up prospect:activate alice:approve bob:create" {
		t.Fatalf("audit trail = %s", got)
	}

	// The workflow provisions and notifies, each step once.
	for _, want := range []domain.UserRequestStatus{domain.URProvisioned, domain.URCompleted} {
		sr, err := f.svc.RunStep(ctx, cr.UserRequest.ID, 1)
		if err != nil || sr.Status != want {
			t.Fatalf("RunStep = %+v, %v; want %s", sr, err, want)
		}
	}
	if sr, err := f.svc.RunStep(ctx, cr.UserRequest.ID, 1); err != nil || sr.Step != "" {
		t.Fatalf("RunStep on a completed request = %+v, %v; want nothing done", sr, err)
	}
	u, err := f.db.Read().UserByUserRequest(ctx, cr.UserRequest.ID)
	if err != nil || u.Username != "ada1" || u.PasswordHash != "$argon2id$x" || u.Role != store.RoleCustomerAdmin {
		t.Fatalf("user = %+v, %v", u, err)
	}
	welcome, _ := f.db.Read().Mails(ctx, store.ListMail{Ref: cr.UserRequest.Number})
	if len(welcome) != 1 || welcome[0].Kind != "welcome" || strings.Contains(welcome[0].Text, "argon2") {
		t.Fatalf("welcome mail = %+v", welcome)
	}
}

func TestService_IllegalTransitionsChangeNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	type act func(n string) error
	approve := func(n string) error { _, err := f.svc.Approve(ctx, Action{Number: n, Actor: "bob"}); return err }
	reject := func(n string) error {
		_, err := f.svc.Reject(ctx, Action{Number: n, Actor: "bob"}, "duplicate", "")
		return err
	}
	create := func(n string) error {
		_, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: n, Actor: "bob"}})
		return err
	}
	cases := []struct {
		status domain.RequestStatus
		name   string
		do     act
	}{
		{domain.Requested, "approve", approve}, {domain.Requested, "reject", reject}, {domain.Requested, "create", create},
		{domain.Verified, "create", create},
		{domain.Approved, "approve", approve},
		{domain.Rejected, "approve", approve}, {domain.Rejected, "reject", reject}, {domain.Rejected, "create", create},
		{domain.Created, "approve", approve}, {domain.Created, "reject", reject}, {domain.Created, "create", create},
	}
	for _, c := range cases {
		t.Run(string(c.status)+"/"+c.name, func(t *testing.T) {
			r := f.request(c.status)
			before := counts(t, f.db)
			err := c.do(r.Number)
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("%s on %s = %v, want ErrConflict", c.name, c.status, err)
			}
			var ce *ChangedError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "cannot") {
				t.Fatalf("error %q does not say what is wrong", err)
			}
			after, _ := f.db.Read().RequestByNumber(ctx, r.Number)
			if after.Status != r.Status || after.Version != r.Version {
				t.Fatalf("request changed: %s v%d → %s v%d", r.Status, r.Version, after.Status, after.Version)
			}
			if got := counts(t, f.db); got != before {
				t.Fatalf("rows changed: %v → %v", before, got)
			}
		})
	}
}

// counts summarises rows that an action could add.
func counts(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	q := db.Read()
	cs, err := q.Customers(ctx, store.ListCustomers{})
	if err != nil {
		t.Fatal(err)
	}
	// A broken query must fail the test, not make "nothing changed" agree.
	urs, err := q.UserRequests(ctx, store.ListUserRequests{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := q.Mails(ctx, store.ListMail{})
	if err != nil {
		t.Fatal(err)
	}
	next, err := q.PeekValue(ctx, store.SeqCustomer)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("customers=%d user_requests=%d mails=%d next_account=%d", len(cs), len(urs), len(ms), next)
}

func TestService_BadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.request(domain.Approved)
	before := counts(t, f.db)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no actor", func() error { _, err := f.svc.Approve(ctx, Action{Number: r.Number}); return err }(), "--as"},
		{"unknown number", func() error {
			_, err := f.svc.Approve(ctx, Action{Number: "REG-999999", Actor: "a"})
			return err
		}(), "not found"},
		{"unknown reason", func() error {
			_, err := f.svc.Reject(ctx, Action{Number: r.Number, Actor: "a"}, "because", "")
			return err
		}(), "unknown reason"},
		{"long comment", func() error {
			_, err := f.svc.Reject(ctx, Action{Number: r.Number, Actor: "a"}, "other", strings.Repeat("x", 1001))
			return err
		}(), "1000"},
		{"other without a comment", func() error {
			_, err := f.svc.Reject(ctx, Action{Number: r.Number, Actor: "a"}, "other", "  ")
			return err
		}(), "say why"},
		{"unknown template", func() error {
			_, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number, Actor: "a"}, Template: "NOPE"})
			return err
		}(), "unknown template"},
		{"unknown account", func() error {
			_, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number, Actor: "a"}, Existing: "C99999"})
			return err
		}(), "no customer account"},
		{"unknown role", func() error {
			_, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number, Actor: "a"}, Role: "root"})
			return err
		}(), "unknown role"},
		{"stale version", func() error {
			_, err := f.svc.Approve(ctx, Action{Number: r.Number, Actor: "a", Version: r.Version - 1})
			return err
		}(), "cannot approve"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, tt.err, tt.want)
		}
	}
	after, _ := f.db.Read().RequestByNumber(ctx, r.Number)
	if after.Status != domain.Approved || after.Version != r.Version {
		t.Fatalf("request changed to %s v%d", after.Status, after.Version)
	}
	if got := counts(t, f.db); got != before {
		t.Fatalf("rows changed: %v → %v", before, got)
	}
}

func TestService_ConcurrentCreateMakesOneCustomer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.request(domain.Approved)
	const approvers = 8
	var wg sync.WaitGroup
	errs := make([]error, approvers)
	for i := range approvers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number,
				Actor: fmt.Sprintf("approver%d", i), Version: r.Version}})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrConflict):
			t.Errorf("loser got %v, want ErrConflict", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", ok)
	}
	cs, _ := f.db.Read().Customers(ctx, store.ListCustomers{})
	urs, _ := f.db.Read().UserRequests(ctx, store.ListUserRequests{})
	if len(cs) != 1 || len(urs) != 1 || cs[0].Account != "C00001" {
		t.Fatalf("customers = %d, user requests = %d; want 1 and 1", len(cs), len(urs))
	}
	// The losers' attempts did not consume account numbers.
	if next, _ := f.db.Read().PeekValue(ctx, store.SeqCustomer); next != 2 {
		t.Fatalf("next account value = %d, want 2", next)
	}
}

func TestService_ConcurrentNumbersAreContinuous(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 24
	inputs := make([]SignupInput, n)
	for i := range inputs {
		inputs[i] = f.input()
	}
	var wg sync.WaitGroup
	numbers := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.svc.SignUp(ctx, inputs[i])
			numbers[i], errs[i] = res.Number, err
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, num := range numbers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[num] {
			t.Fatalf("number %s allocated twice", num)
		}
		seen[num] = true
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("REG-%06d", i); !seen[want] {
			t.Fatalf("gap: %s was never allocated (got %v)", want, numbers)
		}
	}
}

func TestService_SignUpRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := f.input()
	first, err := f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// Once confirmed, the same address again: no new request, a note to
	// the owner, no error.
	if _, err := f.svc.Activate(ctx, first.Token); err != nil {
		t.Fatal(err)
	}
	again := in
	again.Username = "someoneelse"
	res, err := f.svc.SignUp(ctx, again)
	if err != nil || res.Number != "" {
		t.Fatalf("known address: %+v, %v; want the same silent success", res, err)
	}
	notes, _ := f.db.Read().Mails(ctx, store.ListMail{Ref: "known:" + in.Email})
	if len(notes) != 1 {
		t.Fatalf("notes to the owner = %d, want 1", len(notes))
	}
	// At most one note an hour.
	if _, err := f.svc.SignUp(ctx, again); err != nil {
		t.Fatal(err)
	}
	notes, _ = f.db.Read().Mails(ctx, store.ListMail{Ref: "known:" + in.Email})
	if len(notes) != 1 {
		t.Fatalf("notes after a second try = %d, want 1", len(notes))
	}
	// A taken user name is a field error.
	dup := f.input()
	dup.Username = strings.ToUpper(in.Username)
	var fe *FieldError
	if _, err := f.svc.SignUp(ctx, dup); !errors.As(err, &fe) || fe.Field != "username" {
		t.Fatalf("taken user name: %v", err)
	}
	// A taken user name wins over a known address, so the answer does not
	// depend on whether the address is registered.
	known := f.input()
	known.Email, known.Username = in.Email, in.Username
	if _, err := f.svc.SignUp(ctx, known); !errors.As(err, &fe) || fe.Field != "username" {
		t.Fatalf("known address with a taken user name: %v, want the user name error", err)
	}
	// At the cap on unverified requests a sign-up needs a challenge; at
	// twice the cap sign-up pauses.
	f.request(domain.Requested)
	f.request(domain.Requested)
	if err := f.svc.SetParam(ctx, ParamMaxUnverified, "1", "op"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SignUp(ctx, f.input()); !errors.Is(err, ErrSignupPaused) {
		t.Fatalf("at twice the cap: %v, want ErrSignupPaused", err)
	}
	if err := f.svc.SetParam(ctx, ParamMaxUnverified, "3", "op"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SignUp(ctx, f.input()); !errors.Is(err, ErrChallengeMissing) {
		t.Fatalf("at the cap: %v, want ErrChallengeMissing", err)
	}
	_ = first
}

func TestService_ActivationTokenExpires(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	res, err := f.svc.SignUp(ctx, f.input())
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(48*time.Hour + time.Second)
	if st, _ := f.svc.CheckActivation(ctx, res.Token); !errors.Is(st.Err, ErrTokenExpired) {
		t.Fatalf("CheckActivation after 48h = %+v", st)
	}
	if _, err := f.svc.Activate(ctx, res.Token); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("Activate after 48h = %v", err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("x", 500)} {
		if _, err := f.svc.Activate(ctx, bad); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("Activate(%q) = %v, want ErrTokenInvalid", bad, err)
		}
	}
	// A resend makes a new link and retires the old one.
	tok, err := f.svc.ResendActivation(ctx, Action{Number: res.Number, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Activate(ctx, tok); err != nil {
		t.Fatalf("Activate with the resent link: %v", err)
	}
}

func TestService_WorkflowDisabledWaitsForProvision(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.SetParam(ctx, ParamWorkflowEnabled, "false", "op"); err != nil {
		t.Fatal(err)
	}
	r := f.request(domain.Created)
	urs, _ := f.db.Read().UserRequests(ctx, store.ListUserRequests{})
	if len(urs) != 1 || urs[0].Status != domain.URDraft || urs[0].RequestNumber != r.Number {
		t.Fatalf("user requests = %+v", urs)
	}
	if sr, err := f.svc.RunStep(ctx, urs[0].ID, 1); err != nil || sr.Step != "" {
		t.Fatalf("the workflow ran a draft: %+v, %v", sr, err)
	}
	u, err := f.svc.ProvisionUser(ctx, Action{Number: urs[0].Number, Actor: "alice"})
	if err != nil || u.Status != domain.URCompleted {
		t.Fatalf("ProvisionUser = %+v, %v", u, err)
	}
	if _, err := f.svc.ProvisionUser(ctx, Action{Number: urs[0].Number, Actor: "alice"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second ProvisionUser = %v, want ErrConflict", err)
	}
	users, _ := f.db.Read().Users(ctx, 0)
	if len(users) != 1 {
		t.Fatalf("users = %d, want 1", len(users))
	}
}

func TestService_FailAndRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.request(domain.Created)
	urs, _ := f.db.Read().UserRequests(ctx, store.ListUserRequests{})
	ur := urs[0]
	if err := f.svc.FailUserRequest(ctx, ur.ID, 8, errors.New("smtp down")); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Read().UserRequestByID(ctx, ur.ID)
	if got.Status != domain.URFailed || got.LastError != "smtp down" {
		t.Fatalf("after fail: %+v", got)
	}
	if _, err := f.svc.RetryUserRequest(ctx, Action{Number: ur.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.svc.RunStep(ctx, ur.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = f.db.Read().UserRequestByID(ctx, ur.ID)
	if got.Status != domain.URCompleted {
		t.Fatalf("after retry: %s", got.Status)
	}
	if _, err := f.svc.RetryUserRequest(ctx, Action{Number: ur.Number, Actor: "alice"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("retrying a completed request = %v", err)
	}
	_ = r
}

func TestService_ActorMustBePrintable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.request(domain.Verified)
	for _, actor := range []string{"", "  ", "bob\x1b[2J", "bob\nmallory", strings.Repeat("a", 65), "\xff"} {
		_, err := f.svc.Approve(ctx, Action{Number: r.Number, Actor: actor})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "as" {
			t.Errorf("actor %q: %v, want a field error on as", actor, err)
		}
	}
	if got, _ := f.db.Read().RequestByNumber(ctx, r.Number); got.Status != domain.Verified {
		t.Fatalf("a refused actor changed the request to %s", got.Status)
	}
	if _, err := f.svc.Approve(ctx, Action{Number: r.Number, Actor: "Zoë Müller"}); err != nil {
		t.Fatalf("a printable unicode name: %v", err)
	}
}
