package tui

import (
	"context"
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestRegistration_Tabs(t *testing.T) {
	f := newFixture(t)
	f.signUp("Waiting Co", "Wanda", "wanda@waiting.test", false)
	f.signUp("Queue Ltd", "Quinn", "quinn@queue.test", true)
	a := f.app(80, 24)

	t.Run("verified first", func(t *testing.T) {
		mustContain(t, a, "▸ Verified 1", "Requested 1", "All 2", "Queue Ltd")
		if strings.Contains(shown(a), "Waiting Co") {
			t.Fatalf("requested row on the Verified tab:\n%s", shown(a))
		}
	})
	t.Run("tab moves to requested", func(t *testing.T) {
		press(t, a, "tab")
		mustContain(t, a, "▸ Requested 1", "Waiting Co", "s resend link")
	})
	t.Run("shift+tab wraps to all", func(t *testing.T) {
		press(t, a, "shift+tab", "shift+tab")
		mustContain(t, a, "▸ All 2", "Waiting Co", "Queue Ltd")
	})
}

func TestRegistration_Approve(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Contoso Ltd", "Carla", "carla@contoso.test", true)
	a := f.app(80, 24)

	t.Run("confirmation says what happens", func(t *testing.T) {
		press(t, a, "a")
		mustContain(t, a, "Approve "+r.Number+"?", "verified to approved", "alice")
	})
	t.Run("esc cancels and changes nothing", func(t *testing.T) {
		press(t, a, "esc")
		mustContain(t, a, "Cancelled; nothing changed.")
		if got := requestStatus(t, f, r.Number).Status; got != domain.Verified {
			t.Fatalf("status %s after cancel", got)
		}
	})
	t.Run("y approves and the row updates in place", func(t *testing.T) {
		press(t, a, "a", "y")
		got := requestStatus(t, f, r.Number)
		if got.Status != domain.Approved || got.DecidedBy != "alice" {
			t.Fatalf("request = %s by %q", got.Status, got.DecidedBy)
		}
		mustContain(t, a, "✓ "+r.Number+" approved", "approved", "Verified 0", "Approved 1")
	})
	t.Run("approving again is refused with a message", func(t *testing.T) {
		press(t, a, "a")
		mustContain(t, a, "Cannot approve "+r.Number+": it is approved by alice.")
		if a.dialog != nil {
			t.Fatal("dialog opened for an approved request")
		}
	})
}

func TestRegistration_ChangedUnderYou(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Fabrikam Inc.", "Fay", "fay@fabrikam.test", true)
	a := f.app(80, 24)
	press(t, a, "a")
	if _, err := f.svc.Reject(context.Background(), workflow.Action{Number: r.Number, Actor: "bob"}, "duplicate", ""); err != nil {
		t.Fatal(err)
	}
	press(t, a, "y")
	mustContain(t, a, "✗ "+r.Number+" is rejected", "by bob")
	// At 80 columns the message wraps rather than losing its end.
	if words := strings.Join(strings.Fields(shown(a)), " "); !strings.Contains(words, "UTC): cannot approve it") {
		t.Fatalf("the status line lost the end of the message:\n%s", shown(a))
	}
	if got := requestStatus(t, f, r.Number); got.Status != domain.Rejected || got.DecidedBy != "bob" {
		t.Fatalf("request = %s by %s", got.Status, got.DecidedBy)
	}
	// The reread took the rejected row off the Verified tab.
	if strings.Contains(shown(a), "Fabrikam Inc.  ") {
		t.Fatalf("stale row still shown:\n%s", shown(a))
	}
}

func TestRegistration_Reject(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Litware Ltd", "Lee", "lee@litware.test", true)
	a := f.app(80, 24)
	press(t, a, "x")
	mustContain(t, a, "Reject "+r.Number, "duplicate", "Comment for the prospect")
	press(t, a, "right", "tab")
	typeText(t, a, "Please send your VAT number.")
	press(t, a, "enter")
	mustContain(t, a, `reason "incomplete"`, "lee@litware.test", "Please send your VAT number.")
	press(t, a, "y")
	got := requestStatus(t, f, r.Number)
	if got.Status != domain.Rejected || got.RejectReason != "incomplete" || got.RejectComment != "Please send your VAT number." {
		t.Fatalf("request = %+v", got)
	}
	mails, err := f.db.Read().Mails(context.Background(), store.ListMail{Ref: r.Number})
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) == 0 || mails[0].Kind != "rejection" {
		t.Fatalf("no rejection mail queued: %+v", mails)
	}
	mustContain(t, a, "✓ Rejected "+r.Number)
}

