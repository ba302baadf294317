package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// The customer self-service administrator's pages; requireAdmin guards them.

// usersPage gathers the company's logins, requested logins and contacts.
func (s *server) usersPage(r *http.Request, errs FieldErrors) (UsersPage, error) {
	in, _ := currentUser(r)
	ctx := r.Context()
	q := s.db.Read()
	cust, err := q.CustomerByID(ctx, in.user.CustomerID)
	if err != nil {
		return UsersPage{}, err
	}
	contacts, err := q.Contacts(ctx, cust.ID)
	if err != nil {
		return UsersPage{}, err
	}
	users, err := q.Users(ctx, cust.ID)
	if err != nil {
		return UsersPage{}, err
	}
	urs, err := q.UserRequests(ctx, store.ListUserRequests{CustomerID: cust.ID})
	if err != nil {
		return UsersPage{}, err
	}
	names := map[int64]string{}
	for _, c := range contacts {
		names[c.ID] = c.FirstName + " " + c.LastName
	}
	page := UsersPage{Nav: s.nav(r, "users"), Notice: noticeFor(r.URL.Query().Get("done")),
		Errors: errs, Company: cust.Name, Contacts: contacts}
	for _, u := range users {
		page.Users = append(page.Users, UserRow{ID: u.ID, Username: u.Username, Name: names[u.ContactID],
			Email: u.Email, Role: u.Role, Active: u.Active, Self: u.ID == in.user.ID,
			InactivatedAt: u.InactivatedAt, InactivatedBy: u.InactivatedBy})
	}
	for _, ur := range urs {
		if ur.Status != domain.URCompleted {
			page.Pending = append(page.Pending, PendingRow{Number: ur.Number, Username: ur.Username,
				Email: ur.Email, Status: ur.Status,
				Withdrawable: ur.Status == domain.URDraft || ur.Status == domain.URPendingApproval})
		}
	}
	return page, nil
}

func (s *server) users(w http.ResponseWriter, r *http.Request) {
	page, err := s.usersPage(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, PageAccountUsers, page)
}

func (s *server) addUserPage(w http.ResponseWriter, r *http.Request) {
	s.renderAddUser(w, r, http.StatusOK, AddUserForm{}, nil)
}

func (s *server) renderAddUser(w http.ResponseWriter, r *http.Request, status int, f AddUserForm, errs FieldErrors) {
	in, _ := currentUser(r)
	cust, err := s.db.Read().CustomerByID(r.Context(), in.user.CustomerID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, PageAccountUserNew, AddUserPage{Nav: s.nav(r, "users"), Company: cust.Name,
		Form: f, Errors: errs})
}

// addUser requests a login for a new contact person of the company; it
// goes to the approvers like any user request.
func (s *server) addUser(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	in, _ := currentUser(r)
	f := ParseAddUserForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.renderAddUser(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	_, err := s.svc.AddCustomerUser(r.Context(), workflow.AddUserInput{CustomerID: in.user.CustomerID,
		ByUserID: in.user.ID, FirstName: f.FirstName(), LastName: f.LastName(), Email: f.Email(),
		Username: f.Username(), Role: f.Role})
	if fe, ok := errors.AsType[*workflow.FieldError](err); ok {
		errs := FieldErrors{}.add(fe.Field, addUserLabel(fe.Field), fe.Message)
		s.renderAddUser(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if errors.Is(err, workflow.ErrNotAllowed) {
		s.render(w, r, http.StatusForbidden, PageForbidden, ForbiddenPage{Nav: s.nav(r, "")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/users?done=user_added", http.StatusSeeOther)
}

func addUserLabel(field string) string {
	if field == FieldRole {
		return "Role"
	}
	if s, _, ok := specFor(field); ok {
		return s.label
	}
	return field
}

// inactivateUser ends another login of the company; its sessions end with it.
func (s *server) inactivateUser(w http.ResponseWriter, r *http.Request) {
	in, _ := currentUser(r)
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.rd.NotFound(w, r)
		return
	}
	_, err = s.svc.InactivateCustomerUser(r.Context(), in.user.ID, id)
	s.adminDone(w, r, err, "inactivated")
}

// activateUser gives an inactive login of the company back; its user gets
// a fresh link to choose a password.
func (s *server) activateUser(w http.ResponseWriter, r *http.Request) {
	in, _ := currentUser(r)
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.rd.NotFound(w, r)
		return
	}
	_, err = s.svc.ActivateCustomerUser(r.Context(), in.user.ID, id)
	s.adminDone(w, r, err, "activated")
}

// withdrawUserRequest cancels a requested login the approvers have not
// dealt with yet.
func (s *server) withdrawUserRequest(w http.ResponseWriter, r *http.Request) {
	in, _ := currentUser(r)
	number := chi.URLParam(r, "number")
	if number == "" || len(number) > 40 {
		s.rd.NotFound(w, r)
		return
	}
	_, err := s.svc.WithdrawUserRequest(r.Context(), in.user.ID, number)
	s.adminDone(w, r, err, "withdrawn")
}

// adminDone answers an administrator's action on the users page: refused
// with the reason (422), not found for another company's records (404, the
// same answer as for none), or back to the page with a notice.
func (s *server) adminDone(w http.ResponseWriter, r *http.Request, err error, done string) {
	if fe, ok := errors.AsType[*workflow.FieldError](err); ok {
		page, perr := s.usersPage(r, FieldErrors{fromWorkflow(fe, "users", "Users")})
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, PageAccountUsers, page)
		return
	}
	if errors.Is(err, workflow.ErrNotAllowed) {
		s.rd.NotFound(w, r) // another company's user, or none: the same answer
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/users?done="+done, http.StatusSeeOther)
}
