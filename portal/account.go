package portal

import (
	"net/http"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// account shows the customer account, its contact persons and the user's
// own details.
func (s *server) account(w http.ResponseWriter, r *http.Request) {
	in, _ := currentUser(r)
	ctx := r.Context()
	q := s.db.Read()
	cust, err := q.CustomerByID(ctx, in.user.CustomerID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	contacts, err := q.Contacts(ctx, cust.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := AccountPage{Nav: s.nav(r, "account"), Notice: noticeFor(r.URL.Query().Get("done")),
		User: in.user, Customer: cust, Contacts: contacts}
	for _, c := range contacts {
		if c.ID == in.user.ContactID {
			page.Contact = c
		}
	}
	s.render(w, r, http.StatusOK, PageAccount, page)
}

func (s *server) contactPage(w http.ResponseWriter, r *http.Request) {
	in, _ := currentUser(r)
	c, err := s.db.Read().ContactByID(r.Context(), in.user.ContactID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, PageAccountContact, ContactPage{Nav: s.nav(r, "account"),
		Email: c.Email, Form: ContactFormFrom(c)})
}

// saveContact stores the user's own contact details.
func (s *server) saveContact(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	in, _ := currentUser(r)
	f := ParseContactForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageAccountContact, ContactPage{
			Nav: s.nav(r, "account"), Email: in.user.Email, Form: f, Errors: errs})
		return
	}
	_, err := s.svc.UpdateOwnContact(r.Context(), workflow.ContactInput{UserID: in.user.ID,
		FirstName: f.FirstName(), LastName: f.LastName(), JobTitle: f.JobTitle(), Phone: f.Phone(),
		Language: f.Language()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=contact", http.StatusSeeOther)
}

func (s *server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, PageAccountPassword, PasswordPage{Nav: s.nav(r, "account")})
}

// changePassword replaces the password after checking the current one.
// Every session of the login ends; this browser gets a fresh one, so an
// attacker holding an old session id is out and the user stays in.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	in, _ := currentUser(r)
	ctx := r.Context()
	f := ParsePasswordForm(r.PostForm)
	errs := f.Validate(in.user.Username, in.user.Email)
	switch {
	case f.Current == "":
		errs = append(FieldErrors{{Field: FieldCurrentPassword, Label: passwordLabels[FieldCurrentPassword],
			Message: "Enter your current password"}}, errs...)
	case errs == nil:
		// The current password is a guessable secret too: its checks are
		// limited like logins. It is checked once the new one is acceptable,
		// so typos in the new password cost nothing.
		if ok, wait := s.limits.loginPair.Allow("change:" + in.user.Username + "|" + s.clientKey(r)); !ok {
			s.rd.TooManyRequests(w, r, wait)
			return
		}
		ok, err := s.checkPassword(r, &in.user, f.Current)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			errs = FieldErrors{{Field: FieldCurrentPassword, Label: passwordLabels[FieldCurrentPassword],
				Message: "Your current password is wrong; type it again"}}
		}
	}
	if errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageAccountPassword, PasswordPage{
			Nav: s.nav(r, "account"), Errors: errs})
		return
	}
	hash, err := s.hasher.Hash(ctx, f.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, in.user.ID, hash); err != nil {
			return err
		}
		if err := tx.InsertAudit(ctx, store.AuditEntry{Actor: in.user.Username, Entity: store.EntityUser,
			Ref: in.user.Username, Action: "password_change", Detail: "by the user; other sessions ended"}); err != nil {
			return err
		}
		var err error
		id, err = s.startSession(ctx, tx, p, in.user, nil) // SetUserPassword ended the old one
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSessionCookie(w, r, id)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}
