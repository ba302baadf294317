package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestAdmin_forbiddenToCustomerUsers(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	for _, rec := range []*http.Response{
		b.get("/account/users").Result(),
		b.get("/account/users/new").Result(),
		b.post("/account/users/new", url.Values{FieldFirstName: {"X"}}).Result(),
		b.post(fmt.Sprintf("/account/users/%d/inactivate", tp.ada.ID), url.Values{}).Result(),
		b.post(fmt.Sprintf("/account/users/%d/activate", tp.ada.ID), url.Values{}).Result(),
		b.post("/account/users/requests/UR-000001/withdraw", url.Values{}).Result(),
	} {
		if rec.StatusCode != http.StatusForbidden {
			t.Fatalf("%s %s: %d, want 403", rec.Request.Method, rec.Request.URL, rec.StatusCode)
		}
	}
	wantBody(t, b.last, "Only your company’s self-service administrators", `action="/logout"`)
	if !tp.user(tp.ada.ID).Active {
		t.Fatal("a customer user inactivated someone")
	}
}

func TestAdmin_users(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	rec := b.get("/account/users")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Users of Analytical Engines Ltd", "<code>ada</code> <span class=\"muted\">(you)</span>", "<code>bob</code>",
		fmt.Sprintf(`action="/account/users/%d/inactivate"`, tp.bob.ID), "Bob Tester")
	if strings.Contains(rec.Body.String(), fmt.Sprintf(`/account/users/%d/inactivate`, tp.ada.ID)) {
		t.Fatal("an administrator is offered to inactivate themselves")
	}
	if strings.Contains(rec.Body.String(), "grace") {
		t.Fatal("another company's user is listed")
	}
}

func addUserForm(username, email string) url.Values {
	return url.Values{FieldFirstName: {"Mary"}, FieldLastName: {"Somerville"}, FieldEmail: {email},
		FieldUsername: {username}, FieldRole: {store.RoleCustomerUser}}
}

func TestAdmin_addUser(t *testing.T) {
	for _, tt := range []struct {
		workflowOn bool
		want       domain.UserRequestStatus
	}{{true, domain.URSubmitted}, {false, domain.URDraft}} {
		t.Run(string(tt.want), func(t *testing.T) {
			tp := newTestPortal(t)
			ctx := context.Background()
			if !tt.workflowOn {
				if err := tp.svc.SetParam(ctx, workflow.ParamWorkflowEnabled, "false", "test"); err != nil {
					t.Fatal(err)
				}
			}
			b := tp.browser("192.0.2.1")
			b.login("ada", adaPassword)
			wantStatus(t, b.get("/account/users/new"), 200)
			form := addUserForm("Mary.S", "mary@engines.example")
			form.Set(FieldRole, store.RoleCustomerAdmin)
			wantRedirect(t, b.post("/account/users/new", form), "/account/users?done=user_added")

			urs, err := tp.db.Read().UserRequests(ctx, store.ListUserRequests{CustomerID: tp.cust.ID})
			if err != nil || len(urs) != 1 {
				t.Fatalf("user requests: %v %v", urs, err)
			}
			ur := urs[0]
			if ur.Status != tt.want || ur.Username != "mary.s" || ur.Email != "mary@engines.example" ||
				ur.Role != store.RoleCustomerAdmin || ur.PasswordHash != "" || ur.CreatedBy != "ada" || ur.RequestID != nil {
				t.Fatalf("user request %+v", ur)
			}
			c, err := tp.db.Read().ContactByID(ctx, ur.ContactID)
			if err != nil || c.CustomerID != tp.cust.ID || c.FirstName != "Mary" || c.LastName != "Somerville" {
				t.Fatalf("contact %+v %v", c, err)
			}
			trail, _ := tp.db.Read().AuditTrail(ctx, store.EntityUserRequest, ur.Number)
			if len(trail) != 1 || trail[0].Actor != "ada" {
				t.Fatalf("audit %+v", trail)
			}
			rec := b.get("/account/users?done=user_added")
			wantBody(t, rec, "The new user has been requested", ur.Number, "Waiting for review", "Mary Somerville")
		})
	}
}

