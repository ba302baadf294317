package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/sample"
)

// fixture is a database with a service and a fake clock.
type fixture struct {
	t     testing.TB
	db    *store.DB
	svc   *workflow.Service
	clock *storetest.Clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	return &fixture{t: t, db: db, svc: workflow.New(workflow.Config{DB: db, BaseURL: "http://portal.test"}), clock: clock}
}

// signUp makes a request and, when verify is set, activates it.
func (f *fixture) signUp(company, first, email string, verify bool) store.Request {
	f.t.Helper()
	ctx := context.Background()
	user := strings.ToLower(first) + fmt.Sprint(len(email)*7+len(company))
	res, err := f.svc.SignUp(ctx, workflow.SignupInput{CompanyName: company, Street: "1 Main Street",
		City: "Springfield", PostalCode: "62701", Country: "US", FirstName: first, LastName: "Tester",
		Email: email, Phone: "+1 217 555 0100", Username: user, PasswordHash: "$argon2id$test"})
	if err != nil {
		f.t.Fatalf("sign up %s: %v", company, err)
	}
	f.clock.Advance(time.Minute)
	if verify {
		if _, err := f.svc.Activate(ctx, res.Token); err != nil {
			f.t.Fatalf("activate %s: %v", res.Number, err)
		}
		f.clock.Advance(time.Minute)
	}
	r, err := f.db.Read().RequestByNumber(ctx, res.Number)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// insertRaw stores a request as given, past the workflow's field rules,
// as a database restored from elsewhere could hold it.
func (f *fixture) insertRaw(company, first, email string, status domain.RequestStatus) store.Request {
	f.t.Helper()
	r := store.Request{Number: fmt.Sprintf("REG-9%05d", len(company)), Status: status, CompanyName: company,
		Street: "1 Main Street", City: "Springfield", PostalCode: "62701", Country: "US", FirstName: first,
		LastName: "Tester", Email: email, Phone: "+1 217 555 0100", Username: "raw" + fmt.Sprint(len(email)),
		PasswordHash: "$argon2id$test"}
	err := f.db.WithTx(context.Background(), func(tx *store.Tx) error { return tx.InsertRequest(context.Background(), &r) })
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	return r
}

// seed adds n deterministic sample requests dated before the clock.
func (f *fixture) seed(n int) {
	f.t.Helper()
	if err := sample.Seed(context.Background(), f.db, n, 7, f.clock.Now()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) config(actor string) Config {
	dark := true
	return Config{Service: f.svc, DB: f.db, Actor: actor, Now: f.clock.Now, PollInterval: -1,
		Dark: &dark, Profile: colorprofile.ASCII, Location: time.UTC}
}

// app builds an app, sizes it and runs its start-up commands.
func (f *fixture) app(w, h int) *App {
	f.t.Helper()
	a := New(f.config("alice"))
	f.t.Cleanup(func() { a.Close() })
	run(f.t, a, a.Init())
	send(f.t, a, tea.WindowSizeMsg{Width: w, Height: h})
	return a
}

// send delivers a message and runs the commands it returns to completion.
func send(t testing.TB, a *App, msg tea.Msg) {
	t.Helper()
	_, cmd := a.Update(msg)
	run(t, a, cmd)
}

// run executes cmd and feeds its messages back, breadth first, like the
// program loop does (minus ticks, which tests switch off).
func run(t testing.TB, a *App, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			t.Fatal("commands do not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
		default:
			_, next := a.Update(msg)
			queue = append(queue, next)
		}
	}
}

// press sends key presses: "a", "enter", "shift+tab", or text typed rune by rune.
func press(t testing.TB, a *App, keys ...string) {
	t.Helper()
	for _, k := range keys {
		send(t, a, keyMsg(k))
	}
}

func typeText(t testing.TB, a *App, s string) {
	t.Helper()
	for _, r := range s {
		send(t, a, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// screen is what the user sees, without colours.
func shown(a *App) string {
	return ansi.Strip(a.render())
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

func mustContain(t testing.TB, a *App, parts ...string) {
	t.Helper()
	s := shown(a)
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

func requestStatus(t testing.TB, f *fixture, number string) store.Request {
	t.Helper()
	r, err := f.db.Read().RequestByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
