package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// fast retries within milliseconds so tests exercise many attempts quickly.
var fast = jobs.Backoff{Base: 20 * time.Millisecond, Max: 60 * time.Millisecond}

type env struct {
	db     *store.DB
	svc    *workflow.Service
	runner *jobs.Runner
	smtp   *smtptest.Server
	mail   string      // the .eml directory when no SMTP server is used
	cfg    jobs.Config // the runner's, for a second runner on the same database
}

type envOpts struct {
	smtp  *smtptest.Options // nil: .eml files
	steps func(jobs.Steps) jobs.Steps
	// noStart builds the runner without starting it.
	noStart bool
	// webhooks sends webhook deliveries; nil refuses private addresses.
	webhooks *webhook.Client
	// servePolling polls the queues as serve does (the runner's default)
	// instead of the tests' 50 ms.
	servePolling bool
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: storetest.New(t)}
	e.svc = workflow.New(workflow.Config{DB: e.db, BaseURL: "http://portal.test"})
	var sender mailer.Sender
	var err error
	if o.smtp != nil {
		e.smtp = smtptest.New(t, *o.smtp)
		sender, err = mailer.NewSMTPSender(mailer.SMTPConfig{URL: e.smtp.URL(), TLSConfig: e.smtp.ClientTLS(),
			Timeout: 2 * time.Second})
	} else {
		e.mail = filepath.Join(t.TempDir(), "mail")
		sender, err = mailer.NewFileSender(e.mail)
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := jobs.Config{DB: e.db, Service: e.svc, Sender: sender, Backoff: fast,
		PollInterval: 50 * time.Millisecond, StopTimeout: 5 * time.Second, TestOnly: true,
		Webhooks: o.webhooks}
	if o.servePolling {
		cfg.PollInterval = 0
	}
	if o.steps != nil {
		cfg.Steps = o.steps(e.svc)
	}
	e.cfg = cfg
	e.runner, err = jobs.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !o.noStart {
		e.start(t)
	}
	return e
}

func (e *env) start(t testing.TB) {
	t.Helper()
	if err := e.runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.runner.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

// approved signs up, activates and approves request i; it returns the number.
func approved(t testing.TB, svc *workflow.Service, i int) string {
	t.Helper()
	ctx := context.Background()
	res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("Company %d Ltd", i),
		Street: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US",
		FirstName: "Ada", LastName: fmt.Sprintf("Tester%d", i), Email: fmt.Sprintf("ada%d@example.com", i),
		Phone: "+1 555 0100", Username: fmt.Sprintf("ada%d", i), PasswordHash: "$argon2id$test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Approve(ctx, workflow.Action{Number: res.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	return res.Number
}

// create runs Create on an approved request and returns its user request.
func create(t testing.TB, svc *workflow.Service, number string) store.UserRequest {
	t.Helper()
	res, err := svc.Create(context.Background(), workflow.CreateInput{Action: workflow.Action{Number: number, Actor: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	return res.UserRequest
}

func setParam(t *testing.T, svc *workflow.Service, key, value string) {
	t.Helper()
	if err := svc.SetParam(context.Background(), key, value, "alice"); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing after d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func userRequest(t testing.TB, db *store.DB, id int64) store.UserRequest {
	t.Helper()
	u, err := db.Read().UserRequestByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func waitStatus(t testing.TB, db *store.DB, id int64, status domain.UserRequestStatus) store.UserRequest {
	t.Helper()
	var u store.UserRequest
	waitFor(t, 15*time.Second, "user request "+string(status), func() bool {
		u = userRequest(t, db, id)
		return u.Status == status
	})
	return u
}

func mails(t testing.TB, db *store.DB, ref string) []store.Mail {
	t.Helper()
	ms, err := db.Read().Mails(context.Background(), store.ListMail{Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func mailByID(t testing.TB, db *store.DB, id int64) store.Mail {
	t.Helper()
	m, err := db.Read().MailByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// flaky fails RunStep with err for the first n calls, then runs the real step.
type flaky struct {
	jobs.Steps
	mu  sync.Mutex
	n   int
	err error
}

func (f *flaky) RunStepWith(ctx context.Context, id int64, attempt int,
	inTx func(*store.Tx, workflow.StepResult) error) (workflow.StepResult, error) {
	f.mu.Lock()
	fail := f.n > 0
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return workflow.StepResult{}, f.err
	}
	return f.Steps.RunStepWith(ctx, id, attempt, inTx)
}

func (f *flaky) heal() {
	f.mu.Lock()
	f.n = 0
	f.mu.Unlock()
}

var errTransient = errors.New("database is busy (simulated)")