func TestAdmin_addUser_badInput(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	for _, tt := range []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"empty", url.Values{}, FieldFirstName, "Enter the first name"},
		{"bad email", addUserForm("mary", "mary@"), FieldEmail, "correct format"},
		{"bad user name", addUserForm("Mary Somerville", "mary@engines.example"), FieldUsername, "can only contain"},
		{"bad role", func() url.Values {
			f := addUserForm("mary", "mary@engines.example")
			f.Set(FieldRole, "owner")
			return f
		}(), FieldRole, "Choose a role"},
		{"user name taken", addUserForm("BOB", "mary@engines.example"), FieldUsername, "This user name is taken"},
		{"taken in another company", addUserForm("grace", "mary@engines.example"), FieldUsername, "This user name is taken"},
		{"email has a login", addUserForm("mary", "BOB@engines.example"), FieldEmail, "already has a login"},
		{"hostile", addUserForm("mary", "mary@engines.example"), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "hostile" {
				tt.form.Set(FieldFirstName, "<script>x</script>\x1b[2J")
				tt.field, tt.want = FieldFirstName, "control characters"
			}
			rec := b.post("/account/users/new", tt.form)
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, tt.want, `href="#`+tt.field+`"`)
			if strings.Contains(rec.Body.String(), "<script>x") {
				t.Fatal("input not escaped")
			}
		})
	}
	urs, _ := tp.db.Read().UserRequests(context.Background(), store.ListUserRequests{})
	contacts, _ := tp.db.Read().Contacts(context.Background(), tp.cust.ID)
	if len(urs) != 0 || len(contacts) != 2 {
		t.Fatalf("refused input created %d user requests and %d contacts", len(urs), len(contacts)-2)
	}
}