func TestRegistration_Create(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := f.signUp("Northwind Traders", "Nina", "nina@northwind.test", true)
	second := f.signUp("Northwind Traders", "Nils", "nils@northwind.test", true)
	for _, r := range []store.Request{first, second} {
		if _, err := f.svc.Approve(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	a := f.app(80, 24)
	press(t, a, "tab", "tab") // Approved

	t.Run("new customer", func(t *testing.T) {
		press(t, a, "c")
		mustContain(t, a, "Create customer for "+first.Number, "C00001", "STANDARD", "customer_user")
		press(t, a, "tab", "right", "enter") // template EU
		mustContain(t, a, "Creates customer C00001", "template EU", "is submitted")
		press(t, a, "y")
		got := requestStatus(t, f, first.Number)
		if got.Status != domain.Created || got.CustomerAccount != "C00001" {
			t.Fatalf("request = %s %s", got.Status, got.CustomerAccount)
		}
		c, err := f.db.Read().CustomerByAccount(ctx, "C00001")
		if err != nil || c.Template != "EU" {
			t.Fatalf("customer = %+v, %v", c, err)
		}
		mustContain(t, a, "customer C00001 created")
	})
	t.Run("existing account", func(t *testing.T) {
		press(t, a, "j")
		// Same email domain as customer C00001: the dialog opens on it.
		press(t, a, "c")
		mustContain(t, a, "C00001", "Northwind Traders", "Suggested: Email domain", "belongs to customer C00001")
		press(t, a, "tab") // search
		mustContain(t, a, "↑/↓ pick account")
		press(t, a, "tab", "tab") // role
		press(t, a, "right", "enter")
		mustContain(t, a, "joins existing customer C00001", "customer_admin")
		press(t, a, "y")
		got := requestStatus(t, f, second.Number)
		if got.Status != domain.Created || got.CustomerAccount != "C00001" {
			t.Fatalf("request = %s %s", got.Status, got.CustomerAccount)
		}
		u, err := f.db.Read().UserRequestByRequestID(ctx, second.ID)
		if err != nil || u.Role != store.RoleCustomerAdmin {
			t.Fatalf("user request = %+v, %v", u, err)
		}
	})
}

func TestRegistration_SearchAndMove(t *testing.T) {
	f := newFixture(t)
	f.seed(400)
	a := f.app(80, 24)
	press(t, a, "shift+tab") // All
	all, err := f.db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	cur := func() string { r, _ := a.screens[0].(*registration).current(); return r.Number }

	t.Run("page down across windows", func(t *testing.T) {
		for range 15 {
			press(t, a, "pgdown")
		}
		want := all[min(15*a.screens[0].(*registration).listHeight(), len(all)-1)].Number
		if cur() != want {
			t.Fatalf("cursor on %s, want %s", cur(), want)
		}
	})
	t.Run("G and g", func(t *testing.T) {
		press(t, a, "G")
		if cur() != all[len(all)-1].Number {
			t.Fatalf("G: cursor on %s, want %s", cur(), all[len(all)-1].Number)
		}
		press(t, a, "k", "k")
		if cur() != all[len(all)-3].Number {
			t.Fatalf("k after G: cursor on %s", cur())
		}
		press(t, a, "g")
		if cur() != all[0].Number {
			t.Fatalf("g: cursor on %s, want %s", cur(), all[0].Number)
		}
	})
	t.Run("search", func(t *testing.T) {
		target := all[123]
		press(t, a, "/")
		typeText(t, a, target.Email)
		press(t, a, "enter")
		if cur() != target.Number {
			t.Fatalf("search: cursor on %s, want %s\n%s", cur(), target.Number, shown(a))
		}
		press(t, a, "esc")
		mustContain(t, a, "Search cleared.")
	})
	t.Run("search that matches nothing", func(t *testing.T) {
		press(t, a, "/")
		typeText(t, a, "zzz-no-such-company")
		press(t, a, "enter")
		mustContain(t, a, "Nothing matches this search.", `Searching for “zzz-no-such-company”`)
	})
	t.Run("an emptied search says it cleared", func(t *testing.T) {
		press(t, a, "/", "ctrl+u", "enter")
		mustContain(t, a, "Search cleared.", all[0].Number)
		if strings.Contains(shown(a), "Searching for") {
			t.Fatalf("stale search status:\n%s", shown(a))
		}
	})
}

func TestApp_EscapeSequences(t *testing.T) {
	f := newFixture(t)
	// The workflow refuses such input now; rows stored before it did (or
	// restored from elsewhere) must still be shown harmlessly.
	f.insertRaw("\x1b[2J\x1b]0;pwned\x07Evil\u202e Corp", "Mal\x1b[31m", "mal@evil.test", domain.Verified)
	a := f.app(120, 40)
	press(t, a, "enter")
	out := a.render()
	if rest := sgr.ReplaceAllString(out, ""); strings.ContainsRune(rest, 0x1b) {
		t.Fatalf("an escape sequence other than colour reached the screen: %q", rest)
	}
	if strings.Contains(out, "pwned") || strings.ContainsRune(out, '\u202e') {
		t.Fatalf("title or bidi override reached the screen: %q", out)
	}
	mustContain(t, a, "Evil Corp", "Mal Tester")
}

func TestApp_Screens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.signUp("Adatum GmbH", "Ada", "ada@adatum.test", true)
	if _, err := f.svc.Approve(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetParam(ctx, workflow.ParamWorkflowEnabled, "false", "alice"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: r.Number, Actor: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	a := f.app(100, 30)

	t.Run("provision from registration", func(t *testing.T) {
		press(t, a, "tab", "tab", "tab") // Created
		press(t, a, "enter")
		mustContain(t, a, "p provision", "User request "+res.UserRequest.Number+" draft")
		// The customer the request created is no warning about it.
		if strings.Contains(shown(a), "as customer "+res.Customer.Account) {
			t.Fatalf("the request's own customer is shown as a warning:\n%s", shown(a))
		}
		press(t, a, "p")
		mustContain(t, a, "Provision the user by hand?", "welcome message")
		press(t, a, "y", "esc")
		u, err := f.db.Read().UserRequestByNumber(ctx, res.UserRequest.Number)
		if err != nil || u.Status != domain.URCompleted {
			t.Fatalf("user request = %+v, %v", u.Status, err)
		}
	})
	t.Run("user requests", func(t *testing.T) {
		press(t, a, "2")
		mustContain(t, a, "▸ Failed", "No user requests here.")
		press(t, a, "shift+tab") // All
		mustContain(t, a, res.UserRequest.Number, "completed")
		press(t, a, "enter")
		mustContain(t, a, "Steps", "provision_user", "login created by hand")
	})
	t.Run("customers: inactivate a user", func(t *testing.T) {
		press(t, a, "3")
		mustContain(t, a, res.Customer.Account, "Adatum GmbH", "Users")
		press(t, a, "enter", "i")
		mustContain(t, a, "Inactivate user", "every session of this user ends")
		press(t, a, "y")
		users, err := f.db.Read().Users(ctx, res.Customer.ID)
		if err != nil || len(users) != 1 || users[0].Active {
			t.Fatalf("users = %+v, %v", users, err)
		}
		trail, _ := f.db.Read().AuditTrail(ctx, store.EntityUser, users[0].Username)
		if len(trail) == 0 || trail[len(trail)-1].Action != "inactivate" || trail[len(trail)-1].Actor != "alice" {
			t.Fatalf("audit = %+v", trail)
		}
		mustContain(t, a, "inactivated; sessions ended")
	})
	t.Run("parameters: validation error changes nothing", func(t *testing.T) {
		press(t, a, "4")
		mustContain(t, a, "sequence.registration", "REG-{000000}")
		press(t, a, "j", "j", "j", "j", "j", "j", "j") // workflow.max_attempts
		mustContain(t, a, "workflow.max_attempts")
		press(t, a, "e")
		for range 3 {
			press(t, a, "backspace")
		}
		typeText(t, a, "999")
		press(t, a, "enter")
		mustContain(t, a, "want a whole number from 1 to 50")
		p, _ := workflow.LoadParams(ctx, f.db.Read())
		if p.Int(workflow.ParamMaxAttempts) != 8 {
			t.Fatalf("max attempts changed to %d", p.Int(workflow.ParamMaxAttempts))
		}
		press(t, a, "esc")
	})
	t.Run("parameters: a valid value is saved", func(t *testing.T) {
		press(t, a, "e")
		for range 3 {
			press(t, a, "backspace")
		}
		typeText(t, a, "5")
		press(t, a, "enter")
		mustContain(t, a, "✓ Saved workflow.max_attempts.")
		p, _ := workflow.LoadParams(ctx, f.db.Read())
		if p.Int(workflow.ParamMaxAttempts) != 5 {
			t.Fatalf("max attempts = %d", p.Int(workflow.ParamMaxAttempts))
		}
	})
	t.Run("mail: retry a failed one", func(t *testing.T) {
		mails, err := f.db.Read().Mails(ctx, store.ListMail{})
		if err != nil || len(mails) == 0 {
			t.Fatalf("mails = %v, %v", mails, err)
		}
		err = f.db.WithTx(ctx, func(tx *store.Tx) error {
			return tx.MarkMailAttempt(ctx, mails[0].ID, "smtp: connection refused", true)
		})
		if err != nil {
			t.Fatal(err)
		}
		press(t, a, "5", "r")
		mustContain(t, a, "▸ Failed 1", "connection refused", "t retry")
		press(t, a, "t", "y")
		m, err := f.db.Read().MailByID(ctx, mails[0].ID)
		if err != nil || m.Status != store.MailQueued {
			t.Fatalf("mail = %s, %v", m.Status, err)
		}
		mustContain(t, a, "queued again")
	})
	t.Run("help shows every key", func(t *testing.T) {
		press(t, a, "1", "?")
		mustContain(t, a, "pgdn", "resend link", "provision", "user requests", "parameters")
		press(t, a, "?")
	})
}

func TestApp_Resize(t *testing.T) {
	f := newFixture(t)
	f.seed(50)
	a := f.app(80, 24)
	for _, size := range [][2]int{{80, 24}, {60, 15}, {200, 60}, {120, 40}, {40, 10}} {
		send(t, a, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		lines := strings.Split(shown(a), "\n")
		if len(lines) != size[1] {
			t.Fatalf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Fatalf("%dx%d: line %d is %d wide: %q", size[0], size[1], i, w, l)
			}
		}
	}
}

func TestApp_Background(t *testing.T) {
	f := newFixture(t)
	cfg := f.config("alice")
	cfg.Dark = nil
	a := New(cfg)
	defer a.Close()
	if !a.askBackground {
		t.Fatal("no background given, yet the app does not ask the terminal")
	}
	// Until (unless) the terminal answers, text is in its own colour: the
	// dark theme's pale text would vanish on a light terminal.
	if _, none := a.s.styles.Cell.GetForeground().(lipgloss.NoColor); !none {
		t.Fatalf("before the terminal answers, text is drawn in %v", a.s.styles.Cell.GetForeground())
	}
	send(t, a, tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	if _, none := a.s.styles.Cell.GetForeground().(lipgloss.NoColor); !none {
		t.Fatal("a colour profile alone chose a background")
	}
	send(t, a, tea.BackgroundColorMsg{Color: color.White})
	if a.s.styles.Dark {
		t.Fatal("a white background kept the dark styles")
	}
	send(t, a, tea.BackgroundColorMsg{Color: color.Black})
	if !a.s.styles.Dark {
		t.Fatal("a black background kept the light styles")
	}
}

func TestApp_HelpBarKeepsMoreAndQuit(t *testing.T) {
	f := newFixture(t)
	f.signUp("Fabrikam Inc.", "Fay", "fay@fabrikam.test", true)
	for _, w := range []int{60, 80, 100} {
		a := f.app(w, 24)
		lines := strings.Split(shown(a), "\n")
		last := strings.TrimRight(lines[len(lines)-1], " ")
		if !strings.HasSuffix(last, "? more • q quit") {
			t.Fatalf("at %d columns the help bar is %q", w, last)
		}
		// In a dialog ? and q are not help and quit, so the bar does not offer them.
		press(t, a, "x")
		lines = strings.Split(shown(a), "\n")
		if last := lines[len(lines)-1]; strings.Contains(last, "quit") || strings.Contains(last, "more") {
			t.Fatalf("the reject dialog's help offers keys it does not take: %q", last)
		}
		a.Close()
	}
}

func TestApp_DialogClearsStaleStatus(t *testing.T) {
	f := newFixture(t)
	f.signUp("Fabrikam Inc.", "Fay", "fay@fabrikam.test", true)
	a := f.app(80, 24)
	for _, k := range []string{"x", "a"} {
		press(t, a, "a", "esc")
		mustContain(t, a, "Cancelled; nothing changed.")
		press(t, a, k)
		if a.dialog == nil {
			t.Fatalf("%s opened no dialog:\n%s", k, shown(a))
		}
		if strings.Contains(shown(a), "Cancelled") {
			t.Fatalf("%s: the last status stays over the new dialog:\n%s", k, shown(a))
		}
		press(t, a, "esc")
	}
}

func TestRegistration_TabCountsStayExactWhenTheyFit(t *testing.T) {
	f := newFixture(t)
	a := f.app(80, 24)
	r := a.screens[0].(*registration)
	r.counts = map[domain.RequestStatus]int64{domain.Verified: 111, domain.Requested: 37, domain.Approved: 784,
		domain.Created: 2016, domain.Rejected: 1182, domain.Expired: 3}
	if got := ansi.Strip(r.tabsView(90)); !strings.Contains(got, "Created 2,016 Rejected 1,182 Expired 3 All 4,133") {
		t.Fatalf("at 90 columns the tabs read %q", got)
	}
	if got := ansi.Strip(r.tabsView(86)); !strings.Contains(got, "Created 2.0k Rejected 1.2k Expired 3 All 4.1k") {
		t.Fatalf("at 86 columns the tabs read %q", got)
	}
}

func TestRegistration_ErasedRequestSaysSo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.signUp("Gone GmbH", "Gina", "gina@gone.test", false)
	if _, err := f.svc.Erase(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	a := f.app(80, 24)
	press(t, a, "shift+tab") // All
	mustContain(t, a, r.Number, "(erased)")
	press(t, a, "enter")
	mustContain(t, a, "Personal data removed", "alice")
}

func TestRegistration_SelectedRowLeavesTheList(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Fabrikam Inc.", "Fay", "fay@fabrikam.test", true)
	f.signUp("Northwind Ltd", "Nina", "nina@northwind.test", true)
	a := f.app(80, 24)
	mustContain(t, a, "▌  "+r.Number)
	if _, err := f.svc.Approve(context.Background(), workflow.Action{Number: r.Number, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	press(t, a, "r")
	mustContain(t, a, r.Number+" is now approved by bob, so it left this list.")
	// Her own approval says what she did, not that the row left.
	press(t, a, "a", "y")
	if s := shown(a); !strings.Contains(s, " approved (Northwind") || strings.Contains(s, "left this list") {
		t.Fatalf("own approval:\n%s", s)
	}
	press(t, a, "r")
	if s := shown(a); strings.Contains(s, "left this list") || strings.Contains(s, "Northwind") {
		t.Fatalf("after her own approval, a reread:\n%s", s)
	}
}

func TestUserRequests_UserColumnReadable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.signUp("Adatum GmbH", "Adela", "adela@adatum.test", true) // user name of 8 characters
	if _, err := f.svc.Approve(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetParam(ctx, workflow.ParamWorkflowEnabled, "false", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: r.Number, Actor: "alice"}}); err != nil {
		t.Fatal(err)
	}
	a := f.app(80, 24)
	press(t, a, "2", "shift+tab") // All
	mustContain(t, a, " "+r.Username+" ", "draft")
}

func TestRegistration_RejectReasonsWrapWhenNarrow(t *testing.T) {
	f := newFixture(t)
	f.signUp("Fabrikam Inc.", "Fay", "fay@fabrikam.test", true)
	a := f.app(60, 20)
	press(t, a, "x")
	mustContain(t, a, "duplicate", "not_eligible", "other")
}

// TestRegistration_SearchAsYouType: the list follows each keystroke, an
// answer to an earlier keystroke arriving late is dropped, and esc while
// typing goes back to the search there was before.
func TestRegistration_SearchAsYouType(t *testing.T) {
	f := newFixture(t)
	f.seed(400)
	a := f.app(80, 24)
	press(t, a, "shift+tab") // All
	all, err := f.db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	reg := a.screens[0].(*registration)
	target := all[321]

	press(t, a, "/")
	typeText(t, a, target.Number)
	if len(reg.rows) != 1 || reg.rows[0].Number != target.Number {
		t.Fatalf("while typing %s the list holds %d rows\n%s", target.Number, len(reg.rows), shown(a))
	}
	mustContain(t, a, target.Number)

	// Two more keystrokes whose answers arrive in the wrong order.
	_, first := a.Update(keyMsg("backspace"))
	_, second := a.Update(keyMsg("backspace"))
	run(t, a, second)
	want := len(reg.rows)
	if want < 2 {
		t.Fatalf("%q lists %d rows, want several", reg.search.value, want)
	}
	run(t, a, first)
	if len(reg.rows) != want || reg.search.value != target.Number[:len(target.Number)-2] {
		t.Fatalf("a late answer replaced the list: %d rows for %q, want %d", len(reg.rows), reg.search.value, want)
	}
	if reg.s.status.kind == "err" {
		t.Fatalf("the dropped answer left an error: %+v", reg.s.status)
	}

	press(t, a, "esc")
	if reg.search.value != "" || reg.search.typing || len(reg.rows) < 100 {
		t.Fatalf("esc kept %q (typing %v, %d rows)", reg.search.value, reg.search.typing, len(reg.rows))
	}
	press(t, a, "/")
	typeText(t, a, target.Email)
	press(t, a, "enter")
	mustContain(t, a, `Searching for “`+target.Email+`”`)
	press(t, a, "/", "x", "esc") // back to the email search, not to none
	if reg.search.value != target.Email || len(reg.rows) != 1 {
		t.Fatalf("esc restored %q with %d rows, want %q", reg.search.value, len(reg.rows), target.Email)
	}
}

func TestRegistration_ExpiredTab(t *testing.T) {
	f := newFixture(t)
	old := f.signUp("Twice Ltd", "Tess", "tess@twice.test", false)
	// A second sign-up from the same address replaces the first.
	newer := f.signUp("Twice Ltd", "Tessa", "tess@twice.test", false)
	a := f.app(100, 24)
	mustContain(t, a, "Requested 1", "Expired 1", "All 2")
	press(t, a, "shift+tab", "shift+tab")
	mustContain(t, a, "▸ Expired 1", old.Number)
	if strings.Contains(shown(a), newer.Number) {
		t.Fatalf("the waiting request on the Expired tab:\n%s", shown(a))
	}
}

func TestRegistration_ResendSaysLinksAreRevoked(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Waiting Co", "Wanda", "wanda@waiting.test", false)
	a := f.app(100, 24)
	press(t, a, "tab", "s")
	mustContain(t, a, "Resend the activation link of "+r.Number+"?", "earlier links are revoked")
	press(t, a, "esc")
	if ms, err := f.db.Read().Mails(context.Background(), store.ListMail{Ref: r.Number}); err != nil || len(ms) != 1 {
		t.Fatalf("mail after cancel: %d %v, want the sign-up's one", len(ms), err)
	}
}

func TestParams_Sequences(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.signUp("Adatum GmbH", "Ada", "ada@adatum.test", false)
	a := f.app(100, 40)
	// The registration sequence: after the parameters, before the three
	// templates and the add row.
	press(t, a, "4", "G", "k", "k", "k", "k", "k", "k")
	mustContain(t, a, "next registration number", "REG-000002", "never back")
	next := func() int64 {
		t.Helper()
		seqs, err := f.svc.Sequences(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seqs[0].Next
	}
	edit := func(value string) {
		t.Helper()
		press(t, a, "e", "ctrl+u")
		typeText(t, a, value)
		press(t, a, "enter")
	}
	edit("1")
	mustContain(t, a, "already REG-000002 (2); a sequence only moves forward")
	edit("many")
	mustContain(t, a, "a whole number above 2")
	if next() != 2 {
		t.Fatalf("a refused change moved the sequence to %d", next())
	}
	edit("700")
	mustContain(t, a, "✓ Saved the registration sequence.", "REG-000700")
	if next() != 700 {
		t.Fatalf("sequence at %d, want 700", next())
	}
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityParam, workflow.ParamSeqRegistration)
	if len(trail) != 1 || trail[0].Actor != "alice" {
		t.Fatalf("audit %+v", trail)
	}
}

func TestParams_Templates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.app(120, 40)
	press(t, a, "4", "G") // the add row, last
	mustContain(t, a, "+ add a template", "template EU", "European Union customer · EU · EUR · en-GB · Net 30")
	codes := func() []string {
		t.Helper()
		ts, err := f.svc.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ts {
			out = append(out, x.Code+"="+x.PaymentTerms)
		}
		return out
	}
	before := strings.Join(codes(), ",")

	// Add: a bad line, a bad currency, then a good one.
	press(t, a, "e")
	typeText(t, a, "NORDIC · Nordic customer")
	press(t, a, "enter")
	mustContain(t, a, "Write six parts separated by ·")
	press(t, a, "ctrl+u")
	typeText(t, a, "NORDIC · Nordic customer · NOR · kronor · sv-SE · Net 45")
	press(t, a, "enter")
	mustContain(t, a, "ISO 4217")
	if got := strings.Join(codes(), ","); got != before {
		t.Fatalf("refused adds changed the templates: %s", got)
	}
	press(t, a, "ctrl+u")
	typeText(t, a, "NORDIC · Nordic customer · NOR · SEK · sv-SE · Net 45")
	press(t, a, "enter")
	mustContain(t, a, "✓ Saved template NORDIC.", "template NORDIC")

	// Edit EU's payment terms.
	press(t, a, "G", "k", "k", "k", "k") // EU, EXPORT, NORDIC, STANDARD, add
	mustContain(t, a, "template EU  e edits")
	press(t, a, "e", "ctrl+u")
	typeText(t, a, "European Union customer · EU · EUR · en-GB · Net 14")
	press(t, a, "enter")
	mustContain(t, a, "✓ Saved template EU.")

	// The default template cannot go; EU can, after a confirmation.
	press(t, a, "G", "k")
	mustContain(t, a, "template STANDARD  e edits")
	press(t, a, "d", "y")
	mustContain(t, a, "customer.default_template names template STANDARD")
	press(t, a, "G", "k", "k", "k", "k", "d")
	mustContain(t, a, "Remove template EU?", "customers created from it keep their values")
	press(t, a, "esc")
	if got := strings.Join(codes(), ","); got != "EU=Net 14,EXPORT=Prepayment,NORDIC=Net 45,STANDARD=Net 30" {
		t.Fatalf("templates %s", got)
	}
	press(t, a, "d", "y")
	mustContain(t, a, "✓ Removed template EU.")
	if got := strings.Join(codes(), ","); got != "EXPORT=Prepayment,NORDIC=Net 45,STANDARD=Net 30" {
		t.Fatalf("templates %s", got)
	}
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityTemplate, "EU")
	if len(trail) != 2 || trail[0].Action != "set" || trail[1].Action != "remove" || trail[1].Actor != "alice" {
		t.Fatalf("audit %+v", trail)
	}
}