func TestAdmin_inactivate(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.browser("192.0.2.1")
	admin.login("ada", adaPassword)
	victim := tp.browser("192.0.2.2")
	victim.login("bob", bobPassword)

	// Not themselves, not another company's user, not nonsense.
	rec := admin.post(fmt.Sprintf("/account/users/%d/inactivate", tp.ada.ID), url.Values{})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "You cannot inactivate your own login.")
	wantStatus(t, admin.post(fmt.Sprintf("/account/users/%d/inactivate", tp.other.ID), url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.post("/account/users/999/inactivate", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.post("/account/users/abc/inactivate", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.get(fmt.Sprintf("/account/users/%d/inactivate", tp.bob.ID)), http.StatusMethodNotAllowed)
	if !tp.user(tp.ada.ID).Active || !tp.user(tp.other.ID).Active || !victim.signedIn() {
		t.Fatal("a refused inactivation changed something")
	}

	wantRedirect(t, admin.post(fmt.Sprintf("/account/users/%d/inactivate", tp.bob.ID), url.Values{}), "/account/users?done=inactivated")
	u := tp.user(tp.bob.ID)
	if u.Active || u.InactivatedBy != "ada" {
		t.Fatalf("bob: %+v", u)
	}
	if victim.signedIn() || tp.sessionCount(tp.bob.ID) != 0 {
		t.Fatal("the inactivated user's session survived")
	}
	wantStatus(t, tp.browser("192.0.2.3").post("/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {bobPassword}}), http.StatusUnprocessableEntity)
	rec = admin.get("/account/users?done=inactivated")
	wantBody(t, rec, "The user has been inactivated", "Inactive")
	rec = admin.post(fmt.Sprintf("/account/users/%d/inactivate", tp.bob.ID), url.Values{})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "bob is already inactive.")
	// In the reader's language, with the name in its place.
	rec = admin.doWith("POST", fmt.Sprintf("/account/users/%d/inactivate", tp.bob.ID), url.Values{},
		map[string]string{"Accept-Language": "de"})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Der Zugang bob ist bereits deaktiviert.")
	trail, _ := tp.db.Read().AuditTrail(context.Background(), store.EntityUser, "bob")
	if len(trail) == 0 || trail[len(trail)-1].Action != "inactivate" || trail[len(trail)-1].Actor != "ada" {
		t.Fatalf("audit %+v", trail)
	}
}

// TestAdmin_inactivatedAdmin: an administrator inactivated by another loses
// the pages at once.
func TestAdmin_inactivatedAdmin(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.browser("192.0.2.1")
	admin.login("ada", adaPassword)
	second := tp.addUser(tp.cust, "carol", "carol@engines.example", bobPassword, store.RoleCustomerAdmin)
	c := tp.browser("192.0.2.2")
	c.login("carol", bobPassword)
	wantRedirect(t, c.post(fmt.Sprintf("/account/users/%d/inactivate", tp.ada.ID), url.Values{}), "/account/users?done=inactivated")
	if admin.signedIn() {
		t.Fatal("inactivated administrator still signed in")
	}
	wantRedirect(t, admin.post(fmt.Sprintf("/account/users/%d/inactivate", second.ID), url.Values{}), "/login")
}

// TestAdmin_activate: an administrator gives an inactive login back; its
// user gets a fresh set-password link. Refusals change nothing.
func TestAdmin_activate(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.browser("192.0.2.1")
	admin.login("ada", adaPassword)
	ctx := context.Background()
	if _, err := tp.svc.InactivateCustomerUser(ctx, tp.ada.ID, tp.bob.ID); err != nil {
		t.Fatal(err)
	}
	otherCust, err := tp.db.Read().CustomerByID(ctx, tp.other.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	hopper := tp.addUser(otherCust, "hopper", "hopper@difference.example", otherPassword, store.RoleCustomerUser)
	if _, err := tp.svc.InactivateCustomerUser(ctx, tp.other.ID, hopper.ID); err != nil {
		t.Fatal(err)
	}
	rec := admin.get("/account/users")
	wantBody(t, rec, fmt.Sprintf(`action="/account/users/%d/activate"`, tp.bob.ID), "Activate bob", "<summary")
	links := len(tp.mails("set_password"))

	// Not an active login, not another company's, not nonsense.
	rec = admin.post(fmt.Sprintf("/account/users/%d/activate", tp.ada.ID), url.Values{})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "ada is already active.")
	rec = admin.doWith("POST", fmt.Sprintf("/account/users/%d/activate", tp.ada.ID), url.Values{},
		map[string]string{"Accept-Language": "es"})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "El acceso ada ya está activo.")
	wantStatus(t, admin.post(fmt.Sprintf("/account/users/%d/activate", hopper.ID), url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.post("/account/users/999/activate", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.post("/account/users/x/activate", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.get(fmt.Sprintf("/account/users/%d/activate", tp.bob.ID)), http.StatusMethodNotAllowed)
	if tp.user(hopper.ID).Active || tp.user(tp.bob.ID).Active || len(tp.mails("set_password")) != links {
		t.Fatal("a refused activation changed something")
	}

	wantRedirect(t, admin.post(fmt.Sprintf("/account/users/%d/activate", tp.bob.ID), url.Values{}), "/account/users?done=activated")
	if !tp.user(tp.bob.ID).Active {
		t.Fatal("bob still inactive")
	}
	if got := len(tp.mails("set_password")); got != links+1 {
		t.Fatalf("set-password mails %d, want %d", got, links+1)
	}
	wantBody(t, admin.get("/account/users?done=activated"), "activated again")
	trail, _ := tp.db.Read().AuditTrail(ctx, store.EntityUser, "bob")
	if last := trail[len(trail)-1]; last.Action != "activate" || last.Actor != "ada" {
		t.Fatalf("audit %+v", last)
	}
}

// TestAdmin_withdraw: an administrator takes back a login they asked for
// before an approver dealt with it; someone else's request is not theirs.
func TestAdmin_withdraw(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.browser("192.0.2.1")
	admin.login("ada", adaPassword)
	ctx := context.Background()
	mine, err := tp.svc.AddCustomerUser(ctx, workflow.AddUserInput{CustomerID: tp.cust.ID, ByUserID: tp.ada.ID,
		FirstName: "Mary", LastName: "Somerville", Email: "mary@engines.example", Username: "mary", Role: store.RoleCustomerUser})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := tp.svc.AddCustomerUser(ctx, workflow.AddUserInput{CustomerID: tp.other.CustomerID, ByUserID: tp.other.ID,
		FirstName: "Emmy", LastName: "Noether", Email: "emmy@difference.example", Username: "emmy", Role: store.RoleCustomerUser})
	if err != nil {
		t.Fatal(err)
	}
	// The workflow's first step puts them before the approvers.
	for _, ur := range []store.UserRequest{mine, theirs} {
		if sr, err := tp.svc.RunStep(ctx, ur.ID, 1); err != nil || sr.Status != domain.URPendingApproval {
			t.Fatalf("step of %s: %+v %v", ur.Number, sr, err)
		}
	}
	rec := admin.get("/account/users")
	wantBody(t, rec, `action="/account/users/requests/`+mine.Number+`/withdraw"`, "Withdraw "+mine.Number)
	if strings.Contains(rec.Body.String(), theirs.Number) {
		t.Fatal("another company's request is listed")
	}

	wantStatus(t, admin.post("/account/users/requests/"+theirs.Number+"/withdraw", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.post("/account/users/requests/UR-999999/withdraw", url.Values{}), http.StatusNotFound)
	wantStatus(t, admin.get("/account/users/requests/"+mine.Number+"/withdraw"), http.StatusMethodNotAllowed)
	status := func(number string) domain.UserRequestStatus {
		u, err := tp.db.Read().UserRequestByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		return u.Status
	}
	if status(theirs.Number) != domain.URPendingApproval || status(mine.Number) != domain.URPendingApproval {
		t.Fatal("a refused withdrawal changed something")
	}

	wantRedirect(t, admin.post("/account/users/requests/"+mine.Number+"/withdraw", url.Values{}), "/account/users?done=withdrawn")
	if got := status(mine.Number); got != domain.URCanceled {
		t.Fatalf("status %s, want canceled", got)
	}
	rec = admin.get("/account/users?done=withdrawn")
	wantBody(t, rec, "has been withdrawn", "Canceled")
	if strings.Contains(rec.Body.String(), "Withdraw "+mine.Number) {
		t.Fatal("a canceled request still offers a withdrawal")
	}
	rec = admin.post("/account/users/requests/"+mine.Number+"/withdraw", url.Values{})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "An approver has already dealt with this request.")
	trail, _ := tp.db.Read().AuditTrail(ctx, store.EntityUserRequest, mine.Number)
	if last := trail[len(trail)-1]; last.Actor != "ada" {
		t.Fatalf("audit %+v", last)
	}
}
